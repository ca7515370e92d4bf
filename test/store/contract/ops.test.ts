// The operator's reads of the store (StoreOps) on both adapters: the same counts for /metrics from the same facts,
// a write probe that leaves nothing behind, and a backup that only the embedded SQLite file has (PostgreSQL's answer
// names pg_dump).
import { beforeEach, expect, it } from 'vitest';
import { BackupUnsupportedError, type Store, StoreInputError, type StoreOps } from '../../../service/src/ports/index.js';
import { newCampaign, targets } from '../helpers.js';
import { describeOnAdapters, oneRecipient } from './adapters.js';

describeOnAdapters('store ops', { start: '2026-03-01T10:00:00.000Z' }, ({ store: s, name }) => {
  const store = s as Store & StoreOps;
  let rowId: number;
  beforeEach(async () => (rowId = await oneRecipient(store)));

  it('counts recipients by state, pending outbox rows and the oldest due, raw events by type, and hits by class', async () => {
    await store.outbox.enqueue({ key: 'a', kind: 'k', payload: {}, runAt: '2026-03-01T09:00:00.000Z' });
    await store.outbox.enqueue({ key: 'b', kind: 'k', payload: {}, runAt: '2026-03-01T11:00:00.000Z' });
    await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-03-01T10:00:00Z' });
    await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-03-01T10:01:00Z' });
    await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'click', at: '2026-03-01T10:02:00Z' });
    for (const human of [true, true, false])
      await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind: 'open', at: '2026-03-01T10:00:00Z', human });
    expect(await store.opsCounts()).toEqual({
      recipients: { queued: 1 },
      outboxPending: 2,
      outboxOldestDueAt: '2026-03-01T09:00:00.000Z',
      events: { open: 2, click: 1 },
      hits: [{ kind: 'open', human: 2, machine: 1 }],
    });
  });

  // A new operator's review: a cancelled campaign's queued rows counted as send queue depth for ever.
  it("counts a cancelled or failed campaign's queued rows apart, as dropped", async () => {
    await store.campaigns.create(newCampaign(), 'gone');
    await store.recipients.insertMany('gone', targets(2));
    expect(await store.campaigns.transition('gone', ['draft'], 'cancelled', 'by the operator')).toBe(true);
    expect((await store.opsCounts()).recipients).toEqual({ queued: 1, dropped: 2 });
  });

  it('probes a write and leaves nothing behind', async () => {
    const before = await store.opsCounts();
    await store.probeWritable();
    expect(await store.opsCounts()).toEqual(before);
    expect((before.events as Record<string, number>).probe).toBeUndefined();
  });

  it('backs up only the embedded file; PostgreSQL points to pg_dump', async () => {
    const err = await store.backup('/nonexistent/copy.sqlite').catch((e: unknown) => e);
    if (name === 'postgres') {
      expect(err).toBeInstanceOf(BackupUnsupportedError);
      expect((err as Error).message).toMatch(/pg_dump/);
    } else expect(err).toBeInstanceOf(StoreInputError); // the in-memory test store has no file either
  });

  it('keeps the secret check compare-and-set: only the process that saw the value it replaces changes it', async () => {
    const at = '2026-03-01T10:00:00.000Z';
    expect(await store.secretCheck()).toBeUndefined();
    expect(await store.putSecretCheck('s1.a', undefined, at)).toBe(true);
    expect(await store.putSecretCheck('s1.b', undefined, at)).toBe(false); // another process stored it first
    expect(await store.putSecretCheck('s1.c', 's1.b', at)).toBe(false);
    expect(await store.putSecretCheck('s1.d', 's1.a', at)).toBe(true);
    expect(await store.secretCheck()).toBe('s1.d');
  });
});
