// What every benchmark script needs around its measurement: free ports, a pause, the service as deployed, and the
// simulator in a process of its own (so its CPU is not counted as ours).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { CampaignStatus } from '../../service/src/domain/types.js';
import type { Store } from '../../service/src/ports/index.js';
import type { LedgerTarget } from '../../service/src/store/ledger-values.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { freePort } from '../postgres.js';

/**
 * BENCH_SPLIT_CORES=1: the service's host as deployed, on this one machine. The server measured (the service, or a
 * baseline) has CPU 0 alone; everything that runs on hosts of its own in a deployment (PostgreSQL, the Sugar simulator,
 * the relay, the load generator) has CPU 1. Co-located, their CPU is taken from the service's cores.
 */
export const SPLIT_CORES = process.env.BENCH_SPLIT_CORES === '1';
export const SERVER_CPU = 0;
export const ELSEWHERE_CPU = 1;

/** Every thread of a process, and those it starts later, on one CPU (no-op unless BENCH_SPLIT_CORES=1). */
export function pinToCpu(pid: number | undefined, cpu: number): void {
  if (SPLIT_CORES && pid) execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** A command line started on the server's CPU when the cores are split (taskset execs it: the pid stays the command's). */
export const onServerCpu = (cmd: string, args: string[]): [string, string[]] =>
  SPLIT_CORES ? ['taskset', ['-c', String(SERVER_CPU), cmd, ...args]] : [cmd, args];

/**
 * The arguments after `node` that start the service as the deployment does (docs/deploy/Dockerfile): bundled like
 * `npm run build` (service + send thread), plain node, built into `dir`. BENCH_SOURCE=1: from source with tsx instead, as
 * `npm start` runs it (slower start, a TypeScript loader thread per JS thread, more memory).
 */
export async function serviceEntry(dir: string): Promise<string[]> {
  if (process.env.BENCH_SOURCE) return ['--import', 'tsx', 'service/src/main.ts'];
  const out = join(dir, 'dist');
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' } as const;
  await build({ ...common, entryPoints: ['service/src/main.ts'], outfile: join(out, 'service.mjs') });
  await build({ ...common, entryPoints: ['service/src/mail/send-threads/thread.ts'], outfile: join(out, 'send-thread.mjs') });
  cpSync('service/src/store/migrations', join(out, 'migrations'), { recursive: true });
  cpSync('service/src/store/pg/migrations', join(out, 'pg-migrations'), { recursive: true });
  symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
  return [join(out, 'service.mjs')];
}

/** `npm run sugar-sim` on a free port with no data; killed when this process exits. */
export async function startSimProcess(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/sugar-sim/main.ts'], {
    env: { ...process.env, SUGAR_SIM_PORT: '0', SUGAR_SIM_SEED: 'empty' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => proc.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  proc.stdout!.resume();
  return { proc, url };
}

/** A campaign created as a bench needs it, walked to 'sending' (or on to 'sent') the way a start does. */
export async function seedCampaign(store: Pick<Store, 'campaigns'>, id: string, o: { name?: string; sent?: boolean } = {}): Promise<void> {
  await store.campaigns.create(
    {
      name: o.name ?? id,
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
  const path: CampaignStatus[] = ['draft', 'extracting', 'pending', 'sending', ...(o.sent ? (['sent'] as const) : [])];
  for (let i = 1; i < path.length; i++) await store.campaigns.transition(id, [path[i - 1]], path[i]);
}

/** The i-th ledger target of a bench: a consenting Contact at `domain`, on list `listId`. */
export function benchTarget(i: number, domain: string, listId: string): LedgerTarget {
  const email = `p${i}@${domain}`;
  return { module: 'Contacts', id: `c${i}`, listId, email, fields: {}, trackingConsent: true, addressKey: email };
}

/** Fields of /proc/<pid>/stat after the command name: 0 state, 1 parent, 11 utime, 12 stime, 13 cutime, 14 cstime. */
const procStat = (pid: number, task = '') => readFileSync(`/proc/${pid}/${task}stat`, 'utf8').split(') ')[1].split(' ');
const ticksMs = (fields: string[], from: number, to: number) => fields.slice(from, to).reduce((a, b) => a + Number(b) * 10, 0); // 10 ms ticks

/** User + system CPU of every thread of these processes so far, in ms. */
export const cpuMsOf = (...pids: number[]) => pids.reduce((sum, pid) => sum + ticksMs(procStat(pid), 11, 13), 0);

/** The same for the processes' main threads alone (a Node process's event loop: the ledger, HTTP, the write-back). */
export const mainThreadCpuMsOf = (...pids: number[]) => pids.reduce((sum, pid) => sum + ticksMs(procStat(pid, `task/${pid}/`), 11, 13), 0);

/**
 * CPU of a PostgreSQL server so far, in ms: the postmaster, its live backends and the ones it has reaped. The
 * benchmarks print it because here the server shares the two cores with the service.
 */
export function postgresCpu(server: { psql(sql: string): string }): () => number {
  const postmasterPid = postmasterPidOf(server);
  return () => {
    let ms = ticksMs(procStat(postmasterPid), 11, 15);
    for (const pid of childrenOf(postmasterPid)) {
      try {
        ms += ticksMs(procStat(pid), 11, 13);
      } catch {} // gone meanwhile
    }
    return ms;
  };
}

/** The server and its processes so far off the measured server's CPU; the backends it forks later inherit it. */
export function pinPostgresElsewhere(server: { psql(sql: string): string }): void {
  const postmasterPid = postmasterPidOf(server);
  pinToCpu(postmasterPid, ELSEWHERE_CPU);
  for (const pid of childrenOf(postmasterPid)) {
    try {
      pinToCpu(pid, ELSEWHERE_CPU);
    } catch {} // gone meanwhile
  }
}

const postmasterPidOf = (server: { psql(sql: string): string }) =>
  Number(readFileSync(join(server.psql('SHOW data_directory'), 'postmaster.pid'), 'utf8').split('\n')[0]);

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (Number(procStat(Number(pid))[1]) === parent) out.push(Number(pid));
    } catch {} // gone meanwhile
  }
  return out;
}
