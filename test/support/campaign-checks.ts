// What the end-to-end campaign tests assert, shared so each adapter's run (SQLite, PostgreSQL) checks the same
// things the same way: the campaign's status, each address mailed once, an audit that balances, and Sugar's
// CampaignLog equal to the service's own report, counted and row for row.
import { isDeepStrictEqual } from 'node:util';
import PostalMime from 'postal-mime';
import { expect } from 'vitest';
import type { Stack } from './stack.js';

/** Every envelope recipient the sink took, lower-cased and sorted (a duplicate shows as a repeat). */
export const deliveredTo = (stack: Stack) =>
  stack.sink.messages
    .flatMap((m) => m.envelope.to)
    .map((a) => a.toLowerCase())
    .sort();

/** The audit balances: every candidate was queued or skipped for a reason. Returns the skipped counts. */
export function expectBalancedAudit(audit: { candidates: number; queued: number; skipped: Record<string, number> }): Record<string, number> {
  const skipped = Object.values(audit.skipped).reduce((s, n) => s + n, 0);
  expect(audit.candidates).toBe(audit.queued + skipped);
  return audit.skipped;
}

/**
 * Waits until the campaign's write-back is done and Sugar's CampaignLog, counted the way Sugar's status page counts,
 * equals the report (a click or an opt-out answered a moment ago may still be on its way to the outbox), then checks
 * it row for row against the rows the service recorded. Returns the counts.
 */
export async function expectCampaignLogEqualsReport(stack: Stack, id: string, timeoutMs = 20_000): Promise<Record<string, number>> {
  const read = async () => {
    const view = (await stack.api('GET', `/campaigns/${id}`)).body;
    const report = (await stack.api('GET', `/campaigns/${id}/report`)).body;
    const counts = view.writeback.sugarCampaignId ? stack.sim.campaignLogCounts(view.writeback.sugarCampaignId) : {};
    const wanted = {
      targeted: report.accepted,
      viewed: report.opened.people,
      link: report.links.reduce((n: number, l: { people: number }) => n + l.people, 0),
      removed: report.optedOut,
      'invalid email': report.bounced.hard,
      'send error': report.bounced.soft,
    };
    // Sugar's counts omit an activity nobody had; the report says 0.
    const expected = Object.fromEntries(Object.entries(wanted).filter(([k, n]) => n > 0 || k in counts));
    const settled = view.writeback.pending === 0 && view.writeback.hitsPending === 0 && view.writeback.done > 0;
    return { view, counts, expected, settled };
  };
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!(last.settled && isDeepStrictEqual(last.counts, last.expected)) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  const { view, counts, expected } = last;
  expect(view.writeback).toMatchObject({ pending: 0, hitsPending: 0, dead: 0, errors: [], activity: counts });
  expect(counts).toEqual(expected);
  const local = (await stack.service.store.writeback.rows(id)).map((r) => `${r.logId} ${r.activityType} ${r.targetId}`).sort();
  const remote = (
    stack.sim.db
      .prepare('SELECT id, activity_type, target_id FROM campaign_log WHERE campaign_id = ? AND deleted = 0')
      .all(view.writeback.sugarCampaignId) as any[]
  )
    .map((r) => `${r.id} ${r.activity_type} ${r.target_id}`)
    .sort();
  expect(remote).toEqual(local);
  return counts;
}

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** What a recipient does with the message the sink took for `address`: open it, click its n-th link, unsubscribe. */
export function recipientOf(stack: Stack, address: string) {
  const message = () => {
    const m = stack.sink.messages.find((x) => x.envelope.to[0].toLowerCase() === address);
    if (!m) throw new Error(`no message to ${address}`);
    return m;
  };
  const html = async () => (await PostalMime.parse(message().raw)).html ?? '';
  const get = (url: string) => fetch(url, { headers: { 'User-Agent': HUMAN_UA }, redirect: 'manual' });
  return {
    async open() {
      return (await get(/src="([^"]*\/t\/o\/[^"]+)"/.exec(await html())![1].replaceAll('&amp;', '&'))).status;
    },
    async click(n = 0) {
      return (await get([...(await html()).matchAll(/href="([^"]*\/t\/c\/[^"]+)"/g)][n][1].replaceAll('&amp;', '&'))).status;
    },
    async unsubscribe() {
      const header = (await PostalMime.parse(message().raw)).headers.find((h) => h.key === 'list-unsubscribe')!.value;
      const url = /<(https?:[^>]+)>/.exec(header)![1];
      const body = 'List-Unsubscribe=One-Click';
      return (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body })).status;
    },
  };
}
