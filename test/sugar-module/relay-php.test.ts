// The package's relay, pairing and "Test connection" endpoints as Sugar runs them: the real PHP files under php-cli
// (routed as Sugar's REST service does, harness stubs for Sugar's classes) calling a real LeadFWD service with cURL.
// docs/relay.md is the contract; scripts/sugar-sim/leadfwd-module.ts is the simulator's copy of the same behaviour.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSugarRest, type SugarRestCall } from '../../scripts/sugar-harness/php-bridge.js';
import { sugarToken } from '../support/relay.js';
import { type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let sallyToken = '';
const settings: Record<string, string> = {};
const logs: Array<[string, string]> = [];
const secretsSeen: string[] = [];
const servers: Server[] = [];

const ADMIN = { id: '1', user_name: 'admin', is_admin: true };
const SALLY = { id: 'seed_sally_id', user_name: 'sally', is_admin: false };

/** A call to Sugar's PHP side; saved settings carry over to the next call, as Sugar's config table would. */
async function sugar(call: Omit<SugarRestCall, 'settings'> & { settings?: Record<string, string> }) {
  const r = await runSugarRest({ ...call, settings: call.settings ?? settings });
  if (!call.settings) Object.assign(settings, r.writes);
  logs.push(...r.log);
  return r;
}
const envelopeOf = (r: { status: number; body: any }) => {
  expect(r.status).toBe(200);
  expect(Object.keys(r.body).sort()).toEqual(['body', 'contentType', 'status']);
  return {
    status: r.body.status as number,
    contentType: r.body.contentType as string,
    json: r.body.contentType === 'application/json' ? JSON.parse(r.body.body) : undefined,
    text: r.body.body as string,
  };
};
const relay = (
  method: SugarRestCall['method'],
  path: string,
  o: { query?: Record<string, unknown>; body?: unknown; token?: string; settings?: Record<string, string>; sugarConfig?: Record<string, unknown> } = {},
) =>
  sugar({
    method,
    path: `leadfwd/api/${path}`,
    query: o.query,
    body: o.body === undefined ? '' : JSON.stringify(o.body),
    token: o.token ?? sallyToken,
    user: SALLY,
    settings: o.settings,
    sugarConfig: o.sugarConfig,
  });
const newCode = async () => (await stack.api('POST', '/relay/pairing-code')).body.code as string;

function listen(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}
async function closedPort(): Promise<string> {
  const url = await listen(() => undefined);
  const s = servers.pop()!;
  await new Promise((r) => s.close(r));
  return url;
}

beforeAll(async () => {
  stack = await startStack({ sim: { seed: 'demo' } });
  sallyToken = await sugarToken(stack.sim.url, 'sally');
}, 30_000);
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await stack?.stop();
});

describe('before pairing', () => {
  it('answers relay_not_configured, then relay_not_paired, without calling anything', async () => {
    expect(envelopeOf(await relay('GET', 'campaigns')).json).toMatchObject({ error: 'relay_not_configured' });
    settings.leadfwd_service_url = stack.service.url;
    const r = envelopeOf(await relay('GET', 'campaigns'));
    expect([r.status, r.json.error]).toEqual([409, 'relay_not_paired']);
  });

  it('"Test connection" tells a LeadFWD service from another address, one that is down, and is for administrators only', async () => {
    expect((await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: stack.service.url }), user: SALLY })).status).toBe(403);
    const ok = envelopeOf(await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: `${stack.service.url}/` }), user: ADMIN }));
    expect(ok).toMatchObject({ status: 200, json: { service: 'leadfwd', relay: 1, paired: false } });
    const other = envelopeOf(await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: stack.sim.url }), user: ADMIN }));
    expect([other.status, other.json.error]).toEqual([502, 'not_leadfwd']);
    const html = await listen((_q, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>It works</h1>'));
    expect(envelopeOf(await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: html }), user: ADMIN })).json.error).toBe(
      'not_leadfwd',
    );
    const down = envelopeOf(await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: await closedPort() }), user: ADMIN }));
    expect([down.status, down.json.error]).toEqual([502, 'service_unreachable']);
    const bad = await sugar({ method: 'POST', path: 'leadfwd/test', body: JSON.stringify({ service_url: 'http://leadfwd.example.com' }), user: ADMIN });
    expect([bad.status, bad.body.error]).toEqual([422, 'invalid_parameter']);
  });
});

