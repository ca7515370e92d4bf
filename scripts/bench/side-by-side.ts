// Benchmark (not a test): the campaign benchmark on SQLite (with every role, and without the write-back's) and on
// PostgreSQL with 1 and 2 service processes, SQLite and PostgreSQL once more with 16 SMTP connections instead of 8, and the
// pixel benchmark on both stores, one after the other in one run, then one table of their figures against the goals. Last,
// where the machine has two cores or more, the campaign on both stores and the pixel on PostgreSQL with the cores split
// (BENCH_SPLIT_CORES=1, scripts/bench/support.ts): the service's host as deployed, its database and Sugar elsewhere.
//   npx tsx scripts/bench/side-by-side.ts [recipients=20000] [pixel seconds per round=5]
// Each part runs as its own process (scripts/bench/campaign.ts, scripts/bench/pixel.ts with BENCH_STORE and
// BENCH_PROCESSES), printing its full report as it goes; BENCH_ONLY=campaign or =pixel runs one half.
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

const RECIPIENTS = process.argv[2] ?? '20000';
const PIXEL_SECONDS = process.argv[3] ?? '5';
const ONLY = process.env.BENCH_ONLY;
const SPLIT = availableParallelism() >= 2;
const cores = (r: { splitCores?: boolean }) => (r.splitCores ? ', cores split' : '');

function run(script: string, args: string[], env: Record<string, string>): Promise<any> {
  return new Promise((resolve, reject) => {
    console.log(
      `\n$ ${Object.entries(env)
        .map(([k, v]) => `${k}=${v} `)
        .join('')}npx tsx ${script} ${args.join(' ')}`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, ...env, BENCH_JSON: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      process.stdout.write(d);
    });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) reject(new Error(`${script} ${JSON.stringify(env)} exited with ${code}`));
      else resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
    });
  });
}

const campaigns: any[] = [];
const pixels: any[] = [];
const failures: string[] = [];
const attempt = async (what: Promise<any>, into: any[]) => {
  try {
    into.push(await what);
  } catch (err) {
    failures.push((err as Error).message);
  }
};
if (ONLY !== 'pixel') {
  await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'sqlite' }), campaigns);
  // The send path alone: the write-back left to another process ("Running on several machines"), so neither it nor
  // the simulator answering it shares these cores with sending.
  await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'sqlite', LEADFWD_ROLES: 'api,tracking,send,automations' }), campaigns);
  await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'pg', BENCH_PROCESSES: '1' }), campaigns);
  // Two processes on this one host share its cores: one send thread each keeps the threads equal to the cores, as one
  // process has by default, so the run shows what coordinating through PostgreSQL costs, not more hardware.
  await attempt(
    run('scripts/bench/campaign.ts', [RECIPIENTS], {
      BENCH_STORE: 'pg',
      BENCH_PROCESSES: '2',
      BENCH_THREADS: String(Math.max(1, Math.floor(availableParallelism() / 2))),
    }),
    campaigns,
  );
  // Twice the SMTP connections, for the pipeline and its baselines alike: each of the pipeline's messages holds its
  // connection through the end of DATA mark's commit as well as the relay's reply, so at 8 its connections wait
  // where the baseline's cores are already full.
  await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'sqlite', BENCH_CONNECTIONS: '16' }), campaigns);
  await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'pg', BENCH_PROCESSES: '1', BENCH_CONNECTIONS: '16' }), campaigns);
  if (SPLIT) {
    await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'sqlite', BENCH_SPLIT_CORES: '1' }), campaigns);
    await attempt(run('scripts/bench/campaign.ts', [RECIPIENTS], { BENCH_STORE: 'pg', BENCH_PROCESSES: '1', BENCH_SPLIT_CORES: '1' }), campaigns);
  }
}
if (ONLY !== 'campaign') {
  await attempt(run('scripts/bench/pixel.ts', [PIXEL_SECONDS], { BENCH_STORE: 'sqlite' }), pixels);
  await attempt(run('scripts/bench/pixel.ts', [PIXEL_SECONDS], { BENCH_STORE: 'pg' }), pixels);
  if (SPLIT) await attempt(run('scripts/bench/pixel.ts', [PIXEL_SECONDS], { BENCH_STORE: 'pg', BENCH_SPLIT_CORES: '1' }), pixels);
}

const f0 = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(0));
const f2 = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(2));
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(`\nSide by side (${new Date().toISOString()}, load average at the end ${loadavg()[0].toFixed(1)})`);
if (campaigns.length) {
  console.log(
    '\nCampaign pipeline, messages/s | signed bare | ratio (goal) | prebuilt bare | CPU µs/msg service + PostgreSQL | round trips/msg whole, sending | peak RSS MB',
  );
  for (const c of campaigns) {
    const goal = c.store === 'pg' ? 0.7 : 0.8;
    const ratio = c.pipelineRate / c.signedRate;
    console.log(
      `  ${c.store === 'pg' ? `PostgreSQL, ${c.processes} process${c.processes > 1 ? 'es' : ''}` : 'SQLite'}${c.roles ? ` (roles ${c.roles})` : ''}, ${c.connections} connections${cores(c)}: ${f0(c.pipelineRate)} | ${f0(c.signedRate)} | ${f2(ratio)} (>= ${goal} ${verdict(ratio >= goal)}) | ${f0(c.bareRate)} | ${f0(c.cpuUs)} + ${c.store === 'pg' ? f0(c.pgCpuUs) : '—'} | ${f2(c.dbWhole?.statements)}, ${f2(c.dbSending?.statements)} | ${f0(c.rssMb)}`,
    );
  }
}
if (pixels.length) {
  console.log('\nOpen pixel, recorded opens/s | bare node:http req/s | ratio (goal >= 0.5) | p99 ms (goal < 20) | round trips per open | lost at SIGTERM');
  for (const p of pixels)
    console.log(
      `  ${p.store === 'pg' ? 'PostgreSQL' : 'SQLite'}${cores(p)}: ${f0(p.recordedPerSecond)} | ${f0(p.bareRps)} | ${f2(p.ratio)} ${verdict(p.ratio >= 0.5)} | ${p.p99} ${verdict(p.p99 < 20)} | ${p.roundTrips === undefined ? '—' : p.roundTrips.toFixed(3)} | ${p.sigtermLost}`,
    );
}
for (const f of failures) console.log(`FAILED: ${f}`);
process.exit(failures.length ? 1 : 0);
