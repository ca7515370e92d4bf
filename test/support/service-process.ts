// The service as a real child process (`node --import tsx service/src/main.ts`) beside an in-process
// Sugar simulator and SMTP sink, for tests that kill or signal the process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import type { LedgerRecipient } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { untilCampaign } from './campaigns.js';
import { perFileObject } from './per-file.js';
import { randomSecret } from './secrets.js';
import { TEST_SENDER_DOMAINS, waitFor } from './stack.js';

export interface ServiceRig {
  sim: SugarSim;
  sink: Awaited<ReturnType<typeof startSmtpSink>>;
  dir: string;
  port: number;
  /** Starts a service process on the rig's data folder and resolves once /healthz answers. */
  start(): Promise<ChildProcess>;
  api(path: string, init?: RequestInit): Promise<any>;
  /** Creates a campaign to the given lists (HTML content unless `html` says otherwise); resolves its id. */
  createCampaign(name: string, targetListIds: string[], html?: string): Promise<string>;
  /** The campaign's view once it is sent (after a restart, say), polled through the API. */
  untilSent(id: string, what: string, timeoutMs?: number): Promise<any>;
  /** Sends `signal` to a service process and resolves its exit code once it has exited. */
  signal(proc: ChildProcess, signal: NodeJS.Signals): Promise<number | null>;
  /** The campaign's ledger rows as the service left them in the rig's data folder (read while no process runs). */
  ledger(id: string): LedgerRecipient[];
  /** How many messages the sink took for each envelope recipient, lower-cased. */
  received(): Map<string, number>;
  close(): Promise<void>;
}

/** Only reachable, valid addresses: seedBulk options for lists where every member should get one message. */
export const cleanLists = (o: { lists: number; perList: number; overlap?: number }) => ({
  overlap: 0,
  ...o,
  optedOutFraction: 0,
  invalidFraction: 0,
  missingFraction: 0,
});

/** A rig for the whole test file: created before its tests, closed after them. */
export function useServiceRig(name: string, env: Record<string, string>): ServiceRig {
  return perFileObject(
    () => createServiceRig(name, env),
    (rig) => rig.close(),
    60_000,
  );
}

export async function createServiceRig(name: string, env: Record<string, string> = {}): Promise<ServiceRig> {
  const dir = mkdtempSync(join(tmpdir(), `leadfwd-${name}-`));
  const sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  const sink = await startSmtpSink({ port: 0 });
  const probe = await startSmtpSink({ port: 0 }); // borrow a free port for the service
  const port = probe.port;
  await probe.close();
  const apiKey = randomSecret(`${name}-api-key-`);
  // One secret for every start, so links in mail sent before a restart still verify after it.
  const secret = randomSecret();
  const children = new Set<ChildProcess>();

  const start = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      env: {
        ...process.env,
        LEADFWD_PORT: String(port),
        LEADFWD_DATA_DIR: join(dir, 'data'),
        LEADFWD_SUGAR_URL: sim.url,
        LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        LEADFWD_API_KEY: apiKey,
        LEADFWD_SECRET: secret,
        LEADFWD_BOUNCE_SMTP_PORT: '0',
        LEADFWD_LOG_LEVEL: 'warn',
        LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return waitFor(
      async () => {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? child : undefined;
      },
      'service up',
      30_000,
    );
  };

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...init.headers },
    }).then((r) => r.json() as Promise<any>);

  const createCampaign = async (name: string, targetListIds: string[], html = '<p>Hi</p>') => {
    const body = { name, subject: 'Hi {{first_name}}', fromName: 'Ops', fromEmail: 'ops@example.com', html, targetListIds };
    return (await api('/campaigns', { method: 'POST', body: JSON.stringify(body) })).id as string;
  };

  return {
    sim,
    sink,
    dir,
    port,
    start,
    api,
    createCampaign,
    untilSent: (id: string, what: string, timeoutMs = 60_000) => untilCampaign(async (_m, path) => ({ body: await api(path) }), id, 'sent', what, timeoutMs),
    signal(proc, signal) {
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill(signal);
      return exited;
    },
    ledger(id) {
      const store = openStore(join(dir, 'data', 'leadfwd.sqlite'));
      try {
        return store.recipients.list(id, { limit: 100_000, offset: 0 });
      } finally {
        store.close();
      }
    },
    received() {
      const counts = new Map<string, number>();
      for (const m of sink.messages) for (const to of m.envelope.to) counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
      return counts;
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await sink.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
