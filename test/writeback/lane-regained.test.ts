// The write-back lane lost and gained again before its stop finished (a renewal that came too late, then the lease
// taken back at the next try): the loop that was stopping ends, with its calls in flight, before the next one sweeps
// the claims back and starts, so no row is written to Sugar twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { accept, drained, type Harness, harnessWithCampaign, numberedPeople, startWritebackSim, waitFor } from './helpers.js';

const N = 12;
let sim: SugarSim;
let h: Harness;
let campaignId: string;
let rowIds: number[];

beforeAll(async () => {
  sim = await startWritebackSim();
  ({ h, campaignId, rowIds } = await harnessWithCampaign(sim, numberedPeople(N, 'r'), { harness: { settings: { batchSize: 4, bulkMax: 4 } } }));
}, 60_000);

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

it('ends the stopping loop before a new start sweeps its claims back: each delivery reaches Sugar once', async () => {
  await h.writeback.start();
  await drained(h, campaignId); // the campaign's setup
  sim.faults.latencyMs = 400;
  const logPosts = () => sim.requests().filter((r) => r.bulk && r.method === 'POST' && /\/CampaignLog$/.test(r.path));
  await accept(h, rowIds);
  await waitFor(() => sim.requests().some((r) => r.path.endsWith('/bulk') && r.status === 0) || undefined, 'a bulk write in flight');
  const stopping = h.writeback.stop();
  await h.writeback.start();
  await stopping;
  sim.faults.latencyMs = 0;
  await drained(h, campaignId);
  expect(sim.campaignLogCounts(sugarIds.campaign(campaignId))).toEqual({ targeted: N });
  expect(logPosts()).toHaveLength(N); // one write per delivery: none swept back while its call was in flight
});
