// The queries behind CampaignRepo.trackedLinks and trackedAmong, the same on both adapters (placeholders aside), and
// the one mapping of their rows. A run is found as the rows whose row id minus their rank within the campaign is the
// same: consecutive ids of one campaign, so every id between a run's first and last is that campaign's (ids are never
// reused). A campaign's rows are tracked only once its links are saved (`links_saved_at`, set by saveLinks even when
// it has none), so no reader ever holds its rows without its links (a click on them would have nowhere to go through
// an outage); its messages are built only after that (mail/compile-cache.ts).
import type { TrackedLinks } from '../ports/index.js';

/** Set by saveLinks in the transaction that saves the links. */
const LINKS_SAVED = 'links_saved_at IS NOT NULL';

const SENT_OR_SENDING = `status IN ('sending', 'paused', 'sent', 'cancelled', 'failed')`;

/** `since` and `limit` are the adapter's placeholders for the ISO cut-off and the most runs. */
function recent(since: string): string {
  return `SELECT id FROM campaigns WHERE (status IN ('sending', 'paused') OR (status IN ('sent', 'cancelled', 'failed') AND updated_at >= ${since}))
    AND ${LINKS_SAVED}`;
}

export function trackedSpansSql(since: string, limit: string): string {
  return `SELECT campaign_id, min(row_id) AS first, max(row_id) AS last FROM (
      SELECT campaign_id, row_id, row_id - row_number() OVER (PARTITION BY campaign_id ORDER BY row_id) AS run
      FROM recipients WHERE campaign_id IN (${recent(since)})) AS r
    GROUP BY campaign_id, run ORDER BY last DESC LIMIT ${limit}`;
}

/** Most upcoming campaigns named (each a primary-key look-up per check): the newest. */
export const MAX_UPCOMING = 1000;

/**
 * Campaigns that may still send and are not tracked: sending (or paused) with their links not saved yet, or changed
 * since `since` and before sending (a draft, extracting, scheduled or held for review). The newest `MAX_UPCOMING`.
 */
export const upcomingSql = (since: string) => `SELECT id FROM campaigns WHERE status NOT IN ('sent', 'cancelled', 'failed')
    AND (status IN ('sending', 'paused') OR updated_at >= ${since}) AND NOT (status IN ('sending', 'paused') AND ${LINKS_SAVED}) ORDER BY updated_at DESC, id LIMIT ${MAX_UPCOMING}`;

/** The campaigns a re-read would track now whose links were saved at or after `since` (the adapter's placeholder). */
export const TRACKED_SINCE = (since: string) => `SELECT id FROM campaigns WHERE links_saved_at >= ${since} AND ${SENT_OR_SENDING} ORDER BY id`;

/** Which of the campaigns in `ids` (a JSON array on SQLite, an array on PostgreSQL) a re-read would track now. */
export const TRACKED_AMONG = (ids: string) => `SELECT id FROM campaigns WHERE id IN (${ids}) AND ${SENT_OR_SENDING} AND ${LINKS_SAVED} ORDER BY id`;

/**
 * The adapters read the upcoming campaigns first, then the runs, then the links: a campaign's links are saved with
 * its mark in one transaction and never change after, so the links read after its runs are all of them, and a
 * campaign tracked only after the first read is named upcoming by it.
 */
export function trackedLinks(
  spans: Array<Record<string, unknown>>,
  links: Array<Record<string, unknown>>,
  upcoming: Array<Record<string, unknown>>,
): TrackedLinks {
  const out: TrackedLinks = { spans: [], links: {} };
  for (const s of spans) out.spans.push({ campaignId: String(s.campaign_id), first: Number(s.first), last: Number(s.last) });
  const wanted = new Set(out.spans.map((s) => s.campaignId));
  for (const l of links) {
    const id = String(l.campaign_id);
    if (wanted.has(id)) (out.links[id] ??= []).push(String(l.url));
  }
  const next = upcoming.map((u) => String(u.id)).filter((id) => !wanted.has(id));
  if (next.length) out.upcoming = next;
  return out;
}

/** The links of the campaigns in `ids` (a JSON array on SQLite, an array on PostgreSQL), in index order. */
export const LINKS_OF = (ids: string) => `SELECT campaign_id, url FROM campaign_links WHERE campaign_id IN (${ids}) ORDER BY campaign_id, idx`;
