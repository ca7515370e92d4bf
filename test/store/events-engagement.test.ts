import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreInputError, type Store } from '../../service/src/store/db.js';
import { memoryStore, newCampaign, targets } from './helpers.js';

let store: Store;
let rowId: number;
beforeEach(() => {
  store = memoryStore();
  store.campaigns.create(newCampaign(), 'c');
  store.recipients.insertMany('c', targets(1));
  rowId = store.recipients.list('c', { limit: 1, offset: 0 })[0].rowId;
});
afterEach(() => store.close());

describe('events', () => {
  it('stores raw events with their data and prunes the old ones', () => {
    const a = store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:00Z', data: { ip: '192.0.2.0/24', class: 'human' } });
    const b = store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'click', at: '2026-02-01T00:00:00Z' });
    expect(b).toBeGreaterThan(a);
    expect(store.events.list('c', { limit: 10 })).toEqual([
      { id: a, recipientRowId: rowId, campaignId: 'c', type: 'open', at: '2026-01-01T00:00:00.000Z', data: { ip: '192.0.2.0/24', class: 'human' } },
      { id: b, recipientRowId: rowId, campaignId: 'c', type: 'click', at: '2026-02-01T00:00:00.000Z' },
    ]);
    expect(store.events.list('c', { type: 'click', limit: 10 }).map((e) => e.id)).toEqual([b]);
    expect(store.events.list('c', { limit: 10, afterId: a }).map((e) => e.id)).toEqual([b]);
    expect(store.events.pruneOlderThan('2026-01-15T00:00:00Z')).toBe(1);
    expect(store.events.list('c', { limit: 10 }).map((e) => e.id)).toEqual([b]);
    expect(() => store.events.add({ recipientRowId: rowId, campaignId: 'c', type: 'open', at: 'later' })).toThrow(StoreInputError);
  });
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
      { kind: 'open', humanHits: 2, machineHits: 1, firstHumanAt: '2026-03-01T10:00:00.000Z', lastHumanAt: '2026-03-01T11:00:00.000Z', lastMachineAt: '2026-03-01T09:00:01.000Z' },
      { kind: 'click', linkIndex: 0, humanHits: 0, machineHits: 1, firstHumanAt: undefined, lastHumanAt: undefined, lastMachineAt: '2026-03-01T10:31:00.000Z' },
      { kind: 'click', linkIndex: 1, humanHits: 1, machineHits: 0, firstHumanAt: '2026-03-01T10:30:00.000Z', lastHumanAt: '2026-03-01T10:30:00.000Z', lastMachineAt: undefined },
    ]);
    expect(() => rec(true, '2026-03-01T10:30:00Z', 'click')).toThrow(/link index/);
    expect(() => store.engagement.record({ recipientRowId: 424242, campaignId: 'c', kind: 'open', at: '2026-03-01T10:00:00Z', human: true }))
      .toThrow(StoreInputError);
  });

  it('counts soft bounces per address across campaigns', () => {
    expect(store.engagement.softBounces('a@example.test')).toBe(0);
    expect(store.engagement.countSoftBounce('a@example.test', '2026-03-01T10:00:00Z')).toBe(1);
    expect(store.engagement.countSoftBounce('a@example.test', '2026-03-02T10:00:00Z')).toBe(2);
    expect(store.engagement.softBounces('a@example.test')).toBe(2);
  });
});
