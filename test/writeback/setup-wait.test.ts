// While Sugar refuses a campaign's setup, its activity rows wait as long as the setup does, instead of
// being claimed and deferred again every 500 ms (a whole campaign's outbox rewritten per turn).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { accept, drained, type Harness, numberedPeople, openHarness, seedPeople, sendingCampaign, startWritebackSim, stateWhen, waitFor } from './helpers.js';

const N = 20;
let sim: SugarSim;
let h: Harness;
let campaignId: string;

beforeAll(async () => {
  sim = await startWritebackSim();
  const { people, listId } = await seedPeople(sim, numberedPeople(N, 'w'));
  // Slow setup retries, so "waits as long as the setup" and "every 500 ms" cannot be confused.
  h = openHarness(sim, { settings: { retryBaseMs: 3000, retryMaxMs: 6000 } });
  sim.faults.maintenanceFor(60_000);
  let rowIds: number[];
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

const due = () => {
  const db = new Database(h.path, { readonly: true });
  try {
    return db.prepare("SELECT kind, run_at AS runAt FROM outbox WHERE campaign_id = ? AND state = 'pending'").all(campaignId) as Array<{
      kind: string;
      runAt: string;
    }>;
  } finally {
    db.close();
  }
};

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

    sim.faults.maintenanceFor(0);
    await drained(h, campaignId, 30_000);
    expect(sim.campaignLogCounts(sugarIds.campaign(campaignId))).toEqual({ targeted: N });
  }, 60_000);
});
