// The service as a real child process (`node --import tsx service/src/main.ts`) beside an in-process
// Sugar simulator and SMTP sink, for tests that kill or signal the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSugarSim, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { TEST_SENDER_DOMAINS, waitFor } from './stack.js';
import { randomSecret } from './secrets.js';

export interface ServiceRig {
  sim: SugarSim;
  sink: Awaited<ReturnType<typeof startSmtpSink>>;
  dir: string;
  port: number;
  /** Starts a service process on the rig's data folder and resolves once /healthz answers. */
  start(): Promise<ChildProcess>;
  api(path: string, init?: RequestInit): Promise<any>;
  close(): Promise<void>;
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
        LEADFWD_PORT: String(port), LEADFWD_DATA_DIR: join(dir, 'data'), LEADFWD_SUGAR_URL: sim.url,
        LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LEADFWD_API_KEY: apiKey, LEADFWD_SECRET: secret, LEADFWD_BOUNCE_SMTP_PORT: '0',
        LEADFWD_LOG_LEVEL: 'warn', LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS, ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return waitFor(async () => {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      return ok ? child : undefined;
    }, 'service up', 30_000);
  };

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
      ...init, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...init.headers },
    }).then((r) => r.json() as Promise<any>);

  return {
    sim, sink, dir, port, start, api,
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await sink.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
