import { describe, expect, it } from 'vitest';
import { describeOnAdapters } from './adapters.js';

const MIN = 60_000;

const at = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * MIN).toISOString();

describeOnAdapters('outbox port', { start: '2026-03-01T08:00:00.000Z', outboxStaleMs: 5 * MIN }, ({ store, clock }) => {
  describe('outbox', () => {
    it('ignores a second enqueue with the same key, even after the first is done', async () => {
      expect(await store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 1 } })).toBe(true);
      expect(await store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 999 } })).toBe(false);
      const [item] = await store.outbox.claim(10, 'w1', at(0));
      expect(item).toEqual({ id: item.id, key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 1 }, attempts: 1 });
      await store.outbox.complete([item.id]);
      expect(await store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', payload: {} })).toBe(false);
      expect(await store.outbox.stats()).toEqual({ pending: 0, done: 1, dead: 0 });
      await expect((async () => await store.outbox.enqueue({ key: '', kind: 'x', payload: {} }))()).rejects.toThrow(/needs a key/);
      // A payload carrying a NUL character (a bounce's text, say) is kept without it: PostgreSQL's jsonb cannot hold one.
      expect(await store.outbox.enqueue({ key: 'bounce:c:r2', kind: 'bounce', campaignId: 'c', payload: { text: '5.1.1 no\u0000 such user' } })).toBe(true);
      expect((await store.outbox.claim(10, 'w1', at(0))).map((i) => i.payload)).toEqual([{ text: '5.1.1 no such user' }]);
    });

    it('enqueues a batch as one, counting only new keys: a key already known, or twice in the batch, keeps its first item', async () => {
      await store.outbox.enqueue({ key: 'sent:c:r1', kind: 'sent', campaignId: 'c', payload: { rowId: 1 } });
      const added = await store.outbox.enqueueMany([
        { key: 'sent:c:r1', kind: 'sent', campaignId: 'c', payload: { rowId: 999 } },
        { key: 'sent:c:r2', kind: 'sent', campaignId: 'c', payload: { rowId: 2, text: 'ünï "quoted"' } },
        { key: 'sent:c:r3', kind: 'sent', payload: null, runAt: at(5) },
        { key: 'sent:c:r2', kind: 'sent', campaignId: 'c', payload: { rowId: 998 } },
      ]);
      expect(added).toBe(2);
      expect(await store.outbox.enqueueMany([])).toBe(0);
      expect(await store.outbox.claim(10, 'w1', at(0))).toEqual([
        expect.objectContaining({ key: 'sent:c:r1', payload: { rowId: 1 } }),
        expect.objectContaining({ key: 'sent:c:r2', campaignId: 'c', payload: { rowId: 2, text: 'ünï "quoted"' } }),
      ]);
      expect(await store.outbox.claim(10, 'w1', at(5))).toEqual([expect.objectContaining({ key: 'sent:c:r3', payload: null, campaignId: undefined })]);
      await expect(
        (async () =>
          await store.outbox.enqueueMany([
            { key: 'fine', kind: 'k', payload: 1 },
            { key: '', kind: 'k', payload: 2 },
          ]))(),
      ).rejects.toThrow(/needs a key/);
      expect((await store.outbox.states(['fine'])).size).toBe(0);
    });

    it('claims only due, unlocked rows in order, up to the limit', async () => {
      await store.outbox.enqueue({ key: 'a', kind: 'k', payload: 1 });
      await store.outbox.enqueue({ key: 'later', kind: 'k', payload: 2, runAt: at(3) });
      await store.outbox.enqueue({ key: 'b', kind: 'k', payload: 3 });
      await store.outbox.enqueue({ key: 'c', kind: 'k', payload: 4 });
      expect((await store.outbox.claim(2, 'w1', at(0))).map((i) => i.key)).toEqual(['a', 'b']);
      // Locked by w1: another worker gets only what is left and due.
      expect((await store.outbox.claim(10, 'w2', at(1))).map((i) => i.key)).toEqual(['c']);
      expect(await store.outbox.claim(10, 'w2', at(2))).toEqual([]);
      expect((await store.outbox.claim(10, 'w2', at(3))).map((i) => i.key)).toEqual(['later']);
    });

    it('lets a lock older than the stale limit be claimed again, counting the attempt', async () => {
      await store.outbox.enqueue({ key: 'a', kind: 'k', payload: null });
      expect((await store.outbox.claim(1, 'w1', at(0)))[0].attempts).toBe(1);
      expect(await store.outbox.claim(1, 'w2', at(4))).toEqual([]);
      const again = await store.outbox.claim(1, 'w2', at(6));
      expect(again.map((i) => [i.key, i.attempts])).toEqual([['a', 2]]);
    });

    it('sweeps stale locks back so they can be claimed', async () => {
      await store.outbox.enqueue({ key: 'a', kind: 'k', payload: null });
      await store.outbox.enqueue({ key: 'b', kind: 'k', payload: null });
      await store.outbox.claim(1, 'w1', at(0));
      await store.outbox.claim(1, 'w1', at(3));
      expect(await store.outbox.sweepStale(at(2))).toBe(1);
      expect((await store.outbox.claim(10, 'w2', at(3))).map((i) => i.key)).toEqual(['a']);
    });

    it('retries a failure at its time and keeps a dead row with its error', async () => {
      await store.outbox.enqueue({ key: 'a', kind: 'open', campaignId: 'c1', payload: null });
      await store.outbox.enqueue({ key: 'b', kind: 'link', campaignId: 'c1', payload: null });
      const [a, b] = await store.outbox.claim(2, 'w1', at(0));
      await store.outbox.fail(a.id, '503 maintenance', at(5));
      await store.outbox.fail(b.id, '403 not allowed', null);
      expect(await store.outbox.claim(10, 'w1', at(4))).toEqual([]);
      const retried = await store.outbox.claim(10, 'w1', at(5));
      expect(retried.map((i) => [i.key, i.attempts])).toEqual([['a', 2]]);
      await store.outbox.complete([a.id]);
      expect(await store.outbox.dead(10)).toEqual([{ id: b.id, key: 'b', kind: 'link', campaignId: 'c1', lastError: '403 not allowed', attempts: 1 }]);
      expect(await store.outbox.dead(10, 'other')).toEqual([]);
      // A dead row is never claimed again, until an operator revives it.
      expect(await store.outbox.claim(10, 'w1', at(60))).toEqual([]);
      expect(await store.outbox.revive([b.id], at(60))).toBe(1);
      expect((await store.outbox.claim(10, 'w1', at(60))).map((i) => [i.key, i.attempts])).toEqual([['b', 1]]);
      await expect((async () => await store.outbox.fail(a.id, 'x', 'whenever'))()).rejects.toThrow(/retryAt must be an ISO date-time/);
    });

    it('tells when a pending row runs next and since when it is held, a stale claim as not held', async () => {
      await store.outbox.enqueue({ key: 'setup', kind: 'campaign', campaignId: 'c1', payload: null, runAt: at(2) });
      expect(await store.outbox.pendingTime('setup')).toEqual({ runAt: at(2) });
      expect(await store.outbox.pendingTime('unknown')).toBeUndefined();
      clock.advance(2 * MIN);
      const [setup] = await store.outbox.claim(1, 'w1', at(2));
      clock.advance(MIN);
      expect(await store.outbox.pendingTime('setup')).toEqual({ runAt: at(2), claimedAt: at(2) });
      clock.advance(5 * MIN);
      expect(await store.outbox.pendingTime('setup')).toEqual({ runAt: at(2) });
      await store.outbox.complete([setup.id]);
      expect(await store.outbox.pendingTime('setup')).toBeUndefined();
    });

    it("makes due at once only a campaign's rows of the given kinds put off unattempted", async () => {
      const put = async (key: string, kind: string, campaignId: string, runAt: string) =>
        await store.outbox.enqueue({ key, kind, campaignId, payload: null, runAt });
      await put('waited', 'sent', 'c1', at(0));
      await put('failed', 'sent', 'c1', at(0));
      await put('held', 'open', 'c1', at(0));
      await put('score', 'score', 'c1', at(30));
      await put('other', 'sent', 'c2', at(0));
      await put('due', 'sent', 'c1', at(0));
      await put('revived', 'sent', 'c1', at(0));
      const claimed = await store.outbox.claim(10, 'w1', at(0));
      const id = (key: string) => claimed.find((c) => c.key === key)!.id;
      await store.outbox.defer([id('waited'), id('other')], at(20));
      await store.outbox.fail(id('failed'), '503', at(20));
      await store.outbox.defer([id('due')], at(1));
      // Dead, revived by an operator (its error kept), then claimed and put off again: as unattempted as 'waited'.
      await store.outbox.fail(id('revived'), '404 gone', null);
      await store.outbox.revive([id('revived')], at(0));
      await store.outbox.claim(10, 'w1', at(0));
      await store.outbox.defer([id('revived')], at(20));
      // 'held' stays claimed by w1.
      expect(await store.outbox.hasten('c1', ['sent', 'open'], at(1))).toBe(2);
      expect((await store.outbox.claim(10, 'w2', at(1))).map((c) => c.key).sort()).toEqual(['due', 'revived', 'waited']);
      await expect((async () => await store.outbox.hasten('c1', ['sent'], 'soon'))()).rejects.toThrow(/now must be an ISO date-time/);
    });

    it('reports pending, done, dead and the oldest pending time, per campaign or overall', async () => {
      await store.outbox.enqueue({ key: 'c1-a', kind: 'k', campaignId: 'c1', payload: null });
      clock.advance(MIN);
      await store.outbox.enqueue({ key: 'c1-b', kind: 'k', campaignId: 'c1', payload: null });
      await store.outbox.enqueue({ key: 'c2-a', kind: 'k', campaignId: 'c2', payload: null });
      await store.outbox.enqueue({ key: 'none', kind: 'k', payload: null });
      const items = await store.outbox.claim(10, 'w', at(1));
      const id = (key: string) => items.find((i) => i.key === key)!.id;
      await store.outbox.complete([id('c1-a')]);
      await store.outbox.fail(id('c2-a'), 'bad', null);
      await store.outbox.fail(id('c1-b'), 'slow', at(9));
      expect(await store.outbox.stats('c1')).toEqual({ pending: 1, done: 1, dead: 0, oldestPendingAt: at(1) });
      expect(await store.outbox.stats('c2')).toEqual({ pending: 0, done: 0, dead: 1 });
      expect(await store.outbox.stats()).toEqual({ pending: 2, done: 1, dead: 1, oldestPendingAt: at(1) });
    });
  });

  describe('store.transaction', () => {
    it('commits a fact and its outbox row together, or neither', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.suppressions.add('x@example.test', 'x@example.test', 'unsubscribe');
          await tx.outbox.enqueue({ key: 'optout:x', kind: 'opt_out', payload: { key: 'x@example.test' } });
          throw new Error('crash before commit');
        }),
      ).rejects.toThrow('crash before commit');
      expect(await store.suppressions.get('x@example.test')).toBeUndefined();
      expect((await store.outbox.stats()).pending).toBe(0);

      const result = await store.transaction(async (tx) => {
        await tx.suppressions.add('x@example.test', 'x@example.test', 'unsubscribe');
        return await tx.outbox.enqueue({ key: 'optout:x', kind: 'opt_out', payload: {} });
      });
      expect(result).toBe(true);
      expect((await store.suppressions.get('x@example.test'))?.reason).toBe('unsubscribe');
      expect((await store.outbox.stats()).pending).toBe(1);
    });

    it('nests as savepoints: an inner failure rolls back only the inner part', async () => {
      await store.transaction(async (tx) => {
        await tx.suppressions.add('outer@example.test', 'o', 'manual');
        await expect(
          tx.transaction(async (inner) => {
            await inner.suppressions.add('inner@example.test', 'i', 'manual');
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
      });
      expect(await store.suppressions.filterSuppressed(['outer@example.test', 'inner@example.test'])).toEqual(new Set(['outer@example.test']));
    });

    it('rolls back an asynchronous function that throws after its writes', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.suppressions.add('a@t', 'a', 'manual');
          await new Promise((r) => setTimeout(r, 5));
          await tx.outbox.enqueue({ key: 'k', kind: 'k', payload: {} });
          throw new Error('after the writes');
        }),
      ).rejects.toThrow('after the writes');
      expect(await store.suppressions.get('a@t')).toBeUndefined();
      expect((await store.outbox.stats()).pending).toBe(0);
    });

    it('keeps a write made outside an open transaction apart from it: the rollback does not take it along', async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const tx = store.transaction(async (t) => {
        await t.suppressions.add('inside@t', 'i', 'manual');
        await held;
        throw new Error('rolled back');
      });
      await new Promise((r) => setTimeout(r, 5));
      const outside = Promise.resolve(store.suppressions.add('outside@t', 'o', 'manual'));
      release();
      await expect(tx).rejects.toThrow('rolled back');
      expect(await outside).toBe(true);
      expect(await store.suppressions.filterSuppressed(['inside@t', 'outside@t'])).toEqual(new Set(['outside@t']));
    });
  });
});
