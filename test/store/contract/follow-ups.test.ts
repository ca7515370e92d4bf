// Who a follow-up reaches: accepted recipients without a human open (MPP-only openers as chosen) or without a click.
import { describe, expect, it } from 'vitest';
import { seededOn, withPostgres } from './adapters.js';

describe.each(withPostgres)('follow-ups port ($name)', ({ open }) => {
  const seeded = seededOn(open);

  it('counts and pages human openers, MPP-only openers, non-openers and clickers apart; failed rows are no one', async () => {
    const { store, campaignId: c, rows } = await seeded({ n: 5 });
    const [opener, clicker, mpp, scanned, none] = rows.map((r) => r.rowId);
    // A row the relay refused never reached anyone: neither opener nor non-opener.
    const target = { module: 'Contacts' as const, id: 'contact-x', listId: 'tl-1', email: 'x@example.com', fields: {}, trackingConsent: true };
    await store.recipients.insertMany(c, [{ ...target, addressKey: 'x@example.com' }]);
    const [failed] = await store.recipients.claim(c, 1, '2030-01-01T00:00:00.000Z');
    await store.recipients.markOutcomes([{ rowId: failed.rowId, state: 'failed', error: '550 no such user' }]);
    const at = '2026-11-26T10:00:00.000Z';
    await store.engagement.record({ recipientRowId: opener, campaignId: c, kind: 'open', at, human: true });
    await store.engagement.record({ recipientRowId: clicker, campaignId: c, kind: 'click', linkIndex: 0, at, human: true });
    await store.engagement.record({ recipientRowId: mpp, campaignId: c, kind: 'open', at, human: false });
    await store.events.add({ recipientRowId: mpp, campaignId: c, type: 'open', at, data: { class: 'apple_mpp', machine: true } });
    await store.engagement.record({ recipientRowId: scanned, campaignId: c, kind: 'open', at, human: false });
    await store.events.add({ recipientRowId: scanned, campaignId: c, type: 'open', at, data: { class: 'scanner', machine: true } });
    await store.engagement.record({ recipientRowId: scanned, campaignId: c, kind: 'click', linkIndex: 0, at, human: false });

    expect(await store.followUps.counts(c)).toEqual({ accepted: 5, humanOpeners: 2, mppOnly: 1, noOpen: 2, humanClickers: 1 });
    const ids = async (criterion: 'not_opened' | 'not_clicked', mppOnly: 'include' | 'exclude', after = 0, limit = 10) =>
      (await store.followUps.page(c, { criterion, mppOnly }, after, limit)).map((r) => r.rowId);
    expect(await ids('not_opened', 'exclude')).toEqual([scanned, none]);
    expect(await ids('not_opened', 'include')).toEqual([mpp, scanned, none]);
    expect(await ids('not_clicked', 'exclude')).toEqual([opener, mpp, scanned, none]);
    expect(await ids('not_opened', 'include', mpp, 1)).toEqual([scanned]);
    expect((await store.followUps.page(c, { criterion: 'not_opened', mppOnly: 'exclude' }, 0, 1))[0]).toEqual({
      rowId: scanned,
      module: 'Contacts',
      recordId: 'contact-3',
    });
    expect(await store.followUps.counts('no-such')).toEqual({ accepted: 0, humanOpeners: 0, mppOnly: 0, noOpen: 0, humanClickers: 0 });
  });
});
