// Benchmark (not a test) of the whole campaign pipeline — extraction from the Sugar simulator,
// merge, link rewriting, DKIM, ledger writes, pooled SMTP — against Postfix's smtp-sink on loopback,
// next to bare nodemailer sending the same pre-built bytes, and copies of them each DKIM-signed afresh (the signed
// baseline, the floor that includes RSA), in the same run (before and after it).
//   npx tsx scripts/bench/campaign.ts [recipients=20000]
// The service runs as shipped: bundled like `npm run build` (service + send thread), plain node.
// BENCH_SOURCE=1 runs it from source with tsx instead (slower start, a TypeScript loader thread
// per JS thread, more memory). BENCH_CONNECTIONS (default 8), BENCH_THREADS and BENCH_DKIM_WORKERS
// (LEADFWD_SEND_THREADS / LEADFWD_DKIM_WORKERS; default: the service's own), BENCH_PROF=1 (CPU
// profiles of every service thread in /tmp/prof). BENCH_PROVIDERS=4 spreads the recipients over four domains
// whose MX records (served by a DNS server this script starts, LEADFWD_DNS_SERVERS) are Google's, Microsoft's,
// Yahoo's and Apple's, so the service groups them into four mailbox providers (issue 16); the baseline is the same.
// BENCH_STORE=pg runs the service on a throwaway PostgreSQL cluster (LEADFWD_DATABASE_URL; pg_stat_statements counts
// the statements, each one round trip) with BENCH_PROCESSES service processes (default 1) sharing it;
// BENCH_DB_POOL sets LEADFWD_DATABASE_POOL. LEADFWD_ROLES reaches the service processes as it is (without `writeback`: the
// send path alone, the write-back left to a process elsewhere). BENCH_PROVIDER_CONCURRENCY=n gives the sender identity a concurrency of
// n per mailbox provider ("*"), which processes on PostgreSQL share as leased slots; BENCH_PROVIDER_RATE=n a rate of n messages a second per provider. BENCH_JSON=1 adds one `BENCH_RESULT {…}` line (scripts/bench/side-by-side.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { createDkimPreparer, createDkimSigner } from '../../service/src/mail/dkim.js';
import { buildMessage } from '../../service/src/mail/message.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { startDnsServer } from '../../test/support/dns-server.js';
import { startPostgres } from '../postgres.js';
import { startSugarSim } from '../sugar-sim/server.js';
import {
  cpuMsOf,
  ELSEWHERE_CPU,
  freePort,
  mainThreadCpuMsOf,
  onServerCpu,
  pinPostgresElsewhere,
  pinToCpu,
  postgresCpu,
  SERVER_CPU,
  SPLIT_CORES,
  serviceEntry,
  sleep,
} from './support.js';

const TOTAL = Number(process.argv[2] ?? 20_000);
const LISTS = 3;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const API_KEY = randomBytes(32).toString('base64url'); // the service refuses weak secrets
const SECRET = randomBytes(32).toString('base64url'); // one for all processes: any of them verifies any link

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bench-'));
const smtpPort = await freePort();
const sinkProc = spawn('/usr/sbin/smtp-sink', ['-c', '-u', 'nobody', `127.0.0.1:${smtpPort}`, '1000'], { stdio: 'ignore' });
pinToCpu(sinkProc.pid, ELSEWHERE_CPU); // the relay
const sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
// Overlap and bad addresses make extraction do real work; the per-list size is chosen so the
// queued total lands near TOTAL.
const perList = Math.ceil(TOTAL / LISTS / 0.85);
const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 1);
const PROVIDER_MX = [
  ['bench-google.test', 'aspmx.l.google.com'],
  ['bench-microsoft.test', 'bench-microsoft-test.mail.protection.outlook.com'],
  ['bench-yahoo.test', 'mta5.am0.yahoodns.net'],
  ['bench-apple.test', 'mx01.mail.icloud.com'],
].slice(0, PROVIDERS > 1 ? PROVIDERS : 0);
const dns = PROVIDER_MX.length ? await startDnsServer({ MX: Object.fromEntries(PROVIDER_MX.map(([d, mx]) => [d, [{ exchange: mx }]])) }) : undefined;
const { listIds } = sim.seedBulk({
  lists: LISTS,
  perList,
  overlap: 0.05,
  optedOutFraction: 0.03,
  invalidFraction: 0.02,
  missingFraction: 0.02,
  ...(PROVIDER_MX.length ? { domains: PROVIDER_MX.map(([d]) => d) } : {}),
});
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
writeFileSync(join(dir, 'dkim.pem'), privateKeyPem);

