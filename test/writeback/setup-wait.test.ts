// While Sugar refuses a campaign's setup, its activity rows wait as long as the setup does, instead of
// being claimed and deferred again every 500 ms (a whole campaign's outbox rewritten per turn).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { outboxKey } from '../../service/src/domain/outbox.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import {
  accept,
  drained,
  type Harness,
  numberedPeople,
  open,
  openHarness,
  type Person,
  seedPeople,
  sendingCampaign,
  startWritebackSim,
  stateWhen,
  waitFor,
} from './helpers.js';

const N = 20;
let sim: SugarSim;
let h: Harness;
let campaignId: string;
let people: Person[];
let rowIds: number[];

beforeAll(async () => {
  sim = await startWritebackSim();
  let listId: string;
  ({ people, listId } = await seedPeople(sim, numberedPeople(N, 'w')));
  // Slow setup retries, so "waits as long as the setup" and "every 500 ms" cannot be confused.
  h = openHarness(sim, { settings: { retryBaseMs: 5000, retryMaxMs: 10_000 } });
  sim.faults.maintenanceFor(60_000);
  ({
    campaign: { id: campaignId },
    rowIds,
  } = await sendingCampaign(h, listId, people));
  await accept(h, rowIds);
  await h.writeback.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

const outbox = (path: string, id: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, kind, state, run_at AS runAt, done_at AS doneAt FROM outbox WHERE campaign_id = ?').all(id) as Array<{
      id: number;
      kind: string;
      state: string;
      runAt: string;
      doneAt: string | null;
    }>;
  } finally {
    db.close();
  }
};
const due = () => outbox(h.path, campaignId).filter((r) => r.state === 'pending');

/** Each new due time of a campaign's activity rows (a deferral), as seen by polling the store file every 10 ms. */
function deferrals(path: string, id: string) {
  const db = new Database(path, { readonly: true });
  const read = db.prepare("SELECT id, run_at AS runAt FROM outbox WHERE campaign_id = ? AND kind <> 'campaign' AND state = 'pending'");
  const seen = new Map<number, string>();
  const made: Array<{ id: number; runAt: string; at: number }> = [];
  const poll = setInterval(() => {
    for (const r of read.all(id) as Array<{ id: number; runAt: string }>) {
      if (seen.has(r.id) && seen.get(r.id) !== r.runAt) made.push({ id: r.id, runAt: r.runAt, at: Date.now() });
      seen.set(r.id, r.runAt);
    }
  }, 10);
  return {
    made,
    stop() {
      clearInterval(poll);
      db.close();
    },
  };
}

describe('activity waiting for a campaign setup that Sugar refuses', () => {
  it('is put off until the setup runs again, then written once Sugar is back', async () => {
    await stateWhen(h, campaignId, (s) => s.errors.some((e) => /503/.test(e.error)), 'the setup to fail with the 503');
    const rows = await waitFor(() => {
      const r = due();
      const setup = r.find((x) => x.kind === 'campaign');
      const sent = r.filter((x) => x.kind === 'sent');
      return setup && sent.length === N && sent.every((x) => x.runAt >= setup.runAt) ? { setup, sent } : undefined;
    }, 'every waiting row due no earlier than the setup retry');
    expect(Date.parse(rows.setup.runAt) - Date.now()).toBeGreaterThan(600);

    await h.writeback.stop();
  }, 60_000);

  it('is put off as long by a worker that did not see the setup fail (a second process, or this one restarted)', async () => {
    const second = openHarness(sim, { dir: h.dir, settings: { retryBaseMs: 5000, retryMaxMs: 10_000 } });
    try {
      await open(second, rowIds[0]);
      const { made, stop } = deferrals(h.path, campaignId);
      await second.writeback.start();
      const first = await waitFor(() => made[0], 'the open put off');
      stop();
      const setup = due().find((x) => x.kind === 'campaign')!;
      // Before, a worker knew only the retries it had made: this one put the rows off by 500 ms, again and again.
      expect(first.runAt >= setup.runAt).toBe(true);
      expect(Date.parse(first.runAt) - first.at).toBeGreaterThan(600);

      sim.faults.maintenanceFor(0);
      await drained(second, campaignId, 30_000);
      expect(sim.campaignLogCounts(sugarIds.campaign(campaignId))).toEqual({ targeted: N, viewed: 1 });
    } finally {
      await second.writeback.stop();
      second.store.close();
    }
  }, 60_000);
});

describe('activity waiting for a campaign setup in flight (Sugar slow to answer)', () => {
  const LATENCY_MS = 1500;
  it('waits long while the setup is held, and goes as soon as it is done', async () => {
    const slow = await startWritebackSim();
    const { people: those, listId } = await seedPeople(slow, numberedPeople(4, 's'));
    const x = openHarness(slow);
    try {
      const { campaign, rowIds: ids } = await sendingCampaign(x, listId, those);
      slow.faults.latencyMs = LATENCY_MS;
      const { made, stop } = deferrals(x.path, campaign.id);
      await x.writeback.start();
      await waitFor(async () => (await x.store.outbox.pendingTime(outboxKey.campaign(campaign.id)))?.claimedAt, 'the setup claimed');
      await accept(x, ids);
      await drained(x, campaign.id, 30_000);
      stop();
      const rows = outbox(x.path, campaign.id);
      const setupDone = Date.parse(rows.find((r) => r.kind === 'campaign')!.doneAt!);
      const sent = rows.filter((r) => r.kind === 'sent');
      expect(sent.every((r) => r.state === 'done')).toBe(true);
      // Every 500 ms before, for as long as the setup took (a login and a call, each as slow).
      expect(Math.max(...made.map((d) => Date.parse(d.runAt) - d.at))).toBeGreaterThan(5_000);
      // Made due when the setup was done, long before their wait ended: written one call after it.
      for (const r of sent) expect(Date.parse(r.doneAt!) - setupDone).toBeLessThan(LATENCY_MS + 3000);
    } finally {
      await x.close();
      await slow.close();
    }
  }, 60_000);
});
