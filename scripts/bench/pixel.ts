// Benchmark (not a test) of the open pixel: the real service (npm start) answering GET /t/o/<token>
// for 1,000 recipients at 100 concurrent connections, counted in the database afterwards, next to a
// bare node:http server answering the same GIF without recording. Then the same load is stopped
// with SIGTERM to check that every answered pixel was recorded.
//   npx tsx scripts/bench/pixel.ts [seconds per round=5]   (BENCH_ROUNDS=3, BENCH_CONNECTIONS=100)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signToken } from '../../service/src/domain/tokens.js';
import { openStore } from '../../service/src/store/db.js';
import { freePort, sleep } from './support.js';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const RECIPIENTS = 1000;
const SECRET = randomBytes(32).toString('base64url'); // the service refuses a weak LEADFWD_SECRET
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-pixel-bench-'));
const dbFile = join(dir, 'data', 'leadfwd.sqlite');

/** A sent campaign whose recipients were accepted two hours ago (so no hit is "too soon"). */
function seed(): number[] {
  const store = openStore(dbFile, { clock: () => new Date(Date.now() - 2 * 3_600_000) });
  const id = 'bench';
  store.campaigns.create(
    {
      name: 'Bench',
      subject: 'Hi',
      fromName: 'Bench',
      fromEmail: 'news@bench.test',
      html: '<p>Hi</p>',
      targetListIds: ['tl'],
      leadfwdListIds: [],
      customFields: [],
      sendAt: new Date().toISOString(),
    },
    id,
  );
  for (const [from, to] of [
    ['draft', 'extracting'],
    ['extracting', 'pending'],
    ['pending', 'sending'],
    ['sending', 'sent'],
  ] as const) {
    store.campaigns.transition(id, [from], to);
  }
  store.recipients.insertMany(
    id,
    Array.from({ length: RECIPIENTS }, (_, i) => ({
      module: 'Contacts' as const,
      id: `c${i}`,
      listId: 'tl',
      email: `p${i}@bench.test`,
      fields: {},
      trackingConsent: true,
      addressKey: `p${i}@bench.test`,
    })),
  );
  const rows = store.recipients.claim(id, RECIPIENTS, new Date(Date.now() - 2 * 3_600_000).toISOString());
  store.recipients.markOutcomes(rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<lf.bench.${r.rowId}.xxxxxxxxxxxx@bench.test>` })));
  store.close();
  return rows.map((r) => r.rowId);
}

/** Opens recorded, from the per-recipient counters (exact; raw events stop at LEADFWD_EVENTS_PER_RECIPIENT). */
function countOpens(): number {
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
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', 'service/src/main.ts'], {
    env: {
      ...process.env,
      LEADFWD_PORT: String(port),
      LEADFWD_BOUNCE_SMTP_PORT: String(await freePort()),
      LEADFWD_DATA_DIR: join(dir, 'data'),
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
  const proc = spawn(process.execPath, ['-e', code], { stdio: 'inherit' });
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
  const rows = seed();
  const paths = rows.map((r) => `/t/o/${signToken(SECRET, { k: 'o', r })}`);

  // Both servers stay up and take turns, so a neighbour's load on this shared machine hits both alike.
  const svc = await startService();
  const bare = await startBare();
  // Warm-up: JIT, caches, page cache. Two seconds left the first round measurably slower than the rest.
  await load(svc.url, paths, 5);
  await load(bare.url, ['/t/o/x'], 5);
  const rounds: Array<{ recorded: number; p99: number; answered: number; bare: number; bareP99: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = countOpens();
    const rec = await load(svc.url, paths, SECONDS);
    await sleep(200); // the last batch commits after autocannon stops counting
    const recorded = countOpens() - before;
    const base = await load(bare.url, ['/t/o/x'], SECONDS);
    rounds.push({ recorded: recorded / SECONDS, p99: rec.latency.p99, answered: rec['2xx'], bare: base.requests.average, bareP99: base.latency.p99 });
    console.log(
      `  round ${r + 1}: service ${Math.round(recorded / SECONDS)} recorded/s (2xx ${rec['2xx']}, recorded ${recorded}, errors ${rec.errors}, non-2xx ${rec.non2xx}) p99 ${rec.latency.p99} ms | bare ${Math.round(base.requests.average)} req/s p99 ${base.latency.p99} ms`,
    );
  }
  svc.proc.kill('SIGTERM');
  bare.proc.kill('SIGTERM');
  await Promise.all([stopped(svc.proc), stopped(bare.proc)]);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const recordedPerSecond = median(rounds.map((r) => r.recorded));
  const p99 = median(rounds.map((r) => r.p99));
  const bareRps = median(rounds.map((r) => r.bare));
  const ratio = median(rounds.map((r) => r.recorded / r.bare));
  console.log(`open pixel, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, loopback, ${RECIPIENTS} recipients (medians)`);
  console.log(`  service (durable recording): ${Math.round(recordedPerSecond)} recorded opens/s   p99 ${p99} ms`);
  console.log(`  bare node:http GIF:          ${Math.round(bareRps)} req/s   p99 ${median(rounds.map((r) => r.bareP99))} ms`);
  console.log(`  ratio recorded/bare:         ${ratio.toFixed(2)}`);
  console.log(
    `  goals: >= 10000/s ${recordedPerSecond >= 10_000 ? 'met' : 'MISSED'}, ratio >= 0.5 ${ratio >= 0.5 ? 'met' : 'MISSED'}, p99 < 20 ms ${p99 < 20 ? 'met' : 'MISSED'}`,
  );

  // SIGTERM under load: every pixel answered 200 must be in the database afterwards.
  const svc2 = await startService();
  const before2 = countOpens();
  const running = load(svc2.url, paths, 5);
  await sleep(2000);
  svc2.proc.kill('SIGTERM');
  const exitCode = await stopped(svc2.proc);
  const under = await running;
  const recorded2 = countOpens() - before2;
  const lost = Math.max(0, under['2xx'] - recorded2);
  console.log(
    `SIGTERM after 2 s of load: exit ${exitCode}, answered 200: ${under['2xx']}, recorded: ${recorded2}, lost: ${lost} -> ${lost === 0 ? 'no event lost' : 'EVENTS LOST'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