const entry = await serviceEntry(dir);

const STORE = process.env.BENCH_STORE === 'pg' ? 'pg' : 'sqlite';
const PROCESSES = STORE === 'pg' ? Math.max(1, Number(process.env.BENCH_PROCESSES ?? 1)) : 1;
// fsync stays off as in the tests (the benchmark measures the service, not this VM's disk).
// BENCH_PG_SETTINGS=name=value,… adds server settings (e.g. autovacuum_vacuum_scale_factor=0.01).
// BENCH_PG_LOCALE=icu:en-US (or C.utf8): the database with that collation instead of C, as many servers create theirs.
const pgSettings = Object.fromEntries(
  (process.env.BENCH_PG_SETTINGS ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
const pgServer =
  STORE === 'pg'
    ? await startPostgres({ settings: { shared_preload_libraries: 'pg_stat_statements', ...pgSettings }, databaseLocale: process.env.BENCH_PG_LOCALE })
    : undefined;
pgServer?.psql('CREATE EXTENSION pg_stat_statements', 'leadfwd');
if (pgServer) pinPostgresElsewhere(pgServer);
/** Statements the services ran (each is one round trip with node-postgres) and transactions, so far. */
function dbCounts(): { statements: number; transactions: number } | undefined {
  if (!pgServer) return undefined;
  const [statements, transactions] = pgServer
    .psql(
      `SELECT (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'leadfwd' AND s.query NOT LIKE '%pg_stat%'),
              (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'leadfwd')`,
      'leadfwd',
    )
    .split('|')
    .map(Number);
  return { statements, transactions };
}

const servicePort = await freePort();
const startServiceProc = async (port: number, index: number) =>
  spawn(...onServerCpu(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), ...entry]), {
    env: {
      ...process.env,
      LEADFWD_PORT: String(port),
      LEADFWD_DATA_DIR: join(dir, `data${index || ''}`),
      ...(pgServer ? { LEADFWD_DATABASE_URL: pgServer.url } : {}),
      ...(process.env.BENCH_DB_POOL ? { LEADFWD_DATABASE_POOL: process.env.BENCH_DB_POOL } : {}),
      LEADFWD_SUGAR_URL: sim.url,
      LEADFWD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LEADFWD_SMTP_RATE: '100000',
      LEADFWD_SMTP_MAX_CONNECTIONS: String(Math.max(1, Math.round(CONNECTIONS / PROCESSES))),
      LEADFWD_API_KEY: API_KEY,
      LEADFWD_SECRET: SECRET,
      LEADFWD_LOG_LEVEL: 'warn',
      LEADFWD_DKIM_DOMAIN: 'example.com',
      LEADFWD_DKIM_SELECTOR: 'lf',
      LEADFWD_DKIM_PRIVATE_KEY_FILE: join(dir, 'dkim.pem'),
      LEADFWD_BOUNCE_SMTP_PORT: String(await freePort()),
      ...(dns ? { LEADFWD_DNS_SERVERS: dns.server } : {}),
      ...(process.env.BENCH_THREADS !== undefined ? { LEADFWD_SEND_THREADS: process.env.BENCH_THREADS } : {}),
      ...(process.env.BENCH_DKIM_WORKERS !== undefined ? { LEADFWD_DKIM_WORKERS: process.env.BENCH_DKIM_WORKERS } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
const services: ChildProcess[] = [];
process.on('exit', () => {
  for (const s of services) s.kill('SIGKILL');
  sinkProc.kill();
  void pgServer?.stop('immediate'); // synchronous underneath: a failed run leaves no server behind
});
// user + system CPU of every thread of every service process, in ms
const cpuMs = () => cpuMsOf(...services.map((s) => s.pid!));
const mainCpuMs = () => mainThreadCpuMsOf(...services.map((s) => s.pid!));
const pgCpuMs = pgServer ? postgresCpu(pgServer) : () => 0;
/** The largest of the service processes' figures. */
const rssMb = (field: 'VmRSS' | 'VmHWM') =>
  Math.max(...services.map((s) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024));
const api = async (path: string, body?: unknown) =>
  (
    await fetch(`http://127.0.0.1:${servicePort}/api/v1${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
  ).json() as any;
// One after the other: the first migrates the database, the others find it current.
for (let p = 0; p < PROCESSES; p++) {
  const port = p === 0 ? servicePort : await freePort();
  const proc = await startServiceProc(port, p);
  services.push(proc);
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300 || proc.exitCode !== null) throw new Error(`service ${p + 1} did not start`);
    await sleep(100);
  }
}

if (process.env.BENCH_PROVIDER_CONCURRENCY || process.env.BENCH_PROVIDER_RATE) {
  let listed = await fetch(`http://127.0.0.1:${servicePort}/api/v1/identities`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  for (let n = 0; n < 100 && listed.status === 503; n++) {
    await sleep(100); // the service answers its API once its start-up work is done
    listed = await fetch(`http://127.0.0.1:${servicePort}/api/v1/identities`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  }
  const { identities } = (await listed.json()) as { identities: any[] };
  const i = identities.find((x: { isDefault: boolean }) => x.isDefault);
  const res = await fetch(`http://127.0.0.1:${servicePort}/api/v1/identities/${i.id}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: i.name,
      fromDomains: i.fromDomains,
      fromAddresses: i.fromAddresses,
      dkim: { domain: i.dkim.domain, selector: i.dkim.selector },
      relay: { url: i.relay.url, maxConnections: i.relay.maxConnections },
      bounceDomain: i.bounceDomain,
      rate: i.rate,
      providerLimits: {
        '*': {
          ...(process.env.BENCH_PROVIDER_CONCURRENCY ? { concurrency: Number(process.env.BENCH_PROVIDER_CONCURRENCY) } : {}),
          ...(process.env.BENCH_PROVIDER_RATE ? { perSecond: Number(process.env.BENCH_PROVIDER_RATE) } : {}),
        },
      },
    }),
  });
  if (!res.ok) throw new Error(`could not set the provider limits: ${await res.text()}`);
}

const section = (i: number) =>
  `<mj-section><mj-column><mj-text><h2>Story ${i} for {{ first_name | default: "you" }}</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua at {{ account_name | default: "your company" }}.</p><p><a href="https://news.example.com/story/${i}?utm_source=leadfwd">Read more</a></p></mj-text><mj-button href="https://shop.example.com/p/${i}">Shop</mj-button></mj-column></mj-section>`;
const content = {
  subject: 'News for {{ first_name }}',
  fromName: 'Example',
  fromEmail: 'news@example.com',
  mjml: `<mjml><mj-body>${Array.from({ length: 6 }, (_, i) => section(i)).join('')}</mj-body></mjml>`,
};
// Baseline: bare nodemailer pool, same connection count, sending one message the pipeline would build
// for this campaign (same template, tracked links, DKIM-signed), pre-built once. It runs before and
// after the pipeline and the ratio uses the mean, so drift on this shared machine hits both sides.
const compiled = await compileCampaign({ campaignId: 'benchmark-campaign', ...content });
const sample = buildMessage(
  compiled,
  { rowId: 123_456, email: 'someone@example.org', fields: { first_name: 'Someone' }, trackingConsent: true },
  {
    publicUrl: `http://127.0.0.1:${servicePort}`,
    secret: 'bench',
    bounceDomain: 'bounces.leadfwd.localhost',
    messageIdDomain: 'example.com',
    feedbackSenderId: 'leadfwd',
    senderPostalAddress: 'LeadFWD Demo, 1 Example Street, Springfield',
  },
);
const raw = createDkimSigner({ domainName: 'example.com', keySelector: 'lf', privateKeyPem })(sample.raw) + sample.raw;
// The signed baseline signs every copy afresh (body hash, canonical headers, RSA-2048 with the same key): the floor
// that includes the RSA cost. RSA runs in libuv's thread pool (crypto.sign with a callback), so a bare sender, like
// the pipeline's send threads, has every core for it.
const prepareDkim = createDkimPreparer({ domainName: 'example.com', keySelector: 'lf' });
const dkimKey = createPrivateKey(privateKeyPem);
const signRsa = (data: string) =>
  new Promise<string>((resolve, reject) => sign('sha256', Buffer.from(data), dkimKey, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64')))));
async function signedCopy(): Promise<string> {
  const p = prepareDkim(sample.raw);
  return p.finish(await signRsa(p.canonical)) + sample.raw;
}
async function bare(n: number, signed = false): Promise<{ rate: number; cpuUs: number }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  let next = 0;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONNECTIONS * 4 }, async () => {
      while (next < n) {
        next++;
        await transport.sendMail({ envelope: { from: sample.envelope.from, to: [...sample.envelope.to] }, raw: signed ? await signedCopy() : raw });
      }
    }),
  );
  const rate = n / ((performance.now() - t) / 1000);
  const cpu = process.cpuUsage(cpu0);
  transport.close();
  return { rate, cpuUs: (cpu.user + cpu.system) / n };
}
const BARE_MESSAGES = Math.max(2000, Math.round(TOTAL / 2));
pinToCpu(process.pid, SERVER_CPU); // the baselines are servers measured: the service's CPU alone
await bare(2000); // warm-up: the first thousands run on cold JIT
await bare(1000, true);
const before = await bare(BARE_MESSAGES);
const signedBefore = await bare(BARE_MESSAGES, true);

pinToCpu(process.pid, ELSEWHERE_CPU); // while the pipeline runs, this process is Sugar
sim.clearRequests();
const dbAtCreate = dbCounts();
let dbAtSending: ReturnType<typeof dbCounts>;
let dbAtSent: ReturnType<typeof dbCounts>;
let acceptedAtSending = 0;
const t0 = performance.now();
const created = await api('/campaigns', { name: 'Benchmark', ...content, targetListIds: listIds });
let c: any = { status: 'draft' };
let peakExtractMb = 0;
let peakSendMb = 0;
let cpuAtSending = 0;
let cpuAtSent = 0;
let mainCpuAtSending = 0;
let mainCpuAtSent = 0;
let pgCpuAtSending = 0;
let pgCpuAtSent = 0;
// This process hosts the Sugar simulator, which answers the write-back on the same two cores.
let simCpuAtSending: NodeJS.CpuUsage | undefined;
let simCpuWhileSending = { user: 0, system: 0 };
// RSS is read from /proc often; the API (each GET counts the ledger and the write-back outbox)
// only once a second while sending. Rates come from the stored transition times anyway.
const rssSampler = setInterval(() => {
  const rss = rssMb('VmRSS');
  if (c.status === 'sending') peakSendMb = Math.max(peakSendMb, rss);
  else if (c.status !== 'sent') peakExtractMb = Math.max(peakExtractMb, rss);
}, 100);
for (;;) {
  c = await api(`/campaigns/${created.id}`);
  if (c.status === 'sending' && !cpuAtSending) {
    cpuAtSending = cpuMs();
    mainCpuAtSending = mainCpuMs();
    pgCpuAtSending = pgCpuMs();
    simCpuAtSending = process.cpuUsage();
    dbAtSending = dbCounts();
    acceptedAtSending = c.progress.accepted;
  }
  if (c.status === 'sent') {
    cpuAtSent = cpuMs();
    mainCpuAtSent = mainCpuMs();
    pgCpuAtSent = pgCpuMs();
    simCpuWhileSending = process.cpuUsage(simCpuAtSending);
    dbAtSent = dbCounts();
  }
  if (c.status === 'sent' || c.status === 'failed') break;
  await sleep(c.status === 'sending' ? 1000 : 50);
}
clearInterval(rssSampler);
if (c.status !== 'sent') {
  // One clear line instead of figures of nothing (two processes without leases extract one campaign twice, for one).
  console.error(`the campaign ended ${c.status}: ${JSON.stringify({ history: c.history?.at(-1), audit: c.audit, error: c.error ?? c.lastError })}`);
  process.exit(1);
}
const sentAt = performance.now();
const at = (status: string) => Date.parse(c.history.find((h: any) => h.status === status)?.at);
const extractMs = at('pending') - at('extracting');
const sendMs = at('sent') - at('sending');
const pipelineRate = c.progress.accepted / (sendMs / 1000);
const rss = rssMb('VmHWM');
// Extraction only: the write-back may talk to Sugar once sending starts.
const calls = sim.requests().filter((r) => !r.bulk && r.path.includes('/rest/') && r.at <= at('pending'));
// Minimum at page size 1000: one call per page of each list's link (an empty link still costs one call),
// one to look the lists up, and one login.
const members = sim.db
  .prepare(
    `SELECT prospect_list_id AS list_id, related_type, COUNT(*) n FROM prospect_lists_prospects WHERE deleted = 0 GROUP BY prospect_list_id, related_type`,
  )
  .all() as Array<{ list_id: string; related_type: string; n: number }>;
const minimum =
  2 + listIds.reduce((sum, id) => sum + 5 + members.filter((m) => m.list_id === id).reduce((s, m) => s + Math.max(0, Math.ceil(m.n / 1000) - 1), 0), 0);
// BENCH_PG_TOP=n: the n statements run most often (BENCH_PG_TOP_BY=time: that took longest), to see where the round trips go.
if (pgServer && process.env.BENCH_PG_TOP)
  console.log(
    pgServer.psql(
      `SELECT calls, rows, round(total_exec_time) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY ${process.env.BENCH_PG_TOP_BY === 'time' ? 'total_exec_time' : 'calls'} DESC LIMIT ${Number(process.env.BENCH_PG_TOP)}`,
      'leadfwd',
    ),
  );
const exited = Promise.all(services.map((s) => new Promise((resolve) => (s.exitCode !== null ? resolve(s.exitCode) : s.once('exit', resolve)))));
for (const s of services) s.kill('SIGTERM');
await exited; // their shutdown must not share the CPU with the baseline
// Which mailbox provider each row was grouped under (the MX look-up at extraction), read from the stopped service's store.
const providerSql = `SELECT coalesce(provider, '(none)') AS provider, COUNT(*) AS n FROM recipients GROUP BY 1 ORDER BY 1`;
let byProvider: Array<{ provider: string; n: number }>;
if (pgServer) {
  byProvider = pgServer
    .psql(providerSql, 'leadfwd')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ provider: line.split('|')[0], n: Number(line.split('|')[1]) }));
  await pgServer.destroy();
} else {
  const db = new Database(join(dir, 'data', 'leadfwd.sqlite'), { readonly: true });
  byProvider = db.prepare(providerSql).all() as typeof byProvider;
  db.close();
}

