// An operator's "send again" on uncertain messages: one opened or clicked meanwhile (by the person or their mail
// system's scanner) provably arrived, so it is marked accepted instead of mailed twice, and the answer says how many.
import { describe, expect, it } from 'vitest';
import { resolveUncertain } from '../../service/src/campaigns/uncertain.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';

describe('resending uncertain messages', () => {
  async function uncertainRows(n: number) {
    const store = memoryStore({ owner: 'p1' });
    await store.campaigns.create(newCampaign(), 'c');
    await toSending(store, 'c');
    await store.recipients.insertMany('c', targets(n));
    const rows = (await store.recipients.claim('c', n, new Date().toISOString())).map((r) => r.rowId);
    await store.recipients.applyOutcomes(rows.map((rowId) => ({ rowId, state: 'uncertain' as const, error: 'connection lost after the dot' })));
    const deps = { store, campaigns: { allowed: async (id: string) => (await store.campaigns.get(id))! } };
    const sally = { kind: 'user', id: 'u-sally', userName: 'sally', isAdmin: false, acl: {}, sugar: {} } as never;
    return { store, rows, resend: (body: object) => resolveUncertain(deps, 'c', { action: 'resend', ...body }, sally) };
  }

  it('accepts the ones opened or clicked and sends the rest again', async () => {
    const { store, rows, resend } = await uncertainRows(3);
    const at = new Date().toISOString();
    await store.engagement.record({ recipientRowId: rows[0], campaignId: 'c', kind: 'open', at, human: true });
    await store.engagement.record({ recipientRowId: rows[2], campaignId: 'c', kind: 'click', linkIndex: 0, at, human: false });
    expect(await resend({ all: true })).toEqual({ action: 'resend', changed: 1, arrived: 2 });
    expect(await Promise.all(rows.map(async (r) => (await store.recipients.get(r))?.state))).toEqual(['accepted', 'queued', 'accepted']);
    const history = (await store.campaigns.history('c')).map((h) => h.reason);
    expect(history).toContain('2 uncertain messages were opened or clicked: marked as accepted, not sent again, by sally');
  });

  // A new operator's review: row ids of another campaign answered 200 with nothing changed and nothing said.
  it('refuses row ids that are not messages of the campaign, naming them, and changes nothing', async () => {
    const { store, rows, resend } = await uncertainRows(2);
    await expect(resend({ rowIds: [rows[0], 999_999] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Not messages of campaign c: 999999',
      details: { rowIds: [999_999] },
    });
    expect(await store.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
  });

  it('answers without an error when every chosen message was opened', async () => {
    const { store, rows, resend } = await uncertainRows(1);
    await store.engagement.record({ recipientRowId: rows[0], campaignId: 'c', kind: 'open', at: new Date().toISOString(), human: true });
    expect(await resend({ rowIds: rows })).toEqual({ action: 'resend', changed: 0, arrived: 1 });
    expect(await store.recipients.get(rows[0])).toMatchObject({ state: 'accepted' });
  });
});
