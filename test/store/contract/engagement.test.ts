// Per-recipient counters and facts, the campaign summary and the hourly timeline.
import { afterEach, describe, expect, it } from 'vitest';
import { type Store, StoreInputError } from '../../../service/src/ports/index.js';
import { type Seeded, seededStore } from '../../engagement/helpers.js';
import { adapters, oneRecipient, storePerTest } from './adapters.js';

describe.each(adapters)('engagement port ($name)', ({ open }) => {
  let store: Store;
  let rowId: number;
  storePerTest(open, (s) => ([store, rowId] = [s, oneRecipient(s)]), { realTime: true });
  let s: Seeded;
  afterEach(() => {
    s?.store.close();
    s = undefined as unknown as Seeded;
  });

  describe('engagement counters', () => {
    it('counts human and machine hits apart and tells the first human hit', () => {
      const rec = (human: boolean, at: string, kind: 'open' | 'click' = 'open', linkIndex?: number) =>
        store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind, linkIndex, at, human });
      expect(rec(false, '2026-03-01T09:00:01Z')).toEqual({ firstHuman: false, humanHits: 0, hits: 1 });
      expect(rec(true, '2026-03-01T10:00:00Z')).toEqual({ firstHuman: true, humanHits: 1, hits: 2 });
      expect(rec(true, '2026-03-01T11:00:00Z')).toEqual({ firstHuman: false, humanHits: 2, hits: 3 });
      expect(rec(true, '2026-03-01T10:30:00Z', 'click', 1)).toEqual({ firstHuman: true, humanHits: 1, hits: 1 });
      expect(rec(false, '2026-03-01T10:31:00Z', 'click', 0)).toEqual({ firstHuman: false, humanHits: 0, hits: 1 });
      expect(store.engagement.forRecipient(rowId)).toEqual([
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
      expect(() => rec(true, '2026-03-01T10:30:00Z', 'click')).toThrow(/link index/);
      expect(() => store.engagement.record({ recipientRowId: 424242, campaignId: 'c', kind: 'open', at: '2026-03-01T10:00:00Z', human: true })).toThrow(
        StoreInputError,
      );
    });

    it('counts soft bounces per address across campaigns', () => {
      expect(store.engagement.softBounces('a@example.test')).toBe(0);
      expect(store.engagement.countSoftBounce('a@example.test', '2026-03-01T10:00:00Z')).toBe(1);
      expect(store.engagement.countSoftBounce('a@example.test', '2026-03-02T10:00:00Z')).toBe(2);
      expect(store.engagement.softBounces('a@example.test')).toBe(2);
    });
  });

  describe('engagement facts', () => {
    it('keeps one fact per recipient and kind, and counts them per campaign', () => {
      s = seededStore({ open, n: 3 });
      const [a, b] = s.rows;
      const add = (rowId: number, fact: 'hard_bounce' | 'opt_out' | 'complaint') =>
        s.store.engagement.addFact({ recipientRowId: rowId, campaignId: s.campaignId, fact, at: '2026-11-26T10:00:00Z', detail: 'x' });
      expect(add(a.rowId, 'hard_bounce')).toBe(true);
      expect(add(a.rowId, 'hard_bounce')).toBe(false);
      expect(add(a.rowId, 'opt_out')).toBe(true);
      expect(add(b.rowId, 'opt_out')).toBe(true);
      expect(add(b.rowId, 'complaint')).toBe(true);
      expect(s.store.engagement.summary(s.campaignId).facts).toEqual({ hard_bounce: 1, soft_bounce: 0, block: 0, complaint: 1, opt_out: 2 });
      expect(s.store.engagement.summary('other').facts.opt_out).toBe(0);
      expect(() =>
        s.store.engagement.addFact({ recipientRowId: a.rowId, campaignId: s.campaignId, fact: 'nope' as 'opt_out', at: '2026-11-26T10:00:00Z' }),
      ).toThrow(StoreInputError);
      expect(() => s.store.engagement.addFact({ recipientRowId: 999_999, campaignId: s.campaignId, fact: 'opt_out', at: '2026-11-26T10:00:00Z' })).toThrow(
        StoreInputError,
      );
    });

    it('summarises people and machine hits apart, per link', () => {
      s = seededStore({ open, n: 3 });
      const [a, b, c] = s.rows;
      const rec = (rowId: number, kind: 'open' | 'click', human: boolean, linkIndex?: number) =>
        s.store.engagement.record({ recipientRowId: rowId, campaignId: s.campaignId, kind, linkIndex, at: '2026-11-26T10:00:00Z', human });
      rec(a.rowId, 'open', true);
      rec(a.rowId, 'open', true);
      rec(a.rowId, 'open', false);
      rec(b.rowId, 'open', false);
      rec(a.rowId, 'click', true, 0);
      rec(a.rowId, 'click', true, 1);
      rec(b.rowId, 'click', false, 0);
      rec(c.rowId, 'click', true, 0);
      const sum = s.store.engagement.summary(s.campaignId);
      expect(sum.opens).toEqual({ people: 1, machineOnly: 1, humanHits: 2, machineHits: 2 });
      expect(sum.clicks).toEqual({ people: 2, machineOnly: 1, humanHits: 3, machineHits: 1 });
      expect(sum.links).toEqual([
        { linkIndex: 0, people: 2, humanHits: 2, machineHits: 1 },
        { linkIndex: 1, people: 1, humanHits: 1, machineHits: 0 },
      ]);
      expect(s.store.engagement.summary('none')).toEqual({
        opens: { people: 0, machineOnly: 0, humanHits: 0, machineHits: 0 },
        clicks: { people: 0, machineOnly: 0, humanHits: 0, machineHits: 0 },
        links: [],
        facts: { hard_bounce: 0, soft_bounce: 0, block: 0, complaint: 0, opt_out: 0 },
      });
    });

    it('counts raw events per hour with machine hits apart', () => {
      s = seededStore({ open, n: 1 });
      const row = s.rows[0].rowId;
      const add = (type: string, at: string, data?: Record<string, unknown>) =>
        s.store.events.add({ recipientRowId: row, campaignId: s.campaignId, type, at, data });
      add('open', '2026-11-26T09:10:00Z', { machine: true });
      add('open', '2026-11-26T09:20:00Z', { machine: false });
      add('open', '2026-11-26T09:50:00Z', { machine: false });
      add('click', '2026-11-26T10:05:00Z', { machine: false });
      add('optout', '2026-11-26T10:06:00Z');
      expect(s.store.events.countByHour(s.campaignId)).toEqual([
        { hour: '2026-11-26T09', type: 'open', machine: false, count: 2 },
        { hour: '2026-11-26T09', type: 'open', machine: true, count: 1 },
        { hour: '2026-11-26T10', type: 'click', machine: false, count: 1 },
        { hour: '2026-11-26T10', type: 'optout', machine: false, count: 1 },
      ]);
    });
  });
});
