// Per-recipient counters and facts, the campaign summary and the hourly timeline.
import { afterEach, describe, expect, it } from 'vitest';
import { type Store, StoreInputError } from '../../../service/src/ports/index.js';
import { type Seeded, seededStore } from '../../engagement/helpers.js';
import { oneRecipient, storePerTest, withPostgres } from './adapters.js';

describe.each(withPostgres)('engagement port ($name)', ({ open }) => {
  let store: Store;
  let rowId: number;
  storePerTest(open, async (s) => ([store, rowId] = [s, await oneRecipient(s)]), { realTime: true });
  let s: Seeded;
  afterEach(() => {
    s?.store.close();
    s = undefined as unknown as Seeded;
  });

  describe('engagement counters', () => {
    it('records a batch of hits as if one after the other: a counter hit twice in the batch, and one with earlier hits', async () => {
      await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind: 'open', at: '2026-03-01T09:00:00Z', human: false });
      const hit = (kind: 'open' | 'click', human: boolean, at: string, linkIndex?: number) => ({
        recipientRowId: rowId,
        campaignId: 'c',
        kind,
        linkIndex,
        at,
        human,
      });
      expect(
        await store.engagement.recordMany([
          hit('open', false, '2026-03-01T09:01:00Z'),
          hit('click', true, '2026-03-01T09:02:00Z', 1),
          hit('open', true, '2026-03-01T09:03:00Z'),
          hit('open', true, '2026-03-01T09:04:00Z'),
          hit('click', false, '2026-03-01T09:05:00Z', 1),
          hit('click', false, '2026-03-01T09:06:00Z', 0),
        ]),
      ).toEqual([
        { firstHuman: false, humanHits: 0, hits: 2 },
        { firstHuman: true, humanHits: 1, hits: 1 },
        { firstHuman: true, humanHits: 1, hits: 3 },
        { firstHuman: false, humanHits: 2, hits: 4 },
        { firstHuman: false, humanHits: 1, hits: 2 },
        { firstHuman: false, humanHits: 0, hits: 1 },
      ]);
      const counters = [
        {
          kind: 'open',
          humanHits: 2,
          machineHits: 2,
          firstHumanAt: '2026-03-01T09:03:00.000Z',
          lastHumanAt: '2026-03-01T09:04:00.000Z',
          lastMachineAt: '2026-03-01T09:01:00.000Z',
        },
        { kind: 'click', linkIndex: 0, humanHits: 0, machineHits: 1, lastMachineAt: '2026-03-01T09:06:00.000Z' },
        {
          kind: 'click',
          linkIndex: 1,
          humanHits: 1,
          machineHits: 1,
          firstHumanAt: '2026-03-01T09:02:00.000Z',
          lastHumanAt: '2026-03-01T09:02:00.000Z',
          lastMachineAt: '2026-03-01T09:05:00.000Z',
        },
      ];
      expect(await store.engagement.forRecipient(rowId)).toEqual(counters);
      expect(await store.engagement.recordMany([])).toEqual([]);
      // One bad hit refuses the whole batch.
      await expect(
        (async () => await store.engagement.recordMany([hit('open', true, '2026-03-01T10:00:00Z'), hit('click', true, '2026-03-01T10:00:00Z')]))(),
      ).rejects.toThrow(StoreInputError);
      expect(await store.engagement.forRecipient(rowId)).toEqual(counters);
    });

    it('counts human and machine hits apart and tells the first human hit', async () => {
      const rec = async (human: boolean, at: string, kind: 'open' | 'click' = 'open', linkIndex?: number) =>
        await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind, linkIndex, at, human });
      expect(await rec(false, '2026-03-01T09:00:01Z')).toEqual({ firstHuman: false, humanHits: 0, hits: 1 });
      expect(await rec(true, '2026-03-01T10:00:00Z')).toEqual({ firstHuman: true, humanHits: 1, hits: 2 });
      expect(await rec(true, '2026-03-01T11:00:00Z')).toEqual({ firstHuman: false, humanHits: 2, hits: 3 });
      expect(await rec(true, '2026-03-01T10:30:00Z', 'click', 1)).toEqual({ firstHuman: true, humanHits: 1, hits: 1 });
      expect(await rec(false, '2026-03-01T10:31:00Z', 'click', 0)).toEqual({ firstHuman: false, humanHits: 0, hits: 1 });
      expect(await store.engagement.forRecipient(rowId)).toEqual([
        {
          kind: 'open',
          humanHits: 2,
          machineHits: 1,
          firstHumanAt: '2026-03-01T10:00:00.000Z',
          lastHumanAt: '2026-03-01T11:00:00.000Z',
          lastMachineAt: '2026-03-01T09:00:01.000Z',
        },
        {
          kind: 'click',
          linkIndex: 0,
          humanHits: 0,
          machineHits: 1,
          firstHumanAt: undefined,
          lastHumanAt: undefined,
          lastMachineAt: '2026-03-01T10:31:00.000Z',
        },
        {
          kind: 'click',
          linkIndex: 1,
          humanHits: 1,
          machineHits: 0,
          firstHumanAt: '2026-03-01T10:30:00.000Z',
          lastHumanAt: '2026-03-01T10:30:00.000Z',
          lastMachineAt: undefined,
        },
      ]);
      await expect((async () => await rec(true, '2026-03-01T10:30:00Z', 'click'))()).rejects.toThrow(/link index/);
      await expect(
        (async () => await store.engagement.record({ recipientRowId: 424242, campaignId: 'c', kind: 'open', at: '2026-03-01T10:00:00Z', human: true }))(),
      ).rejects.toThrow(StoreInputError);
    });

    it('counts soft bounces per address across campaigns', async () => {
      expect(await store.engagement.softBounces('a@example.test')).toBe(0);
      expect(await store.engagement.countSoftBounce('a@example.test', '2026-03-01T10:00:00Z')).toBe(1);
      expect(await store.engagement.countSoftBounce('a@example.test', '2026-03-02T10:00:00Z')).toBe(2);
      expect(await store.engagement.softBounces('a@example.test')).toBe(2);
    });
  });

  describe('engagement facts', () => {
    it('keeps one fact per recipient and kind, and counts them per campaign', async () => {
      s = await seededStore({ open, n: 3 });
      const [a, b] = s.rows;
      const add = async (rowId: number, fact: 'hard_bounce' | 'opt_out' | 'complaint') =>
        await s.store.engagement.addFact({ recipientRowId: rowId, campaignId: s.campaignId, fact, at: '2026-11-26T10:00:00Z', detail: 'x' });
      expect(await add(a.rowId, 'hard_bounce')).toBe(true);
      expect(await add(a.rowId, 'hard_bounce')).toBe(false);
      expect(await add(a.rowId, 'opt_out')).toBe(true);
      expect(await add(b.rowId, 'opt_out')).toBe(true);
      expect(await add(b.rowId, 'complaint')).toBe(true);
      expect((await s.store.engagement.summary(s.campaignId)).facts).toEqual({ hard_bounce: 1, soft_bounce: 0, block: 0, complaint: 1, opt_out: 2 });
      expect((await s.store.engagement.summary('other')).facts.opt_out).toBe(0);
      await expect(
        (async () =>
          await s.store.engagement.addFact({ recipientRowId: a.rowId, campaignId: s.campaignId, fact: 'nope' as 'opt_out', at: '2026-11-26T10:00:00Z' }))(),
      ).rejects.toThrow(StoreInputError);
      await expect(
        (async () => await s.store.engagement.addFact({ recipientRowId: 999_999, campaignId: s.campaignId, fact: 'opt_out', at: '2026-11-26T10:00:00Z' }))(),
      ).rejects.toThrow(StoreInputError);
    });

    it('summarises people and machine hits apart, per link', async () => {
      s = await seededStore({ open, n: 3 });
      const [a, b, c] = s.rows;
      const rec = async (rowId: number, kind: 'open' | 'click', human: boolean, linkIndex?: number) =>
        await s.store.engagement.record({ recipientRowId: rowId, campaignId: s.campaignId, kind, linkIndex, at: '2026-11-26T10:00:00Z', human });
      await rec(a.rowId, 'open', true);
      await rec(a.rowId, 'open', true);
      await rec(a.rowId, 'open', false);
      await rec(b.rowId, 'open', false);
      await rec(a.rowId, 'click', true, 0);
      await rec(a.rowId, 'click', true, 1);
      await rec(b.rowId, 'click', false, 0);
      await rec(c.rowId, 'click', true, 0);
      const sum = await s.store.engagement.summary(s.campaignId);
      expect(sum.opens).toEqual({ people: 1, machineOnly: 1, humanHits: 2, machineHits: 2 });
      expect(sum.clicks).toEqual({ people: 2, machineOnly: 1, humanHits: 3, machineHits: 1 });
      expect(sum.links).toEqual([
        { linkIndex: 0, people: 2, humanHits: 2, machineHits: 1 },
        { linkIndex: 1, people: 1, humanHits: 1, machineHits: 0 },
      ]);
      expect(await s.store.engagement.summary('none')).toEqual({
        opens: { people: 0, machineOnly: 0, humanHits: 0, machineHits: 0 },
        clicks: { people: 0, machineOnly: 0, humanHits: 0, machineHits: 0 },
        links: [],
        facts: { hard_bounce: 0, soft_bounce: 0, block: 0, complaint: 0, opt_out: 0 },
      });
    });

    it('counts raw events per hour with machine hits apart', async () => {
      s = await seededStore({ open, n: 1 });
      const row = s.rows[0].rowId;
      const add = async (type: string, at: string, data?: Record<string, unknown>) =>
        await s.store.events.add({ recipientRowId: row, campaignId: s.campaignId, type, at, data });
      await add('open', '2026-11-26T09:10:00Z', { machine: true });
      await add('open', '2026-11-26T09:20:00Z', { machine: false });
      await add('open', '2026-11-26T09:50:00Z', { machine: false });
      await add('click', '2026-11-26T10:05:00Z', { machine: false });
      await add('optout', '2026-11-26T10:06:00Z');
      expect(await s.store.events.countByHour(s.campaignId)).toEqual([
        { hour: '2026-11-26T09', type: 'open', machine: false, count: 2 },
        { hour: '2026-11-26T09', type: 'open', machine: true, count: 1 },
        { hour: '2026-11-26T10', type: 'click', machine: false, count: 1 },
        { hour: '2026-11-26T10', type: 'optout', machine: false, count: 1 },
      ]);
    });
  });
});
