// A recipient can send a DSN to their own VERP address (it is in the Return-Path of every message they got). One that
// reads as a block (5.7.x) slowed, then paused, the provider for the whole identity. A block a DSN reports now counts
// only once enough addresses at that provider reported one within the hour: real blocks hit many recipients at once.
import { afterEach, describe, expect, it } from 'vitest';
import { verpAddress } from '../../service/src/domain/verp.js';
import { createFactRecorder } from '../../service/src/engagement/facts.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { createInboundIntake } from '../../service/src/inbound/intake.js';
import { type InboundListener, startInboundListener } from '../../service/src/mail/inbound/listener.js';
import { createDeliveryControl } from '../../service/src/sending/delivery-control.js';
import { createDeliverySenders, type SendersStore } from '../../service/src/sending/senders.js';
import { newCampaign, targets } from '../store/helpers.js';
import { testIdentity } from '../support/senders.js';
import { BOUNCE_DOMAIN, SECRET, type Seeded, seededStore } from './helpers.js';
import { deliver, fixture } from './inbound-support.js';

let s: Seeded;
let listener: InboundListener | undefined;
let now: Date;
const warnings: Array<Record<string, unknown>> = [];

async function start(dsnBlockReporters: number) {
  s = await seededStore({ n: 4 });
  now = new Date('2026-12-06T10:00:00.000Z');
  const identity = testIdentity();
  const control = createDeliveryControl({ now: () => now, acceptedOn: () => ({}) });
  const store = { ...s.store, identities: { get: async () => identity, getDefault: async () => identity } } as unknown as SendersStore;
  const senders = createDeliverySenders({
    store,
    identities: { forSending: async () => identity, profileOf: async () => undefined as never },
    control,
    now: () => now,
    dsnBlockReporters,
    logger: { warn: (o) => warnings.push(o as Record<string, unknown>) },
  });
  const lookup = createRecipientLookup(s.store);
  const facts = createFactRecorder({
    store: s.store,
    lookup,
    softBounceLimit: 3,
    clock: () => now,
    onBlock: async (r, reason, source) => await senders.blocked(r, reason, source),
  });
  const intake = createInboundIntake({ facts, lookup });
  listener = await startInboundListener({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    bounceDomain: BOUNCE_DOMAIN,
    handle: async (route, report) => await intake.handle(route, report),
  });
  return { throttled: async () => (await control.status(identity.id)).map((p) => `${p.provider} ${p.level}`) };
}

afterEach(async () => {
  await listener?.close();
  listener = undefined;
  s?.store.close();
  warnings.length = 0;
});

/** The block a recipient of row `i` forges (or their provider really sends) to that row's VERP address. */
async function blockFrom(i: number) {
  const row = s.rows[i];
  const verp = verpAddress(SECRET, row.rowId, BOUNCE_DOMAIN);
  expect(await deliver(listener!.port, [verp], fixture('gmail-unauthenticated.eml', { verp, rcpt: row.email, messageId: row.messageId }))).toEqual({
    ok: true,
  });
}

describe('a block reported by a DSN', () => {
  it('slows the provider only once three addresses reported one: one recipient, however often, changes nothing', async () => {
    const { throttled } = await start(3);
    await blockFrom(0);
    await blockFrom(0); // the same message again: one report
    await blockFrom(1);
    expect(await throttled()).toEqual([]);
    expect(warnings.map((w) => [w.event, w.reporters, w.needed])).toEqual([
      ['provider.block_unconfirmed', 1, 3],
      ['provider.block_unconfirmed', 2, 3],
    ]);
    await blockFrom(2);
    expect(await throttled()).toEqual(['unknown slowed']);
    // Each block counts on the report too, believed or not.
    expect((await s.store.engagement.summary(s.campaignId)).facts.block).toBe(3);
  });

  it('counts the reports of the last hour only', async () => {
    const { throttled } = await start(2);
    await blockFrom(0);
    now = new Date(now.getTime() + 61 * 60_000);
    await blockFrom(1);
    expect(await throttled()).toEqual([]);
    await blockFrom(2);
    expect(await throttled()).toEqual(['unknown slowed']);
  });

  it("does not count another identity's blocks, however many (they named its provider, not this identity's)", async () => {
    const { throttled } = await start(3);
    const other = await s.store.campaigns.create(newCampaign({ senderIdentityId: 'another-identity' }));
    await s.store.recipients.insertMany(
      other.id,
      targets(5).map((t) => ({ ...t, email: `x${t.email}`, addressKey: `x${t.addressKey}` })),
    );
    const rows = await s.store.recipients.list(other.id, { limit: 10, offset: 0 });
    for (const r of rows)
      await s.store.engagement.addFact({ recipientRowId: r.rowId, campaignId: other.id, fact: 'block', at: now.toISOString(), detail: '5.7.26' });
    await blockFrom(0);
    await blockFrom(1);
    expect(await throttled()).toEqual([]);
    await blockFrom(2);
    expect(await throttled()).toEqual(['unknown slowed']);
  });

  it('with LEADFWD_DSN_BLOCK_REPORTERS=1, slows it at the first (as before)', async () => {
    const { throttled } = await start(1);
    await blockFrom(0);
    expect(await throttled()).toEqual(['unknown slowed']);
  });
});
