// The migration that keys the write-back log by the row it stands for (SQLite 0023, PostgreSQL 0025), on a database
// written before it: every confirmed row keeps its Sugar id, counts and hits, a later human open still marks a
// written viewed row stale (the trigger came through), and the row is then addressed by its key.
import { describe, expect, it } from 'vitest';
import { adaptersBefore, seedOneRecipient } from './before-migration.js';

const at = new Date().toISOString();

describe.each(adaptersBefore('0023_', '0025_'))('write-back log keyed by row, on a database from before ($name)', (adapter) => {
  it('keeps every written row and its hits, and marks a moved count stale as before', async () => {
    const { sql, reopen } = await adapter.open();
    const rowId = seedOneRecipient(sql, at);
    sql(`INSERT INTO writeback_log (log_id, campaign_id, recipient_row_id, activity_type, target_id, link_idx, hits_written, hits_stale, written_at)
      VALUES ('log-t', 'c1', ${rowId}, 'targeted', 'r-a', -1, NULL, 0, '${at}'),
             ('log-v', 'c1', ${rowId}, 'viewed', 'r-a', -1, 1, 0, '${at}'),
             ('log-l2', 'c1', ${rowId}, 'link', 'r-a', 2, 1, 0, '${at}')`);
    const store = await reopen();
    try {
      expect(await store.writeback.counts('c1')).toEqual({ targeted: 1, viewed: 1, link: 1 });
      expect((await store.writeback.rows('c1')).map((r) => r.logId)).toEqual(['log-l2', 'log-t', 'log-v']);
      const [{ rowId: recipientRowId }] = await store.recipients.list('c1', { limit: 1, offset: 0 });
      for (let i = 0; i < 2; i++) await store.engagement.record({ recipientRowId, campaignId: 'c1', kind: 'open', at, human: true });
      expect(await store.writeback.staleHits(10)).toEqual([
        { logId: 'log-v', campaignId: 'c1', recipientRowId, activityType: 'viewed', linkIndex: -1, written: 1, current: 2 },
      ]);
      await store.writeback.hitsWritten({ recipientRowId, activityType: 'viewed', linkIndex: -1 }, 2);
      expect(await store.writeback.staleCount('c1')).toBe(0);
      // Confirming a row again is still one row, whichever way it is named.
      await store.writeback.recordWritten([{ logId: 'log-t', campaignId: 'c1', recipientRowId, activityType: 'targeted', targetId: 'r-a' }]);
      expect(await store.writeback.counts('c1')).toEqual({ targeted: 1, viewed: 1, link: 1 });
    } finally {
      await store.close();
    }
  }, 60_000);
});
