// The migration that marks stale write-back rows once per statement (PostgreSQL 0026; SQLite keeps its row trigger),
// on a database written before it: counters and confirmed rows from before, then one batch moving several counters
// marks exactly the rows whose human count moved past what Sugar holds.
import { describe, expect, it } from 'vitest';
import { adaptersBefore, seedOneRecipient } from './before-migration.js';

const at = new Date().toISOString();

describe.each(adaptersBefore('0024_', '0026_'))('write-back rows marked stale per statement, on a database from before ($name)', (adapter) => {
  it('marks the moved rows of a batch, and only those', async () => {
    const { sql, reopen } = await adapter.open();
    const rowId = seedOneRecipient(sql, at);
    sql(`INSERT INTO engagement (recipient_row_id, kind, link_idx, campaign_id, human_hits, machine_hits)
      VALUES (${rowId}, 'open', -1, 'c1', 1, 0), (${rowId}, 'click', 0, 'c1', 1, 0), (${rowId}, 'click', 1, 'c1', 1, 0)`);
    sql(`INSERT INTO writeback_log (log_id, campaign_id, recipient_row_id, activity_type, target_id, link_idx, hits_written, hits_stale, written_at)
      VALUES ('log-v', 'c1', ${rowId}, 'viewed', 'r-a', -1, 1, 0, '${at}'),
             ('log-l0', 'c1', ${rowId}, 'link', 'r-a', 0, 1, 0, '${at}'),
             ('log-l1', 'c1', ${rowId}, 'link', 'r-a', 1, 1, 0, '${at}')`);
    const store = await reopen();
    try {
      const [{ rowId: recipientRowId }] = await store.recipients.list('c1', { limit: 1, offset: 0 });
      const hit = (kind: 'open' | 'click', human: boolean, linkIndex?: number) => ({ recipientRowId, campaignId: 'c1', kind, linkIndex, at, human });
      await store.engagement.recordMany([hit('open', true), hit('click', true, 0), hit('click', false, 1)]);
      expect((await store.writeback.staleHits(10)).map((s) => [s.logId, s.written, s.current]).sort()).toEqual([
        ['log-l0', 1, 2],
        ['log-v', 1, 2],
      ]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
