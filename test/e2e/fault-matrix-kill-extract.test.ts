// Fault matrix, SIGKILL during extraction: the real service process is killed while it reads the
// target lists from a slow Sugar. A restart extracts again from the start and sends each target
// exactly one message: a half-written ledger never turns into lost or doubled targets.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSugarSim, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { openStore } from '../../service/src/store/db.js';
import { waitFor } from '../support/stack.js';

const API_KEY = 'kill-extract-api-key-0123';
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
      LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LEADFWD_SMTP_RATE: '200', LEADFWD_API_KEY: API_KEY, LEADFWD_BOUNCE_SMTP_PORT: '0',
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
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-killx-'));
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

describe('SIGKILL during extraction', () => {
  it('re-extracts after a restart and sends every target exactly once', async () => {
    const { listIds } = sim.seedBulk({ lists: 2, perList: 300, overlap: 0.1, optedOutFraction: 0, invalidFraction: 0, missingFraction: 0 });
    sim.faults.latencyMs = 250; // every Sugar call slow, so extraction is still running when the kill comes
    proc = await startServiceProcess();
    const created = await api('/campaigns', {
      method: 'POST',
      body: JSON.stringify({ name: 'Kill', subject: 'Hi', fromName: 'Ops', fromEmail: 'ops@example.com', html: '<p>Hi</p>', targetListIds: listIds }),
    });
    const id = created.id;
    await waitFor(async () => (await api(`/campaigns/${id}`)).status === 'extracting' || undefined, 'extraction under way');
    await new Promise((r) => setTimeout(r, 300)); // let it read a page first
    expect((await api(`/campaigns/${id}`)).status).toBe('extracting');
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    expect(sink.messages).toHaveLength(0);

    sim.faults.latencyMs = 0;
    proc = await startServiceProcess();
    const done = await waitFor(async () => {
      const c = await api(`/campaigns/${id}`);
      return c.status === 'sent' ? c : undefined;
    }, 'sent after restart', 60_000);
    const stopped = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await stopped;
    proc = undefined;

    const store = openStore(join(dir, 'data', 'leadfwd.sqlite'));
    const rows = store.recipients.list(id, { limit: 100_000, offset: 0 });
    store.close();
    const received = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    expect(rows.length).toBe(done.audit.queued);
    expect(rows.length).toBeGreaterThan(500); // both lists, overlap counted once
    expect(rows.every((r) => r.state === 'accepted')).toBe(true);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(sink.messages).toHaveLength(rows.length);
  }, 120_000);
});
