// Fault matrix, SIGTERM under load: the real service process gets SIGTERM while sending. Graceful
// means it stops claiming, lets every message on the wire be answered and recorded, exits 0, and
// leaves no row 'sending' or 'uncertain'; a restart finishes the campaign with one message each.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSugarSim, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { openStore } from '../../service/src/store/db.js';
import { waitFor } from '../support/stack.js';

const API_KEY = 'sigterm-test-api-key-0123';
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
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-sigterm-'));
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

describe('SIGTERM under load', () => {
  it('drains and exits 0 with nothing in flight or uncertain; a restart sends the rest exactly once', async () => {
    const { listIds } = sim.seedBulk({ lists: 1, perList: 400, overlap: 0, optedOutFraction: 0, invalidFraction: 0, missingFraction: 0 });
    proc = await startServiceProcess();
    const created = await api('/campaigns', {
      method: 'POST',
      body: JSON.stringify({ name: 'Term', subject: 'Hi', fromName: 'Ops', fromEmail: 'ops@example.com', html: '<p>Hi</p>', targetListIds: listIds }),
    });
    const id = created.id;
    await waitFor(async () => ((await api(`/campaigns/${id}`)).progress?.accepted ?? 0) > 60 || undefined, 'sending under way');
    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const atTerm = sink.messages.length;

    let store = openStore(join(dir, 'data', 'leadfwd.sqlite'));
    const afterTerm = store.recipients.list(id, { limit: 100_000, offset: 0 });
    store.close();
    expect(afterTerm.filter((r) => r.state === 'sending' || r.state === 'uncertain')).toEqual([]);
    expect(afterTerm.filter((r) => r.state === 'accepted')).toHaveLength(atTerm);
    expect(atTerm).toBeLessThan(afterTerm.length); // really stopped mid-send

    proc = await startServiceProcess();
    await waitFor(async () => (await api(`/campaigns/${id}`)).status === 'sent' || undefined, 'sent after restart', 60_000);
    const stopped = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await stopped;
    proc = undefined;

    store = openStore(join(dir, 'data', 'leadfwd.sqlite'));
    const rows = store.recipients.list(id, { limit: 100_000, offset: 0 });
    store.close();
    const received = new Map<string, number>();
    for (const m of sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    expect(rows.every((r) => r.state === 'accepted')).toBe(true);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(sink.messages).toHaveLength(rows.length);
  }, 120_000);
});
