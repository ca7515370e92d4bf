import { describe, expect, it } from 'vitest';
import type { Store } from '../../../service/src/ports/index.js';
import { adapters, type ManualClock, storePerTest } from './adapters.js';

const MIN = 60_000;

const at = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * MIN).toISOString();

describe.each(adapters)('outbox port ($name)', ({ open }) => {
  let store: Store;
  let clock: ManualClock;
  storePerTest(open, (s, c) => ([store, clock] = [s, c]), { start: '2026-03-01T08:00:00.000Z', outboxStaleMs: 5 * MIN });

  describe('outbox', () => {
    it('ignores a second enqueue with the same key, even after the first is done', () => {
      expect(store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 1 } })).toBe(true);
      expect(store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 999 } })).toBe(false);
      const [item] = store.outbox.claim(10, 'w1', at(0));
      expect(item).toEqual({ id: item.id, key: 'sent:c:r1', kind: 'targeted', campaignId: 'c', payload: { rowId: 1 }, attempts: 1 });
      store.outbox.complete([item.id]);
      expect(store.outbox.enqueue({ key: 'sent:c:r1', kind: 'targeted', payload: {} })).toBe(false);
      expect(store.outbox.stats()).toEqual({ pending: 0, done: 1, dead: 0 });
      expect(() => store.outbox.enqueue({ key: '', kind: 'x', payload: {} })).toThrow(/needs a key/);
    });

    it('claims only due, unlocked rows in order, up to the limit', () => {
      store.outbox.enqueue({ key: 'a', kind: 'k', payload: 1 });
      store.outbox.enqueue({ key: 'later', kind: 'k', payload: 2, runAt: at(3) });
      store.outbox.enqueue({ key: 'b', kind: 'k', payload: 3 });
      store.outbox.enqueue({ key: 'c', kind: 'k', payload: 4 });
      expect(store.outbox.claim(2, 'w1', at(0)).map((i) => i.key)).toEqual(['a', 'b']);
      // Locked by w1: another worker gets only what is left and due.
      expect(store.outbox.claim(10, 'w2', at(1)).map((i) => i.key)).toEqual(['c']);
      expect(store.outbox.claim(10, 'w2', at(2))).toEqual([]);
      expect(store.outbox.claim(10, 'w2', at(3)).map((i) => i.key)).toEqual(['later']);
    });

    it('lets a lock older than the stale limit be claimed again, counting the attempt', () => {
      store.outbox.enqueue({ key: 'a', kind: 'k', payload: null });
      expect(store.outbox.claim(1, 'w1', at(0))[0].attempts).toBe(1);
      expect(store.outbox.claim(1, 'w2', at(4))).toEqual([]);
      const again = store.outbox.claim(1, 'w2', at(6));
      expect(again.map((i) => [i.key, i.attempts])).toEqual([['a', 2]]);
    });

    it('sweeps stale locks back so they can be claimed', () => {
      store.outbox.enqueue({ key: 'a', kind: 'k', payload: null });
      store.outbox.enqueue({ key: 'b', kind: 'k', payload: null });
      store.outbox.claim(1, 'w1', at(0));
      store.outbox.claim(1, 'w1', at(3));
      expect(store.outbox.sweepStale(at(2))).toBe(1);
      expect(store.outbox.claim(10, 'w2', at(3)).map((i) => i.key)).toEqual(['a']);
    });

    it('retries a failure at its time and keeps a dead row with its error', () => {
      store.outbox.enqueue({ key: 'a', kind: 'open', campaignId: 'c1', payload: null });
      store.outbox.enqueue({ key: 'b', kind: 'link', campaignId: 'c1', payload: null });
      const [a, b] = store.outbox.claim(2, 'w1', at(0));
      store.outbox.fail(a.id, '503 maintenance', at(5));
      store.outbox.fail(b.id, '403 not allowed', null);
      expect(store.outbox.claim(10, 'w1', at(4))).toEqual([]);
      const retried = store.outbox.claim(10, 'w1', at(5));
      expect(retried.map((i) => [i.key, i.attempts])).toEqual([['a', 2]]);
      store.outbox.complete([a.id]);
      expect(store.outbox.dead(10)).toEqual([{ id: b.id, key: 'b', kind: 'link', campaignId: 'c1', lastError: '403 not allowed', attempts: 1 }]);
      expect(store.outbox.dead(10, 'other')).toEqual([]);
      // A dead row is never claimed again, until an operator revives it.
      expect(store.outbox.claim(10, 'w1', at(60))).toEqual([]);
      expect(store.outbox.revive([b.id], at(60))).toBe(1);
      expect(store.outbox.claim(10, 'w1', at(60)).map((i) => [i.key, i.attempts])).toEqual([['b', 1]]);
      expect(() => store.outbox.fail(a.id, 'x', 'whenever')).toThrow(/retryAt must be an ISO date-time/);
    });

    it('reports pending, done, dead and the oldest pending time, per campaign or overall', () => {
      store.outbox.enqueue({ key: 'c1-a', kind: 'k', campaignId: 'c1', payload: null });
      clock.advance(MIN);
      store.outbox.enqueue({ key: 'c1-b', kind: 'k', campaignId: 'c1', payload: null });
      store.outbox.enqueue({ key: 'c2-a', kind: 'k', campaignId: 'c2', payload: null });
      store.outbox.enqueue({ key: 'none', kind: 'k', payload: null });
      const items = store.outbox.claim(10, 'w', at(1));
      const id = (key: string) => items.find((i) => i.key === key)!.id;
      store.outbox.complete([id('c1-a')]);
      store.outbox.fail(id('c2-a'), 'bad', null);
      store.outbox.fail(id('c1-b'), 'slow', at(9));
      expect(store.outbox.stats('c1')).toEqual({ pending: 1, done: 1, dead: 0, oldestPendingAt: at(1) });
      expect(store.outbox.stats('c2')).toEqual({ pending: 0, done: 0, dead: 1 });
      expect(store.outbox.stats()).toEqual({ pending: 2, done: 1, dead: 1, oldestPendingAt: at(1) });
    });
  });

  describe('store.transaction', () => {
    it('commits a fact and its outbox row together, or neither', () => {
      expect(() =>
        store.transaction(() => {
          store.suppressions.add('x@example.test', 'x@example.test', 'unsubscribe');
          store.outbox.enqueue({ key: 'optout:x', kind: 'opt_out', payload: { key: 'x@example.test' } });
          throw new Error('crash before commit');
        }),
      ).toThrow('crash before commit');
      expect(store.suppressions.get('x@example.test')).toBeUndefined();
      expect(store.outbox.stats().pending).toBe(0);

      const result = store.transaction(() => {
        store.suppressions.add('x@example.test', 'x@example.test', 'unsubscribe');
        return store.outbox.enqueue({ key: 'optout:x', kind: 'opt_out', payload: {} });
      });
      expect(result).toBe(true);
      expect(store.suppressions.get('x@example.test')?.reason).toBe('unsubscribe');
      expect(store.outbox.stats().pending).toBe(1);
    });

    it('nests as savepoints: an inner failure rolls back only the inner part', () => {
      store.transaction(() => {
        store.suppressions.add('outer@example.test', 'o', 'manual');
        expect(() =>
          store.transaction(() => {
            store.suppressions.add('inner@example.test', 'i', 'manual');
            throw new Error('inner');
          }),
        ).toThrow('inner');
      });
      expect(store.suppressions.filterSuppressed(['outer@example.test', 'inner@example.test'])).toEqual(new Set(['outer@example.test']));
    });

    it('refuses an async function instead of committing half of it', () => {
      expect(() =>
        store.transaction((async () => {
          store.suppressions.add('a@t', 'a', 'manual');
        }) as unknown as () => void),
      ).toThrow(/cannot return a promise/);
      expect(store.suppressions.get('a@t')).toBeUndefined();
    });
  });
});
