import type { SimCore } from './core.js';

// Sugar's campaign status page counts rows, not hits, with exactly this WHERE clause (§6 "How Sugar counts").
export function campaignLogCounts(core: SimCore, campaignId: string): Record<string, number> {
  const sql = `SELECT activity_type, COUNT(*) AS n FROM campaign_log
    WHERE campaign_id = ? AND archived = 0 AND deleted = 0 AND target_id IS NOT NULL GROUP BY activity_type`;
  const rows = core.rows.prepare(sql).all(campaignId) as Array<{ activity_type: string; n: number }>;
  return Object.fromEntries(rows.map((r) => [r.activity_type, r.n]));
}
