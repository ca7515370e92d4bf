// Benchmark (not a test) of the open pixel: the real service (bundled as deployed; BENCH_SOURCE=1: npm start) answering GET /t/o/<token>
// for 1,000 recipients at 100 concurrent connections, counted in the database afterwards, next to a
// bare node:http server answering the same GIF without recording. Then the same load is stopped
// with SIGTERM to check that every answered pixel was recorded.
//   npx tsx scripts/bench/pixel.ts [seconds per round=5]   (BENCH_ROUNDS=3, BENCH_CONNECTIONS=100)
// BENCH_PG_LOCALE=icu:en-US (or C.utf8): the database with that collation instead of C, as many servers create theirs.
// BENCH_STORE=pg: the service on a throwaway PostgreSQL cluster (LEADFWD_DATABASE_URL), with the statements (round
// trips) per recorded open from pg_stat_statements (BENCH_PG_TOP=n lists the n most frequent). BENCH_JSON=1 adds one `BENCH_RESULT {…}` line.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { signToken } from '../../service/src/domain/tokens.js';
import { openStore } from '../../service/src/store/db.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { startPostgres } from '../postgres.js';
import {
  benchTarget,
  cpuMsOf,
  ELSEWHERE_CPU,
  freePort,
  onServerCpu,
  pinPostgresElsewhere,
  pinToCpu,
  postgresCpu,
  SERVER_CPU,
  SPLIT_CORES,
  seedCampaign,
  serviceEntry,
  sleep,
} from './support.js';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const RECIPIENTS = 1000;
const SECRET = randomBytes(32).toString('base64url'); // the service refuses a weak LEADFWD_SECRET
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-pixel-bench-'));
const dbFile = join(dir, 'data', 'leadfwd.sqlite');
const entry = serviceEntry(dir);
const STORE = process.env.BENCH_STORE === 'pg' ? 'pg' : 'sqlite';
const pgServer =
  STORE === 'pg'
    ? await startPostgres({ settings: { shared_preload_libraries: 'pg_stat_statements' }, databaseLocale: process.env.BENCH_PG_LOCALE })
    : undefined;
pgServer?.psql('CREATE EXTENSION pg_stat_statements', 'leadfwd');
if (pgServer) pinPostgresElsewhere(pgServer);
pinToCpu(process.pid, ELSEWHERE_CPU); // the load generator: the mail clients
const pgPool = pgServer ? new pg.Pool({ connectionString: pgServer.url, max: 1 }) : undefined;
/** Statements the service has run so far (each one round trip with node-postgres). */
const statements = async () =>
  pgPool
    ? Number(
        (
          await pgPool.query(
            "SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'leadfwd' AND s.query NOT LIKE '%pg_stat%' AND s.query NOT LIKE '%human_hits + machine_hits%'",
          )
        ).rows[0].n,
      )
    : 0;

