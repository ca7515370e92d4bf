// The query behind CampaignRepo.trackedLinks, the same on both adapters (placeholders aside), and the one mapping of
// its rows. A run is found as the rows whose row id minus their rank within the campaign is the same: consecutive
// ids of one campaign, so every id between a run's first and last is that campaign's (ids are never reused).
import type { TrackedLinks } from '../ports/index.js';

/** `since` and `limit` are the adapter's placeholders for the ISO cut-off and the most runs. */
function recent(since: string): string {
  return `SELECT id FROM campaigns WHERE status IN ('sending', 'paused') OR (status IN ('sent', 'cancelled', 'failed') AND updated_at >= ${since})`;
}

export function trackedSpansSql(since: string, limit: string): string {
  return `SELECT campaign_id, min(row_id) AS first, max(row_id) AS last FROM (
      SELECT campaign_id, row_id, row_id - row_number() OVER (PARTITION BY campaign_id ORDER BY row_id) AS run
      FROM recipients WHERE campaign_id IN (${recent(since)})) AS r
    GROUP BY campaign_id, run ORDER BY last DESC LIMIT ${limit}`;
}

export function trackedLinks(spans: Array<Record<string, unknown>>, links: Array<Record<string, unknown>>): TrackedLinks {
  const out: TrackedLinks = { spans: [], links: {} };
  for (const s of spans) out.spans.push({ campaignId: String(s.campaign_id), first: Number(s.first), last: Number(s.last) });
  const wanted = new Set(out.spans.map((s) => s.campaignId));
  for (const l of links) {
    const id = String(l.campaign_id);
    if (wanted.has(id)) (out.links[id] ??= []).push(String(l.url));
  }
  return out;
}

/** The links of the campaigns in `ids` (a JSON array on SQLite, an array on PostgreSQL), in index order. */
export const LINKS_OF = (ids: string) => `SELECT campaign_id, url FROM campaign_links WHERE campaign_id IN (${ids}) ORDER BY campaign_id, idx`;
