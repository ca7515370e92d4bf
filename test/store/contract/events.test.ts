import { beforeEach, describe, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters, oneRecipient } from './adapters.js';

describeOnAdapters('events port', { realTime: true }, ({ store }) => {
  let rowId: number;
  beforeEach(async () => (rowId = await oneRecipient(store)));

  describe('events', () => {
    it('stores a batch of events in order, with or without data', async () => {
      await store.events.addMany([
        { recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:00Z', data: { ua: 'Mozilla "quoted" ü', machine: false } },
        { recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:01Z' },
      ]);
      await store.events.addMany([]);
      const listed = await store.events.list('c', { limit: 10 });
      expect(listed.map(({ id: _, ...e }) => e)).toEqual([
        { recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:00.000Z', data: { ua: 'Mozilla "quoted" ü', machine: false } },
        { recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:01.000Z' },
      ]);
      expect(listed[1].id).toBeGreaterThan(listed[0].id);
    });

    it('stores data with a NUL character in it, without that character (PostgreSQL jsonb cannot hold one)', async () => {
      const id = await store.events.add({
        recipientRowId: rowId,
        campaignId: 'c',
        type: 'open',
        at: '2026-01-01T00:00:00Z',
        data: { ua: 'a\u0000b', n: ['\u0000'] },
      });
      expect((await store.events.list('c', { limit: 10 })).find((e) => e.id === id)?.data).toEqual({ ua: 'ab', n: [''] });
      // A backslash and "u0000" written out is text, kept as it is.
      const kept = await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:01Z', data: { ua: '\\u0000' } });
      expect((await store.events.list('c', { limit: 10 })).find((e) => e.id === kept)?.data).toEqual({ ua: '\\u0000' });
    });

    it('stores raw events with their data and prunes the old ones', async () => {
      const a = await store.events.add({
        recipientRowId: rowId,
        campaignId: 'c',
        type: 'open',
        at: '2026-01-01T00:00:00Z',
        data: { ip: '192.0.2.0/24', class: 'human' },
      });
      const b = await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'click', at: '2026-02-01T00:00:00Z' });
      expect(b).toBeGreaterThan(a);
      expect(await store.events.list('c', { limit: 10 })).toEqual([
        { id: a, recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:00.000Z', data: { ip: '192.0.2.0/24', class: 'human' } },
        { id: b, recipientRowId: rowId, campaignId: 'c', type: 'click', at: '2026-02-01T00:00:00.000Z' },
      ]);
      expect((await store.events.list('c', { type: 'click', limit: 10 })).map((e) => e.id)).toEqual([b]);
      expect((await store.events.list('c', { limit: 10, afterId: a })).map((e) => e.id)).toEqual([b]);
      expect(await store.events.pruneOlderThan('2026-01-15T00:00:00Z')).toBe(1);
      expect((await store.events.list('c', { limit: 10 })).map((e) => e.id)).toEqual([b]);
      await expect((async () => await store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: 'later' }))()).rejects.toThrow(
        StoreInputError,
      );
    });
  });
});
