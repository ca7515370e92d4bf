// The running service as an operator sees it: request ids in and out, one log line per request,
// /readyz following Sugar's maintenance window, /metrics counting a real campaign, and an online
// backup (function and `npm run backup` CLI) taken while the service runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../scripts/backup.js';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { type RunningService, startService } from '../../service/src/composition.js';
import { loadConfig } from '../../service/src/config.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { openStore } from '../../service/src/store/db.js';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { randomSecret } from '../support/secrets.js';
import { loopbackEnv } from '../support/service-env.js';
import { apiClient, untilReadyz, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';

const API_KEY = randomSecret('ops-test-api-key-');
const lines: any[] = [];
let dir: string;
let sim: SugarSim;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let service: RunningService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-ops-'));
  sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  sink = await startSmtpSink({ port: 0 });
  const out = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  service = await startService(
    loadConfig({ ...loopbackEnv({ dir, sugarUrl: sim.url, smtpPort: sink.port, apiKey: API_KEY }), LEADFWD_SECRET: randomSecret(), LEADFWD_SEND_THREADS: '0' }),
    { logger: pino({ level: 'info' }, out) },
  );
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await sink?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });
const api = apiClient(() => service.url, API_KEY);
const metric = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe('request ids and logs', () => {
  it('echoes a sane X-Request-Id, replaces a malformed one, and logs one line per request without tokens', async () => {
    const given = await get('/healthz', { 'X-Request-Id': 'lb-7f3a.42' });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42');
    const junk = await get('/healthz', { 'X-Request-Id': 'x'.repeat(200) });
    expect(junk.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const token = 'A'.repeat(60);
    const nf = await get(`/u/${token}`, { 'X-Request-Id': 'trace-unsub-1' });
    expect(nf.headers.get('x-request-id')).toBe('trace-unsub-1');
    await waitFor(() => lines.some((l) => l.requestId === 'trace-unsub-1'), 'log line');
    const line = lines.find((l) => l.requestId === 'lb-7f3a.42');
    expect(line).toMatchObject({ event: 'http.request', msg: 'http.request', component: 'http', method: 'GET', path: '/healthz', status: 200 });
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(lines.find((l) => l.requestId === 'trace-unsub-1').path).toBe('/u/:token');
  });
});

describe('/readyz', () => {
  it('is 200 with every check ok, and 503 naming Sugar while Sugar is in maintenance', async () => {
    const ok = await untilReadyz(service.url, 200);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, checks: { database: { ok: true }, sugar: { ok: true }, smtp: { ok: true }, inbound: { ok: true } } });
    sim.faults.maintenanceFor(60_000);
    const down = await untilReadyz(service.url, 503);
    sim.faults.reset();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      ready: false,
      checks: { database: { ok: true }, sugar: { ok: false, reason: 'Sugar answered HTTP 503' }, smtp: { ok: true } },
    });
    expect(Number(down.headers.get('age'))).toBeLessThanOrEqual(6);
  }, 30_000);

  it('never runs its checks on a request: 300 requests in a burst cost at most one Sugar ping', { timeout: 30_000 }, async () => {
    const pings = () => sim.requests().filter((r) => r.path.endsWith('/ping')).length;
    await untilReadyz(service.url, 200); // after the maintenance of the test before
    const before = pings();
    const answers = await Promise.all(Array.from({ length: 300 }, () => get('/readyz').then((r) => r.status)));
    expect(new Set(answers)).toEqual(new Set([200]));
    expect(pings() - before).toBeLessThanOrEqual(1); // was 300: one write probe, one ping and one SMTP connection per request
  });
});

