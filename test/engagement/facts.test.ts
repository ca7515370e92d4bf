// Relay verdicts at RCPT/DATA as bounce facts, opt-out idempotence, and raw-event retention.
import { afterEach, describe, expect, it } from 'vitest';
import { createFactRecorder } from '../../service/src/engagement/facts.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { startRetention } from '../../service/src/engagement/retention.js';
import { type Seeded, seededStore } from './helpers.js';

let s: Seeded;
afterEach(() => s?.store.close());

async function setup(softBounceLimit = 3) {
  s = await seededStore({ n: 3 });
  const errors: object[] = [];
  const blocked: string[] = [];
  const facts = createFactRecorder({
    store: s.store,
    lookup: createRecipientLookup(s.store),
    softBounceLimit,
    logger: { error: (o) => errors.push(o), warn: () => undefined },
    onBlock: (r, reason) => blocked.push(`${r.rowId}: ${reason}`),
  });
  return { facts, errors, blocked };
}
const row = (i: number) => ({ rowId: s.rows[i].rowId, attempts: 1 });
const key = (i: number) => s.rows[i].email.toLowerCase();

describe('smtpOutcome (synchronous relay verdicts)', () => {
  it('a permanent 550 5.1.1 at RCPT is a hard bounce: suppressed and queued for Sugar', async () => {
    const { facts } = await setup();
    const res = await facts.smtpOutcome(row(0), {
      outcome: 'permanent',
      code: 550,
      enhanced: '5.1.1',
      text: '550 5.1.1 <a@b>: Recipient address rejected: User unknown',
    });
    expect(res).toMatchObject({ known: true, recorded: true, suppressed: true });
    expect(await s.store.suppressions.get(key(0))).toMatchObject({ reason: 'hard_bounce', source: 'smtp:camp-1' });
    expect((await s.store.outbox.stats()).pending).toBe(1);
  });

  it('a policy refusal is a block with an alert, nobody is suppressed; the send loop throttles the provider, the campaign goes on', async () => {
    const { facts, errors, blocked } = await setup();
    await facts.smtpOutcome(row(1), { outcome: 'permanent', code: 554, enhanced: '5.7.1', text: '554 5.7.1 Message rejected as spam', policy: true });
    expect(await s.store.suppressions.get(key(1))).toBeUndefined();
    expect((await s.store.campaigns.get(s.campaignId))?.status).toBe('sending');
    expect(errors).toEqual([expect.objectContaining({ event: 'sender.blocked', campaignId: 'camp-1', source: 'smtp' })]);
    expect((await s.store.engagement.summary(s.campaignId)).facts.block).toBe(1);
    // At send time the send loop has throttled the provider already; only reports after the fact ask for it.
    expect(blocked).toEqual([]);
  });

  it('a 4xx the worker will retry is not a bounce yet; the last attempt is a soft bounce', async () => {
    const { facts } = await setup();
    const busy = { outcome: 'retryable' as const, code: 452, enhanced: '4.2.2', text: '452 4.2.2 Mailbox full' };
    expect(await facts.smtpOutcome({ rowId: s.rows[2].rowId, attempts: 2 }, busy)).toBeUndefined();
    expect(await facts.smtpOutcome({ rowId: s.rows[2].rowId, attempts: 5 }, busy)).toMatchObject({ recorded: true, suppressed: false });
    expect((await s.store.engagement.summary(s.campaignId)).facts.soft_bounce).toBe(1);
    expect(await s.store.engagement.softBounces(key(2))).toBe(1);
  });

  it('ignores accepted and uncertain outcomes and unknown rows', async () => {
    const { facts } = await setup();
    expect(await facts.smtpOutcome(row(0), { outcome: 'accepted', text: '250 ok' })).toBeUndefined();
    expect(await facts.smtpOutcome(row(0), { outcome: 'uncertain', text: 'connection lost' })).toBeUndefined();
    expect(await facts.smtpOutcome({ rowId: 999_999, attempts: 1 }, { outcome: 'permanent', code: 550, text: '550 5.1.1 no' })).toEqual({
      known: false,
      recorded: false,
      suppressed: false,
    });
  });
});

describe('optOut', () => {
  it('writes suppression, fact, event and one outbox row, and a replay writes nothing new', async () => {
    const { facts } = await setup();
    expect(await facts.optOut(s.rows[0].rowId, 'one_click')).toEqual({ known: true, recorded: true, suppressed: true });
    expect(await facts.optOut(s.rows[0].rowId, 'page')).toEqual({ known: true, recorded: false, suppressed: false });
    expect((await s.store.outbox.stats()).pending).toBe(1);
    expect(await s.store.events.list(s.campaignId, { type: 'optout', limit: 10 })).toHaveLength(1);
  });

  it('rolls everything back when one write fails', async () => {
    await setup();
    const failing = Object.create(s.store) as typeof s.store;
    const onFire = <O extends object>(outbox: O) =>
      Object.defineProperty(Object.create(outbox) as O, 'enqueue', {
        value: () => {
          throw new Error('disk on fire');
        },
      });
    // The recorder writes inside its transaction: the transaction hands out the failing outbox.
    failing.transaction = ((fn: Parameters<typeof s.store.transaction>[0]) =>
      s.store.transaction((tx) => fn(Object.assign(Object.create(tx), { outbox: onFire(tx.outbox) })))) as typeof s.store.transaction;
    const facts = createFactRecorder({ store: failing, lookup: createRecipientLookup(s.store), softBounceLimit: 3 });
    await expect((async () => await facts.optOut(s.rows[0].rowId, 'one_click'))()).rejects.toThrow('disk on fire');
    expect(await s.store.suppressions.get(key(0))).toBeUndefined();
    expect((await s.store.engagement.summary(s.campaignId)).facts.opt_out).toBe(0);
  });
});

describe('retention', () => {
  it('prunes raw events older than the retention and keeps counters and facts', async () => {
    const { facts } = await setup();
    await facts.optOut(s.rows[0].rowId, 'one_click'); // event at the store clock (an hour after acceptance)
    await s.store.events.add({ recipientRowId: s.rows[1].rowId, campaignId: s.campaignId, type: 'open', at: '2026-01-01T00:00:00Z' });
    const r = startRetention({ store: s.store, days: 90, clock: () => new Date('2026-11-26T12:00:00Z') });
    try {
      expect(await r.runOnce()).toBe(1);
      expect((await s.store.events.list(s.campaignId, { limit: 10 })).map((e) => e.type)).toEqual(['optout']);
      expect((await s.store.engagement.summary(s.campaignId)).facts.opt_out).toBe(1);
    } finally {
      r.stop();
    }
  });
});
