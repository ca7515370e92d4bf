// A campaign's extraction fills the ledger with thousands of rows at once. Until PostgreSQL's statistics know, the
// planner takes them for a handful: each reservation then read and sorted every queued row of the campaign (24 ms a
// reservation at 21,000 rows in the campaign benchmark) until autovacuum got round to the table, a minute later by
// default. The extraction's end refreshes them, so the first reservation already walks the claim index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { extractTargets } from '../../service/src/campaigns/extraction.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';
import { newCampaign } from './helpers.js';

describe.skipIf(!debianPgBin())('the ledger statistics on PostgreSQL after an extraction', () => {
  const { stores, server } = useProcessStores('ledger_stats', { owners: ['one'] });
  let sim: SugarSim;
  beforeAll(async () => {
    sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  });
  afterAll(async () => await sim?.close());

  /** How PostgreSQL would reserve the next rows of `campaignId` now, as the store's prepared statement (a generic plan). */
  const reservePlan = (campaignId: string) =>
    server().psql(
      `SET search_path = ledger_stats; SET plan_cache_mode = force_generic_plan;
       PREPARE reserve (text, text, int) AS UPDATE recipients SET reserved_by = 'x' WHERE row_id IN (SELECT row_id FROM recipients
         WHERE campaign_id = $1 AND state = 'queued' AND retry_at <= $2 ORDER BY retry_at, row_id LIMIT $3 FOR UPDATE SKIP LOCKED);
       EXPLAIN EXECUTE reserve('${campaignId}', '9999', 64)`,
      'leadfwd',
    );

  /** How many queued rows of `campaignId` the planner expects. */
  const queuedEstimate = (campaignId: string) =>
    JSON.parse(
      server()
        .psql(
          `SET search_path = ledger_stats; EXPLAIN (FORMAT JSON) SELECT row_id FROM recipients WHERE campaign_id = '${campaignId}' AND state = 'queued'`,
          'leadfwd',
        )
        .replace(/^SET\s*/, ''),
    )[0].Plan['Plan Rows'] as number;

  it("knows the campaign's rows right after the extraction, and reserves them from the claim index without sorting them", async () => {
    const [store] = stores;
    const { listIds } = sim.seedBulk({ lists: 1, perList: 20_000, overlap: 0, optedOutFraction: 0, invalidFraction: 0, missingFraction: 0 });
    const sugar = new SugarClient({ baseUrl: sim.url, apiVersion: 'v11_1', username: 'admin', password: 'admin', platform: 'leadfwd' });
    const campaign = await store.campaigns.create(newCampaign({ targetListIds: listIds }), 'big');
    const audit = await extractTargets({ sugar, store, pageSize: 1000 }, campaign);
    expect(audit.queued).toBe(20_000);
    expect(queuedEstimate(campaign.id)).toBeGreaterThan(10_000); // without the refresh: 1
    const plan = reservePlan(campaign.id);
    expect(plan).toMatch(/Index Scan using recipients_claim/);
    expect(plan).not.toMatch(/Sort/);
  }, 60_000);
});
