// Secrets never reach a log line or an error body: the real service process (npm start's entry) at
// debug level, its stdout captured, while requests carry keys and tokens and Sugar fails underneath.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { randomSecret } from '../support/secrets.js';
import { waitFor } from '../support/stack.js';

const SECRETS = {
  LEADFWD_API_KEY: randomSecret('apikey-SECRET-'),
  LEADFWD_SECRET: randomSecret('hmac-SECRET-'),
  LEADFWD_WEBHOOK_SECRET: randomSecret('webhook-SECRET-'),
};
let dir: string;
let sim: SugarSim;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let child: ChildProcess;
let out = '';
let url = '';
let sallyToken = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-secrets-'));
  sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  sink = await startSmtpSink({ port: 0 });
  child = spawn('node_modules/.bin/tsx', ['service/src/main.ts'], {
    env: {
      ...process.env,
      ...SECRETS,
      LEADFWD_PORT: '0',
      LEADFWD_DATA_DIR: join(dir, 'data'),
      LEADFWD_SUGAR_URL: sim.url,
      LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      LEADFWD_LOG_LEVEL: 'debug',
      LEADFWD_SEND_THREADS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    out += String(c);
  });
  child.stderr!.on('data', (c) => {
    out += String(c);
  });
  const port = await waitFor(() => /"port":(\d+)[^\n]*"msg":"service.started"/.exec(out)?.[1], 'service.started', 30_000);
  url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'sally', password: 'sally', platform: 'base' }),
  });
  sallyToken = ((await res.json()) as { access_token: string }).access_token;
}, 40_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await sink?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets in logs and error bodies', () => {
  it('keeps API keys, Sugar tokens, signing and webhook secrets out of every log line and answer', async () => {
    const bodies: string[] = [];
    const hit = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${url}${path}`, init);
      bodies.push(await res.text());
      return res.status;
    };
    expect(await hit('/api/v1/campaigns', { headers: { Authorization: `Bearer ${SECRETS.LEADFWD_API_KEY}` } })).toBe(200);
    expect(await hit('/api/v1/campaigns', { headers: { Authorization: `Bearer ${SECRETS.LEADFWD_API_KEY}x` } })).toBe(401);
    expect(await hit('/api/v1/campaigns', { headers: { 'OAuth-Token': sallyToken } })).toBe(200);
    expect(await hit('/api/v1/campaigns', { headers: { 'OAuth-Token': `${sallyToken}-forged` } })).toBe(401);
    expect(
      await hit('/webhooks/events', {
        method: 'POST',
        headers: { Authorization: `Bearer ${SECRETS.LEADFWD_WEBHOOK_SECRET}x`, 'Content-Type': 'application/json' },
        body: '{"events":[]}',
      }),
    ).toBeGreaterThanOrEqual(400);
    // Sugar failing under a request that carries credentials: the error path logs the failure.
    sim.faults.failNext(50, 500);
    const failing = await hit('/api/v1/sugar/target-lists', { headers: { Authorization: `Bearer ${SECRETS.LEADFWD_API_KEY}` } });
    sim.faults.reset();
    expect(failing).toBeGreaterThanOrEqual(500);
    expect(await hit('/api/v1/sugar/target-lists', { headers: { 'OAuth-Token': sallyToken } })).toBe(200);
    await waitFor(() => out.includes('"msg":"http.error"') || undefined, 'the error to be logged');

    const lines = out.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [...Object.values(SECRETS), sallyToken]) {
      expect(out, `log contains ${secret.slice(0, 8)}…`).not.toContain(secret);
      for (const b of bodies) expect(b).not.toContain(secret);
    }
    for (const l of lines) {
      expect(l).not.toMatch(/"(password|access_token|refresh_token|oauth-token|authorization)":"(?!\[redacted\])/i);
    }
    for (const b of bodies) expect(b).not.toMatch(/\n\s+at /);
  }, 60_000);
});
