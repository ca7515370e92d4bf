// The queries behind CampaignRepo.trackedLinks and trackedAmong, the same on both adapters (placeholders aside), and
// the one mapping of their rows. A run is found as the rows whose row id minus their rank within the campaign is the
// same: consecutive ids of one campaign, so every id between a run's first and last is that campaign's (ids are never
// reused). A campaign's rows are tracked only once its links are saved, so no reader ever holds its rows without its
// links (a click on them would have nowhere to go through an outage): its links are stored, or one of its rows has
// left the queue, which happens only after they were (mail/compile-cache.ts: messages are built only once their
// campaign's links are saved; a campaign whose messages carry no link saves none, and its first row out says so).
import type { TrackedLinks } from '../ports/index.js';

/** Whether campaign `c`'s links are saved (see above); the row states are the ones a row reaches at hand-off or after. */
function linksSaved(c: string): string {
  return `(EXISTS (SELECT 1 FROM campaign_links l WHERE l.campaign_id = ${c})
    OR EXISTS (SELECT 1 FROM recipients x WHERE x.campaign_id = ${c} AND x.state IN ('sending', 'accepted', 'failed', 'uncertain')))`;
}

const SENT_OR_SENDING = `status IN ('sending', 'paused', 'sent', 'cancelled', 'failed')`;

/** `since` and `limit` are the adapter's placeholders for the ISO cut-off and the most runs. */
function recent(since: string): string {
  return `SELECT id FROM campaigns c WHERE (status IN ('sending', 'paused') OR (status IN ('sent', 'cancelled', 'failed') AND updated_at >= ${since}))
    AND ${linksSaved('c.id')}`;
}

export function trackedSpansSql(since: string, limit: string): string {
  return `SELECT campaign_id, min(row_id) AS first, max(row_id) AS last FROM (
      SELECT campaign_id, row_id, row_id - row_number() OVER (PARTITION BY campaign_id ORDER BY row_id) AS run
      FROM recipients WHERE campaign_id IN (${recent(since)})) AS r
    GROUP BY campaign_id, run ORDER BY last DESC LIMIT ${limit}`;
}

/** Most upcoming campaigns named (each costs two index probes per check): the newest. */
export const MAX_UPCOMING = 1000;

/**
 * Campaigns that may still send and are not tracked: sending (or paused) with their links not saved yet, or changed
 * since `since` and before sending (a draft, extracting, scheduled or held for review). The newest `MAX_UPCOMING`.
 */
export const upcomingSql = (since: string) => `SELECT id FROM campaigns c WHERE status NOT IN ('sent', 'cancelled', 'failed')
    AND (status IN ('sending', 'paused') OR updated_at >= ${since}) AND NOT (status IN ('sending', 'paused') AND ${linksSaved('c.id')}) ORDER BY updated_at DESC, id LIMIT ${MAX_UPCOMING}`;

/** Which of the campaigns in `ids` (a JSON array on SQLite, an array on PostgreSQL) a re-read would track now. */
export const TRACKED_AMONG = (ids: string) => `SELECT id FROM campaigns c WHERE id IN (${ids}) AND ${SENT_OR_SENDING} AND ${linksSaved('c.id')} ORDER BY id`;

/**
 * The adapters read the upcoming campaigns first, then the runs, then the links: links and rows out only ever grow,
 * so the links read after a campaign's runs hold every link it had then (all of them: saveLinks writes a campaign's
 * links in one transaction), and a campaign tracked only after the first read is named upcoming by it.
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