describe('/metrics', () => {
  it('is served to loopback, refused to forwarded callers without the key, served with the key', async () => {
    expect((await get('/metrics')).status).toBe(200);
    const forwarded = await get('/metrics', { 'X-Forwarded-For': '203.0.113.9' });
    expect(forwarded.status).toBe(403);
    expect(await forwarded.json()).toEqual({ error: 'forbidden', message: 'Metrics are served to loopback callers or with the API key' });
    expect((await get('/metrics', { 'X-Forwarded-For': '203.0.113.9', Authorization: 'Bearer wrong-key-wrong-key' })).status).toBe(403);
    expect((await get('/metrics', { 'X-Forwarded-For': '203.0.113.9', Authorization: `Bearer ${API_KEY}` })).status).toBe(200);
  });

  it('shows every series an alert may name at 0 before anything happened (a rule on an absent series never fires)', async () => {
    const text = await (await get('/metrics')).text();
    for (const series of [
      'leadfwd_sends_total{outcome="uncertain"}',
      'leadfwd_sends_total{outcome="permanent"}',
      'leadfwd_http_responses_total{class="3xx"}',
      'leadfwd_recipients{state="uncertain"}',
      'leadfwd_recipients{state="queued"}',
      'leadfwd_tracking_hits{kind="open",class="human"}',
      'leadfwd_tracking_hits{kind="click",class="machine"}',
      'leadfwd_events_retained{type="bounce"}',
    ])
      expect(metric(text, series), series).toBe(0);
  });

  it('counts a real campaign: sends by outcome, ledger states, outbox, Sugar calls', async () => {
    const sugar = adminClient(sim.url);
    const list = await createListOf(
      sugar,
      'Ops list',
      ['ann', 'bob', 'cat'].map((n) => ({ first_name: n, emails: [{ address: `${n}@example.com` }] })),
    );
    const created = await api('POST', '/campaigns', campaignBody([list], { name: 'Ops', sendAt: new Date().toISOString() }));
    expect(created.status).toBe(201);
    await untilCampaign(api, created.body.id, 'sent', 'campaign sent');
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(metric(text, 'leadfwd_sends_total{outcome="accepted"}')).toBe(3);
    expect(metric(text, 'leadfwd_recipients{state="accepted"}')).toBe(3);
    expect(metric(text, 'leadfwd_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(metric(text, 'leadfwd_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(metric(text, 'leadfwd_sugar_calls_total{status="200"}')).toBeGreaterThan(0);
    expect(text).toContain('leadfwd_sugar_errors_total ');
    expect(text).toContain('leadfwd_process_resident_memory_bytes ');
    expect(metric(text, 'leadfwd_http_responses_total{class="2xx"}')).toBeGreaterThan(0);
  });

  it('counts pixel requests too, though they are answered before Express sees them', async () => {
    const count = async () => metric(await (await get('/metrics')).text(), 'leadfwd_http_responses_total{class="2xx"}');
    const before = await count();
    for (let i = 0; i < 5; i++) expect((await get('/t/o/not-a-real-token')).status).toBe(200);
    // The metrics read itself is a 2xx too.
    expect(await count()).toBe(before! + 5 + 1);
  });
});

describe('online backup', () => {
  it('copies the live database to a file that opens with the same campaigns', async () => {
    const target = join(dir, 'backup-1.sqlite');
    const done = await backupDatabase(join(dir, 'data'), target);
    expect(done.target).toBe(target);
    const copy = openStore(target);
    const live = (await service.store.campaigns.list({ limit: 100, offset: 0 })).map((c) => c.id);
    expect(copy.campaigns.list({ limit: 100, offset: 0 }).map((c) => c.id)).toEqual(live);
    expect(live.length).toBeGreaterThan(0);
    copy.close();
    await expect(backupDatabase(join(dir, 'data'), target)).rejects.toThrow('exists; choose a new file name');
    await expect(backupDatabase(join(dir, 'nowhere'), join(dir, 'b2.sqlite'))).rejects.toThrow('no database at');
  });

  it('runs as `npm run backup -- <file>` and explains a missing argument', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, LEADFWD_DATA_DIR: join(dir, 'data') };
    const ok = await run('node_modules/.bin/tsx', ['scripts/backup.ts', join(dir, 'cli.sqlite')], { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ event: 'backup.done', target: join(dir, 'cli.sqlite') });
    const bad = await run('node_modules/.bin/tsx', ['scripts/backup.ts'], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('usage: npm run backup -- <file>');
    expect(bad.stderr).not.toContain('    at ');
  }, 30_000);
});