/** A sent campaign whose recipients were accepted two hours ago (so no hit is "too soon"). */
async function seed(): Promise<Array<{ rowId: number; email: string }>> {
  const clock = () => new Date(Date.now() - 2 * 3_600_000);
  const store = pgServer ? await openPgStore(pgServer.url, { clock }) : openStore(dbFile, { clock });
  const id = 'bench';
  await seedCampaign(store, id, { name: 'Bench', sent: true });
  await store.recipients.insertMany(
    id,
    Array.from({ length: RECIPIENTS }, (_, i) => benchTarget(i, 'bench.test', 'tl')),
  );
  const rows = await store.recipients.claim(id, RECIPIENTS, new Date(Date.now() - 2 * 3_600_000).toISOString());
  await store.recipients.markOutcomes(
    rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<lf.bench.${r.rowId}.xxxxxxxxxxxx@bench.test>` })),
  );
  await store.close();
  return rows.map((r) => ({ rowId: r.rowId, email: r.email }));
}

/** Opens recorded, from the per-recipient counters (exact; raw events stop at LEADFWD_EVENTS_PER_RECIPIENT). */
async function countOpens(): Promise<number> {
  if (pgPool) return Number((await pgPool.query("SELECT coalesce(sum(human_hits + machine_hits), 0) AS n FROM engagement WHERE kind = 'open'")).rows[0].n);
  const store = openStore(dbFile);
  try {
    return store
      .opsCounts()
      .hits.filter((h) => h.kind === 'open')
      .reduce((n, h) => n + h.human + h.machine, 0);
  } finally {
    store.close();
  }
}

async function startService(): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF_DIR] : [];
  const proc = spawn(...onServerCpu(process.execPath, [...prof, ...(await entry)]), {
    env: {
      ...process.env,
      LEADFWD_PORT: String(port),
      LEADFWD_BOUNCE_SMTP_PORT: String(await freePort()),
      LEADFWD_DATA_DIR: join(dir, 'data'),
      ...(pgServer ? { LEADFWD_DATABASE_URL: pgServer.url } : {}),
      LEADFWD_SECRET: SECRET,
      LEADFWD_SUGAR_URL: 'http://127.0.0.1:9',
      LEADFWD_LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // 1,000 recipients take every hit here, far past the raw-event cap a real recipient never reaches: by default
      // each hit still writes its raw event, as a recipient's first 50 do, so the figures compare with earlier runs.
      LEADFWD_EVENTS_PER_RECIPIENT: process.env.BENCH_EVENTS_PER_RECIPIENT ?? '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { proc, url };
    await sleep(100);
  }
  throw new Error('service did not start');
}

async function startBare(): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const gif = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  const code = `const gif=Buffer.from('${gif}','base64');require('node:http').createServer((q,s)=>{s.writeHead(200,{'Content-Type':'image/gif','Content-Length':String(gif.length),'Cache-Control':'no-store, no-cache, must-revalidate, private, max-age=0'});s.end(gif)}).listen(${port},'127.0.0.1')`;
  const proc = spawn(...onServerCpu(process.execPath, ['-e', code]), { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { proc, url };
    await sleep(50);
  }
  throw new Error('bare server did not start');
}

function load(url: string, paths: string[], seconds: number) {
  let i = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'user-agent': UA },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
}

const stopped = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

try {
  const rows = await seed();
  // As sent: each token carries its person's check, which the service verifies against the row.
  const paths = rows.map((r) => `/t/o/${signToken(SECRET, { k: 'o', r: r.rowId }, { campaignId: 'bench', email: r.email })}`);

  // Both servers stay up and take turns, so a neighbour's load on this shared machine hits both alike. The bare server
  // gets the same requests (token paths), so the load generator does the same work for both.
  const svc = await startService();
  const bare = await startBare();
  // Warm-up: JIT, caches, page cache. Two seconds left the first round measurably slower than the rest.
  await load(svc.url, paths, 5);
  await load(bare.url, paths, 5);
  const roundTrips: number[] = [];
  // CPU per request of each part (µs): what bounds the ratio when the cores are shared (the load generator is this process).
  const pgCpuMs = pgServer ? postgresCpu(pgServer) : () => 0;
  const cpu = { service: [] as number[], postgres: [] as number[], generator: [] as number[], bare: [] as number[], bareGenerator: [] as number[] };
  const perRequest = (ms: number, n: number) => (ms * 1000) / n;
  const rounds: Array<{ recorded: number; p99: number; answered: number; bare: number; bareP99: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = await countOpens();
    const statementsBefore = await statements();
    const [svcAt, pgAt, genAt] = [cpuMsOf(svc.proc.pid!), pgCpuMs(), cpuMsOf(process.pid)];
    const rec = await load(svc.url, paths, SECONDS);
    await sleep(200); // the last batch commits after autocannon stops counting
    const recorded = (await countOpens()) - before;
    cpu.service.push(perRequest(cpuMsOf(svc.proc.pid!) - svcAt, recorded));
    cpu.postgres.push(perRequest(pgCpuMs() - pgAt, recorded));
    cpu.generator.push(perRequest(cpuMsOf(process.pid) - genAt, rec['2xx']));
    roundTrips.push(((await statements()) - statementsBefore) / recorded);
    const [bareAt, bareGenAt] = [cpuMsOf(bare.proc.pid!), cpuMsOf(process.pid)];
    const base = await load(bare.url, paths, SECONDS);
    cpu.bare.push(perRequest(cpuMsOf(bare.proc.pid!) - bareAt, base['2xx']));
    cpu.bareGenerator.push(perRequest(cpuMsOf(process.pid) - bareGenAt, base['2xx']));
    rounds.push({ recorded: recorded / SECONDS, p99: rec.latency.p99, answered: rec['2xx'], bare: base.requests.average, bareP99: base.latency.p99 });
    console.log(
      `  round ${r + 1}: service ${Math.round(recorded / SECONDS)} recorded/s (2xx ${rec['2xx']}, recorded ${recorded}, errors ${rec.errors}, non-2xx ${rec.non2xx}) p99 ${rec.latency.p99} ms | bare ${Math.round(base.requests.average)} req/s p99 ${base.latency.p99} ms`,
    );
  }
  // BENCH_PG_TOP=n: the n statements run most often, to see where the round trips go.
  if (pgServer && process.env.BENCH_PG_TOP)
    console.log(
      pgServer.psql(
        `SELECT calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY calls DESC LIMIT ${Number(process.env.BENCH_PG_TOP)}`,
        'leadfwd',
      ),
    );
  svc.proc.kill('SIGTERM');
  bare.proc.kill('SIGTERM');
  await Promise.all([stopped(svc.proc), stopped(bare.proc)]);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const recordedPerSecond = median(rounds.map((r) => r.recorded));
  const p99 = median(rounds.map((r) => r.p99));
  const bareRps = median(rounds.map((r) => r.bare));
  const ratio = median(rounds.map((r) => r.recorded / r.bare));
  console.log(
    `open pixel, ${STORE === 'pg' ? 'PostgreSQL (throwaway cluster, fsync off)' : 'SQLite'}${SPLIT_CORES ? `, cores split (the service and the bare server on CPU ${SERVER_CPU} alone; ${pgServer ? 'PostgreSQL and ' : ''}the load generator on CPU ${ELSEWHERE_CPU})` : ''}, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, loopback, ${RECIPIENTS} recipients (medians)`,
  );
  console.log(`  service (durable recording): ${Math.round(recordedPerSecond)} recorded opens/s   p99 ${p99} ms`);
  console.log(`  bare node:http GIF:          ${Math.round(bareRps)} req/s   p99 ${median(rounds.map((r) => r.bareP99))} ms`);
  console.log(`  ratio recorded/bare:         ${ratio.toFixed(2)}`);
  if (pgServer) console.log(`  database round trips (statements) per recorded open: ${median(roundTrips).toFixed(3)}`);
  const us = (xs: number[]) => `${median(xs).toFixed(0)} µs`;
  console.log(
    `  CPU per request: service ${us(cpu.service)}${pgServer ? ` + PostgreSQL ${us(cpu.postgres)}` : ''} + load generator ${us(cpu.generator)}; bare ${us(cpu.bare)} + load generator ${us(cpu.bareGenerator)}`,
  );
  console.log(
    `  goals: >= 10000/s ${recordedPerSecond >= 10_000 ? 'met' : 'MISSED'}, ratio >= 0.5 ${ratio >= 0.5 ? 'met' : 'MISSED'}, p99 < 20 ms ${p99 < 20 ? 'met' : 'MISSED'}`,
  );

  // SIGTERM under load: every pixel answered 200 must be in the database afterwards.
  const svc2 = await startService();
  const before2 = await countOpens();
  const running = load(svc2.url, paths, 5);
  await sleep(2000);
  svc2.proc.kill('SIGTERM');
  const exitCode = await stopped(svc2.proc);
  const under = await running;
  const recorded2 = (await countOpens()) - before2;
  const lost = Math.max(0, under['2xx'] - recorded2);
  console.log(
    `SIGTERM after 2 s of load: exit ${exitCode}, answered 200: ${under['2xx']}, recorded: ${recorded2}, lost: ${lost} -> ${lost === 0 ? 'no event lost' : 'EVENTS LOST'}`,
  );
  if (process.env.BENCH_JSON)
    console.log(
      `BENCH_RESULT ${JSON.stringify({ store: STORE, ...(SPLIT_CORES ? { splitCores: true } : {}), recordedPerSecond, p99, bareRps, ratio, roundTrips: pgServer ? median(roundTrips) : undefined, sigtermLost: lost })}`,
    );
} finally {
  await pgPool?.end();
  await pgServer?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