const N = c.progress.accepted;
pinToCpu(process.pid, SERVER_CPU);
const signedAfter = await bare(BARE_MESSAGES, true);
const after = await bare(BARE_MESSAGES);
const bareRate = (before.rate + after.rate) / 2;
const bareCpuUs = (before.cpuUs + after.cpuUs) / 2;
const signedRate = (signedBefore.rate + signedAfter.rate) / 2;
const signedCpuUs = (signedBefore.cpuUs + signedAfter.cpuUs) / 2;
const per = (a: ReturnType<typeof dbCounts>, b: ReturnType<typeof dbCounts>, n: number) =>
  a && b && n > 0 ? { statements: (b.statements - a.statements) / n, transactions: (b.transactions - a.transactions) / n } : undefined;
const dbWhole = per(dbAtCreate, dbAtSent, N);
const dbSending = per(dbAtSending, dbAtSent, N - acceptedAtSending);
const roundTrips =
  dbWhole && dbSending
    ? `  database round trips (statements) per message: ${dbWhole.statements.toFixed(2)} create → sent (extraction, write-back, status polls included), ${dbSending.statements.toFixed(2)} while sending; transactions per message ${dbWhole.transactions.toFixed(2)} and ${dbSending.transactions.toFixed(2)}\n`
    : '';

