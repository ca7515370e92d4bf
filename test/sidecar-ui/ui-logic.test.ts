// The UI's rules without a browser: form validation, progress and ETA arithmetic, and the service client
// against a real HTTP server on port 0 (status mapping, token retry, unreachable service).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, etaMs, formatDuration, isHeld, percent, sentCount, skips, totalCount, writeBackLagMs } from '../../sidecar-ui/src/shared/format.js';
import { createServiceClient, normaliseBaseUrl, ServiceError } from '../../sidecar-ui/src/shared/service-client.js';
import { describeError } from '../../sidecar-ui/src/shared/errors.js';
import { parseAddresses, parseLocalDateTime, toNewCampaign, validateSendForm, type SendForm } from '../../sidecar-ui/src/send/validate.js';

const form = (over: Partial<SendForm> = {}): SendForm => ({
  name: 'Spring', subject: 'Hi', fromName: 'Team', fromEmail: 'news@example.com', replyTo: '', format: 'html', content: '<p>x</p>',
  targetListIds: ['l1'], leadfwdListIds: [], customFields: ['region_c'], schedule: 'now', sendAtLocal: '', ...over,
});

describe('send form rules', () => {
  const now = new Date(2026, 4, 20, 10, 30, 45);

  it('accepts a complete form and reports every problem of an empty one at once', () => {
    expect(validateSendForm(form(), now)).toEqual([]);
    const labels = validateSendForm(form({ name: ' ', subject: '', fromName: '', fromEmail: '', content: '', targetListIds: [] }), now).map((p) => p.label);
    expect(labels).toEqual(['LBL_LEADFWD_ERR_NO_LISTS', 'LBL_LEADFWD_ERR_NAME_REQUIRED', 'LBL_LEADFWD_ERR_SUBJECT_REQUIRED',
      'LBL_LEADFWD_ERR_FROM_NAME_REQUIRED', 'LBL_LEADFWD_ERR_FROM_EMAIL_REQUIRED', 'LBL_LEADFWD_ERR_CONTENT_REQUIRED']);
  });

  it('refuses malformed addresses and names them', () => {
    expect(validateSendForm(form({ fromEmail: 'news@', replyTo: 'a b@example.com' }), now)).toEqual([
      { field: 'fromEmail', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: 'news@' } },
      { field: 'replyTo', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: 'a b@example.com' } },
    ]);
    expect(parseAddresses('a@x.com, b@y.org;bad  c@bücher.example')).toEqual({ ok: ['a@x.com', 'b@y.org', 'c@bücher.example'], bad: ['bad'] });
  });

  it('treats a time before the current minute as past, the current minute as now, and nonsense as invalid', () => {
    expect(validateSendForm(form({ schedule: 'later', sendAtLocal: '2026-05-20T10:29' }), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_PAST');
    expect(validateSendForm(form({ schedule: 'later', sendAtLocal: '2026-05-20T10:30' }), now)).toEqual([]);
    expect(validateSendForm(form({ schedule: 'later', sendAtLocal: '2026-02-30T10:00' }), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_INVALID');
    expect(validateSendForm(form({ schedule: 'later', sendAtLocal: '' }), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_INVALID');
    expect(parseLocalDateTime('2026-05-20T10:30')?.getHours()).toBe(10);
  });

  it('builds the service request: mjml or html, the schedule as an ISO time, the Sugar campaign', () => {
    const later = toNewCampaign(form({ format: 'mjml', content: '<mjml/>', schedule: 'later', sendAtLocal: '2026-05-21T08:00', replyTo: ' r@x.com ' }), { sugarCampaignId: 'c1' });
    expect(later).toEqual({
      name: 'Spring', subject: 'Hi', fromName: 'Team', fromEmail: 'news@example.com', replyTo: 'r@x.com', mjml: '<mjml/>',
      targetListIds: ['l1'], leadfwdListIds: [], customFields: ['region_c'], sendAt: new Date(2026, 4, 21, 8, 0).toISOString(), sugarCampaignId: 'c1',
    });
    const now2 = toNewCampaign(form());
    expect(now2.sendAt).toBeUndefined();
    expect(now2.html).toBe('<p>x</p>');
    expect(toNewCampaign(form(), { hold: true })).toMatchObject({ hold: true });
    expect(toNewCampaign(form())).not.toHaveProperty('hold');
  });
});

describe('dashlet arithmetic', () => {
  it('counts sent (final outcomes) against the whole ledger', () => {
    const p = { queued: 5, sending: 1, accepted: 10, failed: 2, uncertain: 1 };
    expect([sentCount(p), totalCount(p), percent(sentCount(p), totalCount(p))]).toEqual([13, 19, 68]);
    expect(percent(1, 0)).toBe(0);
  });

  it('estimates the time left from the last minute of samples', () => {
    let s = addSample([], { at: 0, sent: 0 });
    expect(etaMs(s, 100)).toBeUndefined();
    s = addSample(s, { at: 10_000, sent: 50 });
    expect(etaMs(s, 100)).toBe(20_000);
    s = addSample(s, { at: 90_000, sent: 50 });
    expect(s.map((x) => x.at)).toEqual([90_000]);
    expect(etaMs(s, 0)).toBe(0);
    expect(formatDuration(20_000)).toBe('20 s');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
  });

  it('lists skip reasons in a fixed order and reads the write-back lag', () => {
    expect(skips({ candidates: 9, queued: 4, skipped: { duplicate: 2, opted_out: 3, invalid: 0 } })).toEqual([['opted_out', 3], ['duplicate', 2]]);
    const c = { writeback: { pending: 3, done: 1, dead: 0, lagSeconds: 7 } } as never;
    expect(writeBackLagMs(c)).toBe(7000);
    expect(isHeld({ held: true })).toBe(true);
    expect(isHeld({ held: false })).toBe(false);
    expect(isHeld({})).toBe(false);
  });
});

describe('service client against a real server', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ url: string; token: string | undefined; origin?: string }> = [];
  let accepted = 'good-token';

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const token = req.headers['oauth-token'] as string | undefined;
      seen.push({ url: req.url ?? '', token });
      const reply = (status: number, body: unknown) => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (token !== accepted) return reply(401, { error: 'sugar_token_rejected', message: 'Sugar did not accept this token' });
      if (req.url === '/api/v1/ok') return reply(200, { ok: true });
      if (req.url === '/api/v1/lists-gone') return reply(422, { error: 'unknown_lists', message: 'Unknown', details: { unknownTargetListIds: ['l9'] } });
      if (req.url === '/api/v1/mjml') return reply(422, { error: 'invalid_template', message: 'Invalid template', details: [{ message: 'mj-text not closed', line: 3 }] });
      if (req.url === '/api/v1/busy') return reply(503, { error: 'sugar_unavailable', message: 'Sugar answered with an error' });
      if (req.url === '/api/v1/html') return void res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>');
      reply(404, { error: 'not_found', message: 'No route' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    (globalThis as { window?: unknown }).window = { SUGAR: { App: { lang: { get: (k: string) => ({ LBL_LEADFWD_ERR_UNKNOWN_LISTS: 'Gone: {{lists}}', LBL_LEADFWD_ERR_LINE: 'Line {{line}}: {{message}}' } as Record<string, string>)[k] ?? k } } } };
  });
  afterAll(async () => {
    delete (globalThis as { window?: unknown }).window;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends the Sugar token and answers the JSON', async () => {
    const c = createServiceClient({ baseUrl: base, getToken: () => 'good-token' });
    expect(c.baseUrl).toBe(base.replace(/\/$/, ''));
    expect(await c.get('/ok')).toEqual({ ok: true });
    expect(seen.pop()).toMatchObject({ url: '/api/v1/ok', token: 'good-token' });
  });

  it('lets Sugar refresh a refused token once, then retries with the new one', async () => {
    let token = 'stale-token';
    let refreshes = 0;
    const c = createServiceClient({ baseUrl: base, getToken: () => token, refreshToken: async () => { refreshes++; token = 'good-token'; } });
    expect(await c.get('/ok')).toEqual({ ok: true });
    expect(refreshes).toBe(1);
    const never = createServiceClient({ baseUrl: base, getToken: () => 'stale-token', refreshToken: async () => { refreshes++; } });
    await expect(never.get('/ok')).rejects.toMatchObject({ kind: 'token_rejected', status: 401 });
    expect(refreshes).toBe(2);
  });

  it('maps the service\'s errors to kinds the UI translates, with their details', async () => {
    const c = createServiceClient({ baseUrl: base, getToken: () => 'good-token' });
    const gone = await c.post('/lists-gone').catch((e) => e);
    expect(gone).toBeInstanceOf(ServiceError);
    expect(describeError(gone, (id) => (id === 'l9' ? 'Old list' : id))).toMatchObject({ kind: 'unknown_lists', text: 'Gone: Old list', unknownListIds: ['l9'] });
    expect(describeError(await c.post('/mjml').catch((e) => e))).toMatchObject({ kind: 'invalid_template', details: ['Line 3: mj-text not closed'] });
    await expect(c.get('/busy')).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
    await expect(c.get('/html')).rejects.toMatchObject({ kind: 'unavailable', status: 502, message: 'HTTP 502' });
    await expect(c.get('/nothing')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('says unreachable for a closed port and not configured without a URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = createServiceClient({ baseUrl: `http://127.0.0.1:${port}`, getToken: () => 'good-token' });
    await expect(c.get('/ok')).rejects.toMatchObject({ kind: 'unreachable', details: { url: `http://127.0.0.1:${port}` } });
    await expect(createServiceClient({ baseUrl: '', getToken: () => 't' }).get('/ok')).rejects.toMatchObject({ kind: 'not_configured' });
    expect(normaliseBaseUrl('javascript:alert(1)')).toBeUndefined();
    expect(normaliseBaseUrl(' https://x.example/// ')).toBe('https://x.example');
  });
});
