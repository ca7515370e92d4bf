// Micro-benchmark (not a test) of the open pixel's batch insert alone on PostgreSQL: engagement.recordWithEffects
// with batches as the pixel's group commit builds them (openEffects over real ledger rows), one at a time, on a
// throwaway cluster. The pixel benchmark's CPU per open mixes HTTP, tokens and the load generator in; this isolates
// what a batch costs this process (building its parameters, node-postgres) and the server (parsing, the upsert,
// the triggers), per hit.
//   npx tsx scripts/bench/pixel-batch.ts [hits per round=20000] [batch=50]   (BENCH_ROUNDS=5)
import { performance } from 'node:perf_hooks';
import { APPLE_NETWORK, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';
import { openEffects } from '../../service/src/engagement/opens.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import type { HitWithEffects } from '../../service/src/ports/index.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { startPostgres } from '../postgres.js';
import { benchTarget, postgresCpu, seedCampaign } from './support.js';

const HITS = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RECIPIENTS = 1000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const server = await startPostgres();
// Accepted two hours ago, so no hit is "too soon" and every open is a person's (first ones enqueue an outbox item).
const twoHoursAgo = () => new Date(Date.now() - 2 * 3_600_000);
const store = await openPgStore(server.url, { clock: twoHoursAgo });
try {
  await seedCampaign(store, 'bench', { name: 'Bench', sent: true });
  await store.recipients.insertMany(
    'bench',
    Array.from({ length: RECIPIENTS }, (_, i) => benchTarget(i, 'bench.test', 'tl')),
  );
  const rows = await store.recipients.claim('bench', RECIPIENTS, twoHoursAgo().toISOString());
  await store.recipients.markOutcomes(rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<lf.bench.${r.rowId}@bench.test>` })));
  const lookup = createRecipientLookup(store);
  const rules = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK]) };
  let next = 0;
  // Built before the clock starts: only the insert is timed.
  const batches = async (): Promise<HitWithEffects[][]> => {
    const out: HitWithEffects[][] = [];
    for (let n = 0; n < HITS; n += BATCH) {
      const hits = Array.from({ length: Math.min(BATCH, HITS - n) }, () => ({
        rowId: rows[next++ % rows.length].rowId,
        method: 'GET',
        userAgent: UA,
        ip: '203.0.113.7',
        at: new Date(),
      }));
      out.push((await openEffects(lookup, rules, hits)).map((f) => f.item));
    }
    return out;
  };
  const pgCpuMs = postgresCpu(server);
  const result = { service: [] as number[], postgres: [] as number[], rate: [] as number[] };
  // Round 0 warms up the JIT, the prepared statement and the caches; it is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    const work = await batches();
    const [cpuAt, pgAt, t0] = [process.cpuUsage(), pgCpuMs(), performance.now()];
    for (const items of work) await store.engagement.recordWithEffects(items, 100_000);
    const [cpu, pgMs, ms] = [process.cpuUsage(cpuAt), pgCpuMs() - pgAt, performance.now() - t0];
    if (round === 0) continue;
    result.service.push((cpu.user + cpu.system) / HITS);
    result.postgres.push((pgMs * 1000) / HITS);
    result.rate.push(HITS / (ms / 1000));
    console.log(
      `  round ${round}: ${Math.round(HITS / (ms / 1000))} hits/s, service ${result.service.at(-1)!.toFixed(1)} µs + PostgreSQL ${result.postgres.at(-1)!.toFixed(1)} µs per hit`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  console.log(`pixel batch insert, PostgreSQL (throwaway cluster, fsync off), ${HITS} hits a round in batches of ${BATCH}, ${ROUNDS} rounds (medians)`);
  console.log(`  ${Math.round(median(result.rate))} hits/s, one batch at a time`);
  console.log(`  service ${median(result.service).toFixed(1)} µs per hit (${range(result.service)})`);
  console.log(`  PostgreSQL ${median(result.postgres).toFixed(1)} µs per hit (${range(result.postgres)})`);
} finally {
  await store.close();
  await server.destroy();
}
