// The service's side of the Sugar relay (docs/relay.md): pairing with a one-time code, and admitting only fresh,
// unseen, correctly signed calls that carry the user's own Sugar token.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { signRelay } from '../../service/src/domain/relay-signature.js';
import { createPairing } from '../../service/src/relay/pairing.js';
import { openStore } from '../../service/src/store/db.js';
import { relayAs, sugarRest, sugarToken } from '../support/relay.js';
import { type Stack, useStack } from '../support/stack.js';

let stack: Stack;
useStack({ sim: { seed: 'demo' } }, (s) => {
  stack = s;
});

const newCode = async () => (await stack.api('POST', '/relay/pairing-code')).body.code as string;
const pairDirect = (code: string) =>
  fetch(`${stack.service.url}/relay/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, sugarUrl: 'https://crm.example.com' }),
  });

function signed(secret: Buffer, token: string, o: { method?: string; path?: string; body?: string; timestamp?: number; nonce?: string } = {}) {
  const method = o.method ?? 'GET';
  const path = o.path ?? '/relay/v1/campaigns?limit=5';
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? randomBytes(16).toString('hex');
  const body = o.body ?? '';
  const headers: Record<string, string> = {
    'OAuth-Token': token,
    'X-LeadFWD-Timestamp': timestamp,
    'X-LeadFWD-Nonce': nonce,
    'X-LeadFWD-Signature': signRelay(secret, { timestamp, nonce, method, pathAndQuery: path, body, userToken: token }),
    ...(body ? { 'Content-Type': 'application/json' } : {}),
  };
  return { url: `${stack.service.url}${path}`, init: { method, headers, body: body || undefined } };
}

describe('before pairing', () => {
  it('hello says not paired, and Sugar answers relay calls with relay_not_configured, then relay_not_paired', async () => {
    expect(await (await fetch(`${stack.service.url}/relay/hello`)).json()).toEqual({ service: 'leadfwd', relay: 1, paired: false });
    const sally = await relayAs(stack, 'sally');
    expect(await sally('GET', '/campaigns')).toMatchObject({ status: 409, body: { error: 'relay_not_configured' } });
    stack.sim.leadfwdSettings.leadfwd_service_url = stack.service.url;
    expect(await sally('GET', '/campaigns')).toMatchObject({ status: 409, body: { error: 'relay_not_paired' } });
    const direct = await fetch(`${stack.service.url}/relay/v1/campaigns`, {
      headers: { 'OAuth-Token': 'x', 'X-LeadFWD-Signature': 'v1=00', 'X-LeadFWD-Timestamp': '1', 'X-LeadFWD-Nonce': 'n' },
    });
    expect(await direct.json()).toMatchObject({ error: 'relay_not_paired' });
  });

  it('only the operator (API key) can make a pairing code', async () => {
    const token = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const r = await fetch(`${stack.service.url}/api/v1/relay/pairing-code`, { method: 'POST', headers: { 'OAuth-Token': token } });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: 'api_key_only' });
    expect(await newCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });
});

describe('pairing', () => {
  it('an administrator pairs Sugar once with a code; the code does not work twice', async () => {
    const code = await newCode();
    const admin = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const bad = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/pair', { service_url: stack.service.url, code: 'ZZZZ-ZZZZ' });
    expect(bad.body.status).toBe(422);
    expect(JSON.parse(bad.body.body)).toMatchObject({ error: 'pairing_code_invalid' });
    const sally = await sugarToken(stack.sim.url, 'sally', 'mobile');
    expect((await sugarRest(stack.sim.url, sally, 'POST', 'leadfwd/pair', { service_url: stack.service.url, code })).status).toBe(403);
    const ok = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/pair', { service_url: stack.service.url, code });
    expect(ok.body.status).toBe(200);
    expect(JSON.parse(ok.body.body)).toMatchObject({ paired: true });
    const again = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/pair', { service_url: stack.service.url, code });
    expect(again.body.status).toBe(422);
    const config = await sugarRest(stack.sim.url, sally, 'GET', 'leadfwd/config');
    expect(config.body).toMatchObject({ service_url: stack.service.url, paired: true });
    expect(JSON.stringify(config.body)).not.toContain(stack.sim.leadfwdSettings.leadfwd_relay_secret);
    expect((await (await relayAs(stack, 'sally'))('GET', '/campaigns')).status).toBe(200);
  });

  it('"Test connection" tells a LeadFWD service from another address', async () => {
    const admin = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const ok = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/test', { service_url: stack.service.url });
    expect(JSON.parse(ok.body.body)).toMatchObject({ service: 'leadfwd', paired: true });
    const other = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/test', { service_url: stack.sim.url });
    expect(other.body).toMatchObject({ status: 502 });
    expect(JSON.parse(other.body.body)).toMatchObject({ error: 'not_leadfwd' });
    const down = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/test', { service_url: 'http://127.0.0.1:9' });
    expect(JSON.parse(down.body.body)).toMatchObject({ error: 'service_unreachable' });
  });

  it('five wrong codes burn the live code; an expired code never works; the secret is stored sealed', async () => {
    let now = new Date('2026-12-03T10:00:00Z');
    const store = openStore(':memory:');
    const pairing = createPairing({ relay: store.relay, serviceSecrets: ['a'.repeat(43)], now: () => now });
    const { code } = await pairing.newCode();
    for (let i = 0; i < 5; i++) await expect((async () => await pairing.pair({ code: 'ZZZZ-ZZZ0' }))()).rejects.toThrow(/not valid/);
    await expect((async () => await pairing.pair({ code }))()).rejects.toThrow(/not valid/);
    const second = await pairing.newCode();
    now = new Date(now.getTime() + 16 * 60_000);
    await expect((async () => await pairing.pair({ code: second.code.toLowerCase() }))()).rejects.toThrow(/not valid/);
    const third = await pairing.newCode();
    const answer = await pairing.pair({ code: ` ${third.code.toLowerCase().replace('-', ' ')} ` });
    expect((await pairing.secret())?.toString('base64url')).toBe(answer.secret);
    expect(store.relay.pairing()?.secretSealed).not.toContain(answer.secret);
    // Another service secret cannot open it: a copied database alone does not give the relay secret away.
    expect(await createPairing({ relay: store.relay, serviceSecrets: ['b'.repeat(43)] }).secret()).toBeUndefined();
    expect((await createPairing({ relay: store.relay, serviceSecrets: ['b'.repeat(43), 'a'.repeat(43)] }).secret())?.toString('base64url')).toBe(answer.secret);
    store.close();
  });
});

/** The first line the service answers to an unsigned POST that announces `bytes` of body and sends none (1 s at most). */
function unsignedAnnouncing(bytes: number): Promise<string> {
  const { hostname, port } = new URL(stack.service.url);
  return new Promise((resolve) => {
    const s = connect({ host: hostname, port: Number(port) });
    let got = '';
    s.on('data', (d) => (got += String(d)));
    s.write(`POST /relay/v1/campaigns HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`);
    setTimeout(() => {
      s.destroy();
      resolve(got.split('\r\n')[0] ?? '');
    }, 1000);
  });
}

describe('a signed relay call', () => {
  let secret: Buffer;
  let token: string;
  beforeAll(async () => {
    const res = await pairDirect(await newCode());
    secret = Buffer.from(((await res.json()) as { secret: string }).secret, 'base64url');
    token = await sugarToken(stack.sim.url, 'sally', 'mobile');
  });

  it('is admitted once; a replay, a stale or future time, another body, another token or another secret are refused', async () => {
    const ok = signed(secret, token);
    expect((await fetch(ok.url, ok.init)).status).toBe(200);
    expect(await (await fetch(ok.url, ok.init)).json()).toMatchObject({ error: 'relay_replayed' });
    for (const timestamp of [Math.floor(Date.now() / 1000) - 301, Math.floor(Date.now() / 1000) + 301]) {
      const old = signed(secret, token, { timestamp });
      expect(await (await fetch(old.url, old.init)).json()).toMatchObject({ error: 'relay_stale' });
    }
    const post = signed(secret, token, { method: 'POST', path: '/relay/v1/preview', body: '{"subject":"a","html":"<p>a</p>"}' });
    const tampered = { ...post.init, body: '{"subject":"b","html":"<p>b</p>"}' };
    expect(await (await fetch(post.url, tampered)).json()).toMatchObject({ error: 'relay_signature_invalid' });
    const other = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const swapped = signed(secret, token);
    (swapped.init.headers as Record<string, string>)['OAuth-Token'] = other;
    expect(await (await fetch(swapped.url, swapped.init)).json()).toMatchObject({ error: 'relay_signature_invalid' });
    const foreign = signed(randomBytes(32), token);
    expect(await (await fetch(foreign.url, foreign.init)).json()).toMatchObject({ error: 'relay_signature_invalid' });
    const unsigned = await fetch(`${stack.service.url}/relay/v1/campaigns`, { headers: { 'OAuth-Token': token } });
    expect([unsigned.status, ((await unsigned.json()) as { error: string }).error]).toEqual([401, 'relay_unsigned']);
    // Refused before its body is read: an unsigned caller announcing 2 MB that never come is answered at once.
    expect(await unsignedAnnouncing(2_000_000)).toMatch(/^HTTP\/1\.1 401 /);
    const moved = signed(secret, token, { path: '/relay/v1/campaigns?limit=5' });
    expect(await (await fetch(`${stack.service.url}/relay/v1/campaigns?limit=6`, moved.init)).json()).toMatchObject({ error: 'relay_signature_invalid' });
  });

  it('still needs a token Sugar accepts, and a new pairing replaces the old secret at once', async () => {
    const dead = signed(secret, 'not-a-sugar-token');
    expect(await (await fetch(dead.url, dead.init)).json()).toMatchObject({ error: 'sugar_token_rejected' });
    await pairDirect(await newCode());
    const old = signed(secret, token);
    expect(await (await fetch(old.url, old.init)).json()).toMatchObject({ error: 'relay_signature_invalid' });
  });
});
