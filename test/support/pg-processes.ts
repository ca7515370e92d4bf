// Several real service processes (`node --import tsx service/src/main.ts`) on one throwaway PostgreSQL, beside one
// Sugar simulator and one SMTP sink, for the fault matrix of issue 15: each process has its own port and roles, all
// share the database, the signing secret and the API key. The test reads the shared database through a store of
// its own (leases: which process extracts, writes back, or holds rows 'sending').
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import type { Store } from '../../service/src/ports/index.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { perFileObject } from './per-file.js';
import { type PgServer, startPostgres } from './postgres.js';
import { randomSecret } from './secrets.js';
import { TEST_SENDER_DOMAINS, waitFor } from './stack.js';

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** The last few KB the process wrote to stderr (its warnings and errors), for a failing test to show. */
  stderr(): string;
}

export interface PgProcessRig {
  pg: PgServer;
  sim: SugarSim;
  sink: SmtpSink;
  /** The test's own view of the shared database. */
  store: Store;
  apiKey: string;
  /** Starts a process (roles and settings in `env`); resolves once /healthz answers. */
  start(name: string, env?: Record<string, string>): Promise<ServiceProcess>;
  /** SIGKILL: no goodbye, leases and claims left to expire. */
  kill(p: ServiceProcess): Promise<void>;
  /** The process whose owner id holds lease `name` now. */
  holderOf(lease: string): Promise<ServiceProcess | undefined>;
  api(p: ServiceProcess, path: string, init?: RequestInit): Promise<any>;
  /** Creates (and so starts) a campaign through `p`: a plain one from ops@example.com unless `over` says otherwise. */
  createCampaign(p: ServiceProcess, name: string, targetListIds: string[], over?: Record<string, unknown>): Promise<string>;
  /** Through `p`, as an administrator edits it: the default identity's concurrency per mailbox provider (undefined: none). */
  setProviderConcurrency(p: ServiceProcess, concurrency: number | undefined): Promise<void>;
  close(): Promise<void>;
}

/** A rig the file's tests share: started before them, closed after them. */
export function usePgProcessRig(name: string): PgProcessRig {
  return perFileObject(
    () => createPgProcessRig(name),
    (rig) => rig.close(),
    60_000,
  );
}

export async function createPgProcessRig(name: string, sinkOpts: Parameters<typeof startSmtpSink>[0] = {}): Promise<PgProcessRig> {
  const dir = mkdtempSync(join(tmpdir(), `leadfwd-${name}-`));
  const [pg, sim, sink] = await Promise.all([startPostgres(), startSugarSim({ port: 0, seed: 'empty', quiet: true }), startSmtpSink({ port: 0, ...sinkOpts })]);
  const apiKey = randomSecret(`${name}-api-key-`);
  const secret = randomSecret();
  const store = (await openPgStore(pg.url, { poolSize: 3 })) as unknown as Store;
  const running = new Map<number, ServiceProcess>();

  const start = async (pname: string, env: Record<string, string> = {}): Promise<ServiceProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      env: {
        ...process.env,
        LEADFWD_PORT: '0', // the process binds a free port and says which (no two processes racing for a probed one)
        LEADFWD_DATA_DIR: join(dir, pname),
        LEADFWD_DATABASE_URL: pg.url,
        LEADFWD_DATABASE_POOL: '4',
        LEADFWD_SUGAR_URL: sim.url,
        LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        LEADFWD_API_KEY: apiKey,
        LEADFWD_SECRET: secret,
        LEADFWD_BOUNCE_SMTP_PORT: '0',
        LEADFWD_LOG_LEVEL: 'info',
        LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS,
        LEADFWD_LEASE_TTL_MS: '1500',
        LEADFWD_SEND_THREADS: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const keep = (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-8000);
    };
    child.stderr?.on('data', keep);
    child.stdout?.on('data', keep);
    const exited = new Promise((r) => child.once('exit', r));
    let started: number | undefined;
    child.stdout?.on('data', (c: Buffer) => {
      const m = /"port":(\d+)[^\n]*"msg":"service\.started"/.exec(c.toString());
      if (m) started = Number(m[1]);
    });
    const p: ServiceProcess = { name: pname, port: 0, url: '', child, exited, stderr: () => stderr };
    running.set(child.pid!, p);
    void exited.then(() => running.delete(child.pid!));
    p.port = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`${pname} exited (${child.exitCode}): ${stderr}`);
        return started;
      },
      `${pname} up`,
      30_000,
    );
    p.url = `http://127.0.0.1:${p.port}`;
    return p;
  };

  const api: PgProcessRig['api'] = (p, path, init = {}) =>
    fetch(`${p.url}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...init.headers } }).then(
      async (r) => {
        const text = await r.text();
        try {
          return JSON.parse(text);
        } catch {
          throw new Error(`${p.name} answered ${init.method ?? 'GET'} ${path} with ${r.status}: ${text.slice(0, 200)}`);
        }
      },
    );

  return {
    pg,
    sim,
    sink,
    store,
    apiKey,
    start,
    async kill(p) {
      p.child.kill('SIGKILL');
      await p.exited;
    },
    async holderOf(lease) {
      const h = await store.leases.holder(lease);
      const pid = h && Number(/-(\d+)-[0-9a-f]{8}$/.exec(h.owner)?.[1]);
      return pid ? running.get(pid) : undefined;
    },
    api,
    async createCampaign(p, name, targetListIds, over = {}) {
      const body = { name, subject: 'Hi {{first_name}}', fromName: 'Ops', fromEmail: 'ops@example.com', html: '<p>Hi</p>', targetListIds, ...over };
      const created = await api(p, '/campaigns', { method: 'POST', body: JSON.stringify(body) });
      if (typeof created.id !== 'string') throw new Error(`${p.name} did not create campaign ${name}: ${JSON.stringify(created).slice(0, 300)}`);
      return created.id;
    },
    async setProviderConcurrency(p, concurrency) {
      const { identities } = await api(p, '/identities');
      const i = identities.find((x: { isDefault: boolean }) => x.isDefault);
      const body = {
        name: i.name,
        fromDomains: i.fromDomains,
        fromAddresses: i.fromAddresses,
        relay: { url: i.relay.url, maxConnections: i.relay.maxConnections },
        bounceDomain: i.bounceDomain,
        rate: i.rate,
        providerLimits: concurrency ? { '*': { concurrency } } : {},
      };
      const saved = await api(p, `/identities/${i.id}`, { method: 'PUT', body: JSON.stringify(body) });
      const limits = saved.providerLimits ?? saved.identity?.providerLimits;
      if (JSON.stringify(limits) !== JSON.stringify(body.providerLimits)) throw new Error(`the identity kept ${JSON.stringify(limits)}`);
    },
    async close() {
      for (const p of running.values()) p.child.kill('SIGKILL');
      await Promise.all([...running.values()].map((p) => p.exited));
      await store.close();
      await sink.close();
      await sim.close();
      await pg.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
