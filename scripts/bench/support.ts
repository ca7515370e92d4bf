// What every benchmark script needs around its measurement: free ports, a pause, the service as deployed, and the
// simulator in a process of its own (so its CPU is not counted as ours).
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { CampaignStatus } from '../../service/src/domain/types.js';
import type { Store } from '../../service/src/ports/index.js';
import type { LedgerTarget } from '../../service/src/store/ledger-values.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { freePort } from '../postgres.js';

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
  const postmasterPid = Number(readFileSync(join(server.psql('SHOW data_directory'), 'postmaster.pid'), 'utf8').split('\n')[0]);
  return () => {
    let ms = ticksMs(procStat(postmasterPid), 11, 15);
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const f = procStat(Number(pid));
        if (Number(f[1]) === postmasterPid) ms += ticksMs(f, 11, 13);
      } catch {} // gone meanwhile
    }
    return ms;
  };
}