console.log(`
Campaign pipeline benchmark (${N} recipients queued from ${LISTS} lists of ${perList}; ${CONNECTIONS} SMTP connections${PROCESSES > 1 ? ` in all, ${Math.max(1, Math.round(CONNECTIONS / PROCESSES))} per process` : ''}; smtp-sink on loopback; ${PROVIDER_MX.length ? `${PROVIDER_MX.length} mailbox providers by MX` : 'one recipient domain'})
  store: ${STORE === 'pg' ? `PostgreSQL (throwaway cluster, fsync off), ${PROCESSES} service process${PROCESSES > 1 ? 'es' : ''}` : 'SQLite (embedded)'}${process.env.LEADFWD_ROLES ? `; roles ${process.env.LEADFWD_ROLES} (without writeback: the write-back waits in the outbox for a process that has it)` : ''}
  cores: ${SPLIT_CORES ? `split (BENCH_SPLIT_CORES=1): the service, and each baseline, on CPU ${SERVER_CPU} alone; ${pgServer ? 'PostgreSQL, ' : ''}the Sugar simulator and smtp-sink on CPU ${ELSEWHERE_CPU}, as on hosts of their own` : `all ${availableParallelism()} shared by the service, ${pgServer ? 'PostgreSQL, ' : ''}the Sugar simulator, smtp-sink and the baselines`}
  service ${process.env.BENCH_SOURCE ? 'from source (tsx)' : 'bundled (esbuild, plain node)'}; LEADFWD_SEND_THREADS=${process.env.BENCH_THREADS ?? '(default)'}, LEADFWD_DKIM_WORKERS=${process.env.BENCH_DKIM_WORKERS ?? '(default)'}
  rows per mailbox provider: ${byProvider.map((p) => `${p.provider} ${p.n}`).join(', ')}
  extraction: ${c.audit.candidates} candidates → ${c.audit.queued} queued in ${(extractMs / 1000).toFixed(2)} s
  Sugar HTTP calls for extraction: ${calls.length} (minimum at page size 1000: ${minimum})
  whole pipeline (merge, links, DKIM, ledger, SMTP): ${pipelineRate.toFixed(0)} messages/s
  bare nodemailer pool, pre-built ${raw.length}-byte messages: ${bareRate.toFixed(0)} messages/s (${before.rate.toFixed(0)} before the pipeline, ${after.rate.toFixed(0)} after)
  ratio pipeline / bare: ${(pipelineRate / bareRate).toFixed(2)}
  signed bare baseline, each copy DKIM-signed afresh (RSA in libuv's pool): ${signedRate.toFixed(0)} messages/s (${signedBefore.rate.toFixed(0)} before, ${signedAfter.rate.toFixed(0)} after)
  ratio pipeline / signed bare: ${(pipelineRate / signedRate).toFixed(2)} (goal >= 0.8 on SQLite, >= 0.7 on PostgreSQL)
  CPU per message: service ${(((cpuAtSent - cpuAtSending) * 1000) / N).toFixed(0)} µs (all threads${PROCESSES > 1 ? ', all processes' : ''}; main thread${PROCESSES > 1 ? 's' : ''} ${(((mainCpuAtSent - mainCpuAtSending) * 1000) / N).toFixed(0)} µs)${pgServer ? ` + PostgreSQL ${(((pgCpuAtSent - pgCpuAtSending) * 1000) / N).toFixed(0)} µs` : ''}, bare nodemailer ${bareCpuUs.toFixed(0)} µs, signed bare ${signedCpuUs.toFixed(0)} µs (machine load average ${loadavg()[0].toFixed(1)})
  CPU per message of this process while sending (Sugar simulator answering the write-back, status polls): ${((simCpuWhileSending.user + simCpuWhileSending.system) / N).toFixed(0)} µs
${roundTrips}  service peak RSS${PROCESSES > 1 ? ' (largest process)' : ''}: ${rss.toFixed(0)} MB (sampled: ${peakExtractMb.toFixed(0)} MB while extracting, ${peakSendMb.toFixed(0)} MB while sending)
  wall time create → sent: ${((sentAt - t0) / 1000).toFixed(1)} s`);

if (process.env.BENCH_JSON)
  console.log(
    `BENCH_RESULT ${JSON.stringify({ store: STORE, processes: PROCESSES, ...(SPLIT_CORES ? { splitCores: true } : {}), connections: CONNECTIONS, ...(process.env.LEADFWD_ROLES ? { roles: process.env.LEADFWD_ROLES } : {}), recipients: N, pipelineRate, bareRate, signedRate, cpuUs: ((cpuAtSent - cpuAtSending) * 1000) / N, pgCpuUs: ((pgCpuAtSent - pgCpuAtSending) * 1000) / N, signedCpuUs, dbWhole, dbSending, rssMb: rss, loadavg: loadavg()[0] })}`,
  );
sinkProc.kill();
await dns?.close();
await sim.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
