// Issue 3 "Must show": the service process is killed with SIGKILL in the middle of a send and
// restarted on the same data; no target receives two messages, and every target that the ledger
// does not hold as 'uncertain' received exactly one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSugarSim, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { openStore } from '../../service/src/store/db.js';
import { waitFor } from '../support/stack.js';

const API_KEY = 'crash-test-api-key-0123';
let sim: SugarSim;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let dir: string;
let port: number;
let proc: ChildProcess | undefined;

function startServiceProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
    env: {
      ...process.env,
      LEADFWD_PORT: String(port), LEADFWD_DATA_DIR: join(dir, 'data'), LEADFWD_SUGAR_URL: sim.url,
      LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LEADFWD_SMTP_RATE: '600', LEADFWD_API_KEY: API_KEY, LEADFWD_BOUNCE_SMTP_PORT: '0',
      LEADFWD_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return waitFor(async () => {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    return ok ? child : undefined;
  }, 'service up', 30_000);
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    ...init, headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json', ...init.headers },
  }).then((r) => r.json() as Promise<any>);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-crash-'));
  sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  sink = await startSmtpSink({ port: 0 });
  const probe = await startSmtpSink({ port: 0 }); // borrow a free port for the service
  port = probe.port;
  await probe.close();
}, 60_000);

afterAll(async () => {
  proc?.kill('SIGKILL');
  await sink?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL in the middle of a send', () => {
  it('resumes after restart without sending anyone twice or losing anyone outside uncertain', async () => {
    const { listIds } = sim.seedBulk({ lists: 2, perList: 1500, overlap: 0.1, optedOutFraction: 0, invalidFraction: 0, missingFraction: 0 });
    proc = await startServiceProcess();
    const created = await api('/campaigns', {
      method: 'POST',
      body: JSON.stringify({ name: 'Crash', subject: 'Hi {{first_name}}', fromName: 'Ops', fromEmail: 'ops@example.com', html: '<p>Hi <a href="https://example.com/x">x</a></p>', targetListIds: listIds }),
    });
    const id = created.id;
    await waitFor(async () => ((await api(`/campaigns/${id}`)).progress?.accepted ?? 0) > 300 || undefined, 'sending under way');
    proc.kill('SIGKILL');
    await new Promise((r) => proc!.once('exit', r));
    const atKill = sink.messages.length;

    proc = await startServiceProcess();
    const done = await waitFor(async () => {
      const c = await api(`/campaigns/${id}`);
      return c.status === 'sent' ? c : undefined;
    }, 'sent after restart', 60_000);
    proc.kill('SIGTERM');
    await new Promise((r) => proc!.once('exit', r));
    proc = undefined;

    const received = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    const store = openStore(join(dir, 'data', 'leadfwd.sqlite'));
    try {
      const rows = store.recipients.list(id, { limit: 100_000, offset: 0 });
      expect(rows.length).toBe(done.audit.queued);
      expect(atKill).toBeLessThan(rows.length); // the kill really happened mid-send
      const uncertain = rows.filter((r) => r.state === 'uncertain');
      // At most the in-flight window: 11 claimed rows plus outcomes not yet flushed (25 ms at 600/s).
      expect(uncertain.length).toBeLessThanOrEqual(40);
      for (const r of rows) {
        const n = received.get(r.email.toLowerCase()) ?? 0;
        if (r.state === 'uncertain') expect(n).toBeLessThanOrEqual(1);
        else {
          expect(r.state).toBe('accepted');
          expect(n, r.email).toBe(1);
        }
      }
      expect([...received.values()].every((n) => n === 1)).toBe(true);
    } finally {
      store.close();
    }
  }, 120_000);
});
