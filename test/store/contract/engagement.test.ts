// Per-recipient counters and facts, the campaign summary and the hourly timeline.
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters, oneRecipient } from './adapters.js';

describeOnAdapters('engagement port', { realTime: true }, ({ store, seeded }) => {
  let rowId: number;
  beforeEach(async () => (rowId = await oneRecipient(store)));

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

    it('records a batch with its effects at once: events while a counter holds at most the cap, outbox items of first human hits', async () => {
      await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind: 'open', at: '2026-03-01T09:00:00Z', human: false });
      const item = (human: boolean, minute: number, kind: 'open' | 'click' = 'open', linkIndex?: number) => {
        const at = `2026-03-01T09:${String(minute).padStart(2, '0')}:00.000Z`;
        return {
          hit: { recipientRowId: rowId, campaignId: 'c', kind, linkIndex, at, human },
          event: { recipientRowId: rowId, campaignId: 'c', type: kind, at, data: { minute } },
          firstHumanItem: { key: `${kind}:${rowId}:${linkIndex ?? ''}`, kind, campaignId: 'c', payload: { minute } },
        };
      };
      // The open counter holds 1 hit: with a cap of 3, the batch's 2nd and 3rd opens keep their events, the 4th does not.
      const counts = await store.engagement.recordWithEffects([item(false, 1), item(true, 2), item(true, 3), item(true, 4, 'click', 2), item(false, 5)], 3);
      expect(counts).toEqual([
        { firstHuman: false, humanHits: 0, hits: 2 },
        { firstHuman: true, humanHits: 1, hits: 3 },
        { firstHuman: false, humanHits: 2, hits: 4 },
        { firstHuman: true, humanHits: 1, hits: 1 },
        { firstHuman: false, humanHits: 2, hits: 5 },
      ]);
      const events = await store.events.list('c', { limit: 100 });
      expect(events.map((e) => [e.type, e.data?.minute])).toEqual([
        ['open', 1],
        ['open', 2],
        ['click', 4],
      ]);
      const claimed = await store.outbox.claim(10, 'w', '2099-01-01T00:00:00Z');
      expect(claimed.map((c) => [c.key, (c.payload as { minute: number }).minute])).toEqual([
        [`open:${rowId}:`, 2],
        [`click:${rowId}:2`, 4],
      ]);
      // A first human hit whose item already exists leaves the outbox as it was; an empty batch does nothing.
      await store.engagement.recordWithEffects(
        [item(true, 6, 'click', 3)].map((i) => ({ ...i, firstHumanItem: { ...i.firstHumanItem, key: `click:${rowId}:2` } })),
        3,
      );
      expect((await store.outbox.stats('c')).pending).toBe(2);
      expect(await store.engagement.recordWithEffects([], 3)).toEqual([]);
      // One bad hit refuses the whole batch: no counter, event or item of it is left.
      const before = await store.engagement.forRecipient(rowId);
      await expect((async () => await store.engagement.recordWithEffects([item(true, 7, 'click', 5), item(true, 8, 'click')], 50))()).rejects.toThrow(
        StoreInputError,
      );
      expect(await store.engagement.forRecipient(rowId)).toEqual(before);
      expect(await store.events.list('c', { limit: 100 })).toHaveLength(4);
    });

    it('keeps events and items as given: no data, a null payload, another type, text that needs escaping', async () => {
      const at = '2026-03-01T09:00:00.000Z';
      const odd = `"quoted" \\ back\\slash, {braces}, comma, ünïcödé 🦆, new\nline`;
      await store.engagement.recordWithEffects(
        [
          {
            hit: { recipientRowId: rowId, campaignId: 'c', kind: 'open', at, human: true },
            event: { recipientRowId: rowId, campaignId: 'c', type: 'open', at },
            firstHumanItem: { key: `open:${rowId}:${odd}`, kind: 'open', campaignId: 'c', payload: null },
          },
          {
            hit: { recipientRowId: rowId, campaignId: 'c', kind: 'click', linkIndex: 1, at, human: true },
            event: { recipientRowId: rowId, campaignId: 'c', type: 'click', at, data: { ua: odd } },
          },
          {
            hit: { recipientRowId: rowId, campaignId: 'c', kind: 'click', linkIndex: 1, at, human: false },
            event: { recipientRowId: rowId, campaignId: 'c', type: 'bounce', at: '2026-03-01T09:00:01.000Z' },
          },
        ],
        50,
      );
      const events = await store.events.list('c', { limit: 10 });
      expect(events.map((e) => [e.type, e.at, e.data])).toEqual([
        ['open', at, undefined],
        ['click', at, { ua: odd }],
        ['bounce', '2026-03-01T09:00:01.000Z', undefined],
      ]);
      const [item] = await store.outbox.claim(10, 'w', '2099-01-01T00:00:00Z');
      expect([item.key, item.payload]).toEqual([`open:${rowId}:${odd}`, null]);
    });

    it('takes each spooled hit key once, however often it is offered', async () => {
      expect(await store.engagement.takeSpooled(['a.0', 'a.1', 'a.1'], '2026-03-01T09:00:00Z')).toEqual(['a.0', 'a.1']);
      expect(await store.engagement.takeSpooled(['a.1', 'a.2', 'a.0'], '2026-03-01T09:00:01Z')).toEqual(['a.2']);
      expect(await store.engagement.takeSpooled([], '2026-03-01T09:00:02Z')).toEqual([]);
      // Taken in a transaction that rolls back: not taken.
      await expect(
        store.transaction(async (tx) => {
          expect(await tx.engagement.takeSpooled(['b.0'], '2026-03-01T09:00:03Z')).toEqual(['b.0']);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await store.engagement.takeSpooled(['b.0'], '2026-03-01T09:00:04Z')).toEqual(['b.0']);
    });

    it("takes a batch's commit key with the batch, all or nothing, and fails a batch whose key is taken", async () => {
      const hit = { recipientRowId: rowId, campaignId: 'c', kind: 'open' as const, at: '2026-03-01T09:00:00.000Z', human: true };
      const item = { hit, event: { recipientRowId: rowId, campaignId: 'c', type: 'open', at: hit.at, data: {} } };
      await store.engagement.recordWithEffects([item], 50, { commitKey: 'commit:one' });
      // A batch that fails takes no key (a bad outbox item's key fails the whole batch).
      await expect(
        (async () => {
          const click = { ...hit, kind: 'click' as const, linkIndex: 9 }; // its first human hit: its item is enqueued
          const bad = { hit: click, event: { ...item.event, type: 'click' }, firstHumanItem: { key: '', kind: 'click', campaignId: 'c', payload: {} } };
          await store.engagement.recordWithEffects([bad], 50, { commitKey: 'commit:two' });
        })(),
      ).rejects.toThrow();
      // The spool's replay takes keys as the writes do: the first committed (its hits are in), the second did not.
      expect(await store.engagement.takenSpooled(['commit:one', 'commit:two', 'commit:one'])).toEqual(['commit:one', 'commit:one']);
      expect(await store.engagement.takeSpooled(['commit:one', 'commit:two'], '2026-03-01T09:01:00Z')).toEqual(['commit:two']);
      expect(await store.engagement.takenSpooled([])).toEqual([]);
      // A late copy of a write the replay recorded (its key taken there first) fails whole: nothing counted twice.
      await expect((async () => await store.engagement.recordWithEffects([item], 50, { commitKey: 'commit:two' }))()).rejects.toThrow();
      expect((await store.engagement.forRecipient(rowId)).find((c) => c.kind === 'open')?.humanHits).toBe(1);
    });

    it('forgets the spooled hit keys taken before a time, and only those', async () => {
      await store.engagement.takeSpooled(['a.0', 'a.1'], '2026-01-01T09:00:00Z');
      await store.engagement.takeSpooled(['b.0'], '2026-03-01T09:00:00Z');
      expect(await store.engagement.pruneSpooled('2026-03-01T09:00:00Z')).toBe(2);
      expect(await store.engagement.pruneSpooled('2026-03-01T09:00:00Z')).toBe(0);
      // A pruned key is free again (why a spool never replays a hit past the age its key is kept), a kept one is not.
      expect(await store.engagement.takeSpooled(['a.0', 'b.0'], '2026-03-02T09:00:00Z')).toEqual(['a.0']);
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
      const s = await seeded({ n: 3 });
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

    it("lists the addresses with block facts since a time on the identity's campaigns, newest first, at most as many as asked", async () => {
      const s = await seeded({ n: 3 });
      const [a, b, c] = s.rows;
      const block = async (rowId: number, at: string) =>
        await s.store.engagement.addFact({ recipientRowId: rowId, campaignId: s.campaignId, fact: 'block', at, detail: '5.7.26' });
      await block(a.rowId, '2026-11-26T09:00:00Z');
      await block(b.rowId, '2026-11-26T10:00:00Z');
      await block(c.rowId, '2026-11-26T11:00:00Z');
      await s.store.engagement.addFact({ recipientRowId: a.rowId, campaignId: s.campaignId, fact: 'hard_bounce', at: '2026-11-26T12:00:00Z' });
      // The seeded campaign names no identity: it sends as the default one. Its rows have no stored provider.
      const q = { since: '2026-11-26T10:00:00Z', identityId: 'default-id', isDefault: true, provider: 'google', limit: 10 };
      const since = await s.store.engagement.blockReports(q);
      expect(since).toEqual([
        { addressKey: 'person2@example.com', email: 'Person2@Example.com' },
        { addressKey: 'person1@example.com', email: 'Person1@Example.com' },
      ]);
      expect(await s.store.engagement.blockReports({ ...q, since: '2026-11-26T00:00:00Z', limit: 1 })).toEqual([since[0]]);
      expect(await s.store.engagement.blockReports({ ...q, since: '2026-11-26T11:00:01Z' })).toEqual([]);
      // Another identity's campaigns are not this one's.
      expect(await s.store.engagement.blockReports({ ...q, isDefault: false })).toEqual([]);
    });

    it('summarises people and machine hits apart, per link', async () => {
      const s = await seeded({ n: 3 });
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
      const s = await seeded({ n: 1 });
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
