import { describe, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('suppressions port', ({ store, clock }) => {
  describe('suppressions', () => {
    it('adds idempotently and keeps the first reason', async () => {
      expect(await store.suppressions.add('jo@example.test', 'Jo@Example.test', 'unsubscribe', 'one-click')).toBe(true);
      clock.advance(60_000);
      expect(await store.suppressions.add('jo@example.test', 'jo@example.test', 'complaint')).toBe(false);
      expect(await store.suppressions.get('jo@example.test')).toEqual({
        reason: 'unsubscribe',
        at: '2026-03-01T08:00:00.000Z',
        email: 'Jo@Example.test',
        source: 'one-click',
      });
      expect(await store.suppressions.get('other@example.test')).toBeUndefined();
    });

    it('checks a whole batch of keys in one call', async () => {
      for (let i = 0; i < 500; i += 7) await store.suppressions.add(`p${i}@example.test`, `p${i}@example.test`, 'hard_bounce');
      const keys = Array.from({ length: 500 }, (_, i) => `p${i}@example.test`);
      const hit = await store.suppressions.filterSuppressed(keys);
      expect(hit.size).toBe(72);
      expect(hit.has('p7@example.test')).toBe(true);
      expect(hit.has('p8@example.test')).toBe(false);
      expect(await store.suppressions.filterSuppressed([])).toEqual(new Set());
      // Keys with quotes and unicode pass through JSON safely.
      await store.suppressions.add(`o'brien"@bücher.test`, 'x', 'manual');
      expect(await store.suppressions.filterSuppressed([`o'brien"@bücher.test`])).toEqual(new Set([`o'brien"@bücher.test`]));
    });

    it('removes a suppression and rejects bad input', async () => {
      await store.suppressions.add('a@example.test', 'a@example.test', 'manual');
      expect(await store.suppressions.remove('a@example.test')).toBe(true);
      expect(await store.suppressions.remove('a@example.test')).toBe(false);
      await expect((async () => await store.suppressions.add('a@example.test', 'a', 'spam' as never))()).rejects.toThrow(/unknown suppression reason: spam/);
      await expect((async () => await store.suppressions.add('', 'a', 'manual'))()).rejects.toThrow(StoreInputError);
    });
  });
});
