// Sugar misbehaving in the middle of a campaign: a maintenance window (503 for a few seconds here,
// standing in for the 2-minute window of the issue), every token expiring, the refresh token
// refused, and 429s. Afterwards Sugar holds exactly the expected rows: none twice, none missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { accept, click, drained, type Harness, harnessWithCampaign, numberedPeople, open, startWritebackSim, stateWhen, sugarLog } from './helpers.js';

const N = 30;
let sim: SugarSim;
let h: Harness;
let campaignId: string;
let rowIds: number[];

beforeAll(async () => {
  sim = await startWritebackSim();
  ({ h, campaignId, rowIds } = await harnessWithCampaign(sim, numberedPeople(N, 'p'), { harness: { settings: { batchSize: 8, bulkMax: 20 } } }));
  await h.writeback.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

/** Accepts, opens and clicks for rows [from, to). */
async function activity(from: number, to: number) {
  const ids = rowIds.slice(from, to);
  await accept(h, ids);
  for (const rowId of ids) await open(h, rowId);
  for (const rowId of ids.filter((_, i) => i % 2 === 0)) await click(h, rowId, 0);
}

describe('write-back through Sugar outages and session trouble', () => {
  it('waits out a maintenance window, showing the error meanwhile, and loses nothing', async () => {
    await activity(0, 6);
    await drained(h, campaignId);
    sim.faults.maintenanceFor(3000);
    await activity(6, 12);
    const during = await stateWhen(h, campaignId, (s) => s.errors.some((e) => !e.dead && /503 maintenance/.test(e.error)), 'a retrying row with the 503');
    expect(during.pending).toBeGreaterThan(0);
    expect(during.dead).toBe(0);
    await drained(h, campaignId);
  });

  it('renews an expired token, and logs in again when the refresh is refused', async () => {
    sim.faults.expireTokensNow();
    await activity(12, 18);
    await drained(h, campaignId);
    sim.faults.rejectRefresh = true;
    sim.faults.expireTokensNow();
    await activity(18, 24);
    await drained(h, campaignId);
    sim.faults.rejectRefresh = false;
    const stats = h.sugar.stats();
    expect(stats.refreshes).toBeGreaterThanOrEqual(2);
    expect(stats.logins).toBeGreaterThanOrEqual(2);
  });

  it('rides out 429s', async () => {
    sim.faults.rateLimitNext(4, 0);
    await activity(24, N);
    await drained(h, campaignId);
    expect(h.sugar.stats().byStatus['429']).toBeGreaterThanOrEqual(4);
  });

  it('leaves Sugar with exactly the expected rows, none twice and none missing', async () => {
    const sid = sugarIds.campaign(campaignId);
    const clicks = Math.ceil(N / 2);
    expect(sim.campaignLogCounts(sid)).toEqual({ targeted: N, viewed: N, link: clicks });
    const rows = sugarLog(sim, sid);
    const keys = rows.map((r) => `${r.target_id}|${r.activity_type}|${r.related_id ?? ''}`);
    expect(new Set(keys).size).toBe(rows.length);
    expect(rows.filter((r) => r.activity_type === 'viewed').every((r) => r.hits === 1)).toBe(true);
    expect(await h.writeback.state(campaignId)).toMatchObject({ pending: 0, dead: 0, activity: { targeted: N, viewed: N, link: clicks } });
  });
});
