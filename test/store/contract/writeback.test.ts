// What the write-back confirmed in Sugar, and `hits` kept equal to the local human counts (set, never added).
import { beforeEach, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters, oneRecipient } from './adapters.js';

describeOnAdapters('write-back log port', { realTime: true }, ({ store }) => {
  let rowId: number;
  beforeEach(async () => (rowId = await oneRecipient(store)));

  const viewed = () => ({ recipientRowId: rowId, activityType: 'viewed', linkIndex: -1 });
  const humanOpen = async () =>
    await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind: 'open', at: '2026-03-01T08:00:00.000Z', human: true });

  it('records confirmed rows once per row and counts them per activity', async () => {
    await store.writeback.recordWritten([
      { logId: 'log-t', campaignId: 'c', recipientRowId: rowId, activityType: 'targeted', targetId: 'c-0' },
      { logId: 'log-t', campaignId: 'c', recipientRowId: rowId, activityType: 'targeted', targetId: 'c-0' },
    ]);
    expect(await store.writeback.counts('c')).toEqual({ targeted: 1 });
    expect(await store.writeback.rows('c')).toEqual([{ logId: 'log-t', activityType: 'targeted', targetId: 'c-0' }]);
    expect(await store.writeback.counts('other')).toEqual({});
    await expect(
      (async () => await store.writeback.recordWritten([{ logId: '', campaignId: 'c', recipientRowId: rowId, activityType: 'x', targetId: 'y' }]))(),
    ).rejects.toThrow(StoreInputError);
  });

  it('marks a viewed row stale when the local count moved past what Sugar holds, until Sugar has the new count', async () => {
    await humanOpen();
    await store.writeback.recordWritten([{ logId: 'log-v', campaignId: 'c', recipientRowId: rowId, activityType: 'viewed', targetId: 'c-0', hits: 1 }]);
    expect(await store.writeback.staleHits(10)).toEqual([]);
    await humanOpen();
    await humanOpen();
    expect(await store.writeback.staleCount('c')).toBe(1);
    expect(await store.writeback.staleHits(10)).toEqual([
      { logId: 'log-v', campaignId: 'c', recipientRowId: rowId, activityType: 'viewed', linkIndex: -1, written: 1, current: 3 },
    ]);
    await store.writeback.hitsWritten(viewed(), 3);
    expect(await store.writeback.staleHits(10)).toEqual([]);
    expect(await store.writeback.staleCount('c')).toBe(0);
  });

  it('marks exactly the rows whose human count moved past what Sugar holds when one statement moves several counters', async () => {
    const hit = (kind: 'open' | 'click', human: boolean, linkIndex?: number) => ({
      recipientRowId: rowId,
      campaignId: 'c',
      kind,
      linkIndex,
      at: '2026-03-01T08:00:00.000Z',
      human,
    });
    await store.engagement.recordMany([hit('open', true), ...[1, 2, 3, 4].map((l) => hit('click', true, l))]);
    const written = (activityType: string, linkIndex: number, hits: number) => ({
      logId: `log-${activityType}-${linkIndex}`,
      campaignId: 'c',
      recipientRowId: rowId,
      activityType,
      targetId: 'c-0',
      linkIndex,
      hits,
    });
    // Links 1 and 2: Sugar holds more than here, given up on (only a human hit marks a row again, and not when the
    // count it reaches is what Sugar holds); the targeted row shares the open's key but has no hits.
    await store.writeback.recordWritten([written('viewed', -1, 1), written('link', 1, 2), written('link', 2, 2), written('link', 3, 1)]);
    for (const linkIndex of [1, 2]) await store.writeback.dropStale({ recipientRowId: rowId, activityType: 'link', linkIndex });
    await store.writeback.recordWritten([{ ...written('targeted', -1, 0), hits: undefined }]);
    expect(await store.writeback.staleCount('c')).toBe(0);
    // One batch (one statement on PostgreSQL): a human open, a machine click, human clicks on links 2, 3 (twice) and 4
    // (nothing written for it).
    await store.engagement.recordMany([
      hit('open', true),
      hit('click', false, 1),
      hit('click', true, 2),
      hit('click', true, 3),
      hit('click', true, 3),
      hit('click', true, 4),
    ]);
    const stale = (await store.writeback.staleHits(10)).sort((a, b) => a.logId.localeCompare(b.logId));
    expect(stale).toEqual([
      { logId: 'log-link-3', campaignId: 'c', recipientRowId: rowId, activityType: 'link', linkIndex: 3, written: 1, current: 3 },
      { logId: 'log-viewed--1', campaignId: 'c', recipientRowId: rowId, activityType: 'viewed', linkIndex: -1, written: 1, current: 2 },
    ]);
  });

  it('stays stale when the count moved again while Sugar was written, and drops a row given up on', async () => {
    await humanOpen();
    await store.writeback.recordWritten([{ logId: 'log-v', campaignId: 'c', recipientRowId: rowId, activityType: 'viewed', targetId: 'c-0', hits: 1 }]);
    await humanOpen();
    await humanOpen();
    await store.writeback.hitsWritten(viewed(), 2); // the third open landed meanwhile
    expect((await store.writeback.staleHits(10)).map((s) => s.current)).toEqual([3]);
    await store.writeback.dropStale(viewed());
    expect(await store.writeback.staleCount('c')).toBe(0);
    await store.writeback.hitsWritten({ ...viewed(), linkIndex: 7 }, 5); // nothing to update, no error
  });
});