describe('pairing (POST leadfwd/pair)', () => {
  it("is for administrators only, and a wrong code passes the service's refusal through, saving nothing", async () => {
    const code = await newCode();
    const sally = await sugar({ method: 'POST', path: 'leadfwd/pair', body: JSON.stringify({ service_url: stack.service.url, code }), user: SALLY });
    expect([sally.status, sally.body.error]).toEqual([403, 'not_authorized']);
    expect(sally.writes).toEqual({});
    const wrong = await sugar({
      method: 'POST',
      path: 'leadfwd/pair',
      body: JSON.stringify({ service_url: stack.service.url, code: 'ZZZZ-ZZZZ' }),
      user: ADMIN,
    });
    expect(envelopeOf(wrong)).toMatchObject({ status: 422, json: { error: 'pairing_code_invalid' } });
    expect(wrong.writes).toEqual({});
    const none = await sugar({ method: 'POST', path: 'leadfwd/pair', body: JSON.stringify({ service_url: stack.service.url }), user: ADMIN });
    expect([none.status, none.body.error]).toEqual([422, 'missing_parameter']);
  });

  it('refuses an address that answers but is not LeadFWD, saving nothing', async () => {
    const lookalike = await listen((_q, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'));
    const r = await sugar({ method: 'POST', path: 'leadfwd/pair', body: JSON.stringify({ service_url: lookalike, code: 'ABCD-EFGH' }), user: ADMIN });
    expect(envelopeOf(r)).toMatchObject({ status: 502, json: { error: 'not_leadfwd' } });
    expect(r.writes).toEqual({});
  });

  it('trades a code for the secret once: stored server-side, answered to nobody, and the code does not work twice', async () => {
    const code = await newCode();
    const r = await sugar({
      method: 'POST',
      path: 'leadfwd/pair',
      body: JSON.stringify({ service_url: `${stack.service.url}/`, code: code.toLowerCase() }),
      user: ADMIN,
      sugarConfig: { site_url: 'https://crm.example.com' },
    });
    const env = envelopeOf(r);
    expect(env.status).toBe(200);
    expect(env.json).toEqual({ paired: true, paired_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(r.writes).toEqual({
      leadfwd_relay_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      leadfwd_paired_at: env.json.paired_at,
      leadfwd_service_url: stack.service.url,
    });
    secretsSeen.push(r.writes.leadfwd_relay_secret, code);
    expect(JSON.stringify(r.body)).not.toContain(r.writes.leadfwd_relay_secret);
    const config = await sugar({ method: 'GET', path: 'leadfwd/config', user: SALLY });
    expect(config.body).toEqual({ service_url: stack.service.url, optout_scope: null, paired: true, paired_at: env.json.paired_at });
    expect(JSON.stringify(config.body)).not.toContain(settings.leadfwd_relay_secret);

    const again = await sugar({ method: 'POST', path: 'leadfwd/pair', body: JSON.stringify({ service_url: stack.service.url, code }), user: ADMIN });
    expect(envelopeOf(again)).toMatchObject({ status: 422, json: { error: 'pairing_code_invalid' } });
    expect(again.writes).toEqual({});
    expect(await fetch(`${stack.service.url}/relay/hello`).then((x) => x.json())).toMatchObject({ paired: true });
  });
});

describe('a relayed call (leadfwd/api/<path>)', () => {
  it("reaches the service as the user: lists, creates, and answers the service's status and body byte for byte", async () => {
    const list = envelopeOf(await relay('GET', 'campaigns', { query: { lf_query: 'limit=5&offset=0' } }));
    // A quote the browser left as it is (encodeURIComponent does) and what it percent-encoded both arrive signed as sent.
    for (const q of ["q=O'Brien", 'q=M%C3%BCller']) expect(envelopeOf(await relay('GET', 'campaigns', { query: { lf_query: q } })).status).toBe(200);
    expect(list).toMatchObject({ status: 200, contentType: 'application/json', json: { campaigns: [] } });
    const me = envelopeOf(await relay('GET', 'me'));
    expect(me.json).toMatchObject({ user: { userName: 'sally', isAdmin: false }, can: { createCampaigns: true } });
    const body = {
      name: 'Relayed',
      subject: 'Hi',
      fromName: 'Acme',
      fromEmail: 'news@news.example.test',
      html: '<p>Hi {}</p>',
      targetListIds: ['nope'],
      sendAt: '2999-01-01T00:00:00Z',
    };
    const refused = envelopeOf(await relay('POST', 'campaigns', { body: { lf_body: JSON.stringify(body) } }));
    expect(refused.status).toBe(422);
    const direct = await fetch(`${stack.service.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { 'OAuth-Token': sallyToken, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(refused.text).toBe(await direct.text());
    // {} inside the body stays {}: PHP never decodes lf_body.
    const preview = envelopeOf(await relay('POST', 'preview', { body: { lf_body: '{"subject":"S {{ a }}","html":"<p>{{ a }}</p>","fields":{}}' } }));
    expect(preview).toMatchObject({ status: 200, json: { subject: 'S' } });
  });

  it('refuses, before any call, paths outside the list, a "0" segment, a non-string or oversized lf_body, a body on GET, odd queries and a missing token', async () => {
    const bad = async (p: Promise<{ status: number; body: any }>) => {
      const e = envelopeOf(await p);
      expect([e.status, e.json.error]).toEqual([422, 'relay_bad_request']);
    };
    await bad(relay('GET', 'users'));
    await bad(relay('GET', 'campaigns/0'));
    await bad(relay('GET', 'campaigns/a.b'));
    await bad(relay('POST', 'preview', { body: { lf_body: { subject: 'x' } } }));
    await bad(relay('POST', 'preview', { body: { lf_body: null } }));
    await bad(relay('POST', 'preview', { body: { lf_body: `"${'x'.repeat(2 * 1024 * 1024)}"` } }));
    await bad(relay('GET', 'campaigns', { query: { lf_body: '{}' } }));
    await bad(relay('GET', 'campaigns', { query: { lf_query: 'limit=5#x' } }));
    await bad(relay('GET', 'campaigns', { query: { lf_query: 'limit=5 ' } }));
    // Raw, the service's HTTP parser refused the request line, and the user was told the service was not LeadFWD.
    await bad(relay('GET', 'campaigns', { query: { lf_query: 'q=Müller' } }));
    await bad(relay('GET', 'campaigns', { token: '' }));
    // Four segments is no route of the package: Sugar's own 404.
    const four = await relay('GET', 'campaigns/a/b/c');
    expect([four.status, four.body.error]).toEqual([404, 'no_method']);
  });

  it('signs each call once: a captured call sent again is refused as replayed, and a query argument cannot add a segment', async () => {
    const seen: Array<{ method: string; url: string; headers: Record<string, string>; body: Buffer }> = [];
    const recorder = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        seen.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks) });
        const r = await fetch(`${stack.service.url}${req.url}`, {
          method: req.method,
          headers: { ...headers, host: new URL(stack.service.url).host },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? '' }).end(Buffer.from(await r.arrayBuffer()));
      });
    });
    const through = { ...settings, leadfwd_service_url: recorder };
    const ok = envelopeOf(await relay('POST', 'campaigns/x/pause', { body: { lf_body: '{}', lf_path3: 'sneaky' }, settings: through }));
    expect(ok.status).toBe(404);
    const got = envelopeOf(await relay('GET', 'campaigns', { query: { lf_query: 'limit=1', lf_path2: 'sneaky' }, settings: through }));
    expect(got.status).toBe(200);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /relay/v1/campaigns/x/pause', 'GET /relay/v1/campaigns?limit=1']);
    const [post, get] = seen;
    expect(post.headers).toMatchObject({
      'oauth-token': sallyToken,
      'content-type': 'application/json',
      'x-leadfwd-nonce': expect.stringMatching(/^[0-9a-f]{32}$/),
      'x-leadfwd-signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
    });
    expect(post.body.toString()).toBe('{}');
    expect(get.headers['content-type']).toBeUndefined();
    expect(get.body.length).toBe(0);
    expect(post.headers['x-leadfwd-nonce']).not.toBe(get.headers['x-leadfwd-nonce']);
    expect(Math.abs(Number(get.headers['x-leadfwd-timestamp']) - Date.now() / 1000)).toBeLessThan(10);

    const replay = await fetch(`${stack.service.url}${get.url}`, { headers: get.headers as Record<string, string> });
    expect([replay.status, ((await replay.json()) as { error: string }).error]).toEqual([401, 'relay_replayed']);
  });

  it("passes the service's refusals through: a wrong stored secret, and a token Sugar does not know", async () => {
    const wrong = envelopeOf(await relay('GET', 'campaigns', { settings: { ...settings, leadfwd_relay_secret: randomBytes(32).toString('base64url') } }));
    expect([wrong.status, wrong.json.error]).toEqual([401, 'relay_signature_invalid']);
    const foreign = envelopeOf(await relay('GET', 'campaigns', { token: 'a-token-from-another-sugar' }));
    expect([foreign.status, foreign.json.error]).toEqual([401, 'sugar_token_rejected']);
  });

  it('answers service_unreachable when the service is down, service_timeout when it never answers, not_leadfwd for another server', async () => {
    const down = envelopeOf(await relay('GET', 'campaigns', { settings: { ...settings, leadfwd_service_url: await closedPort() } }));
    expect([down.status, down.json.error]).toEqual([502, 'service_unreachable']);
    const silent = await listen(() => undefined);
    const started = Date.now();
    const slow = envelopeOf(
      await relay('GET', 'campaigns', { settings: { ...settings, leadfwd_service_url: silent }, sugarConfig: { leadfwd_relay_timeout: 1 } }),
    );
    expect([slow.status, slow.json.error]).toEqual([504, 'service_timeout']);
    expect(Date.now() - started).toBeLessThan(5_000);
    const html = await listen((_q, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>'));
    const other = envelopeOf(await relay('GET', 'campaigns', { settings: { ...settings, leadfwd_service_url: html } }));
    expect([other.status, other.json.error]).toEqual([502, 'not_leadfwd']);
  });

  it('logged one line per failure, with addresses only: no secret, token, code or body', () => {
    expect(logs.length).toBeGreaterThan(3);
    const text = logs.map((l) => l[1]).join('\n');
    for (const s of [...secretsSeen, sallyToken, settings.leadfwd_relay_secret, '{}', 'Relayed', 'lf_body']) expect(text).not.toContain(s);
    expect(text).toMatch(/cannot be reached \(cURL error 7\)/);
  });
});
