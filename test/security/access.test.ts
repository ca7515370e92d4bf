// Who gets in: every /api/v1 route needs the API key or a Sugar user token that Sugar's /me accepts,
// and a Sugar user whose role denies Campaigns gets 403. Public routes act only on signed tokens,
// and every HTML answer carries the security headers.

import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { requireAuth } from '../../service/src/http/auth.js';
import { errorHandler } from '../../service/src/http/errors.js';
import { API_KEY, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
const tokens: Record<string, string> = {};

async function sugarToken(user: string): Promise<string> {
  const res = await fetch(`${stack.sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform: 'base' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  stack = await startStack();
  for (const u of ['sally', 'chris']) tokens[u] = await sugarToken(u);
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

// Every route the API serves (README "HTTP API"), plus an unknown one: auth runs before routing.
const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/sugar/target-lists'],
  ['GET', '/sugar/fields?module=Contacts'],
  ['POST', '/campaigns', {}],
  ['GET', '/campaigns'],
  ['GET', '/campaigns/x1'],
  ['POST', '/campaigns/x1/pause'],
  ['POST', '/campaigns/x1/resume'],
  ['POST', '/campaigns/x1/cancel'],
  ['POST', '/campaigns/x1/test-send', {}],
  ['POST', '/preview', {}],
  ['GET', '/campaigns/x1/report'],
  ['GET', '/lists'],
  ['GET', '/lists/x1'],
  ['POST', '/lists', {}],
  ['GET', '/writeback/dead'],
  ['POST', '/writeback/revive', {}],
  ['GET', '/no-such-route'],
];

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  fetch(`${stack.service.url}/api/v1${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('every /api/v1 route', () => {
  it.each(ROUTES)('%s %s: 401 without or with wrong credentials, 403 for chris, through for the key and sally', async (method, path, body) => {
    const answers = {
      none: await call(method, path, {}, body),
      wrongKey: await call(method, path, { Authorization: 'Bearer not-the-key-not-the-key' }, body),
      shortKey: await call(method, path, { Authorization: 'Bearer x' }, body),
      forgedSugar: await call(method, path, { 'OAuth-Token': 'forged-token-0000' }, body),
      chris: await call(method, path, { 'OAuth-Token': tokens.chris }, body),
      sally: await call(method, path, { 'OAuth-Token': tokens.sally }, body),
      key: await call(method, path, { Authorization: `Bearer ${API_KEY}` }, body),
    };
    expect(answers.none.status).toBe(401);
    expect(answers.wrongKey.status).toBe(401);
    expect(answers.shortKey.status).toBe(401);
    expect(answers.forgedSugar.status).toBe(401);
    expect(await answers.forgedSugar.json()).toMatchObject({ error: 'sugar_token_rejected' });
    expect(answers.chris.status).toBe(403);
    expect(await answers.chris.json()).toEqual({ error: 'forbidden', message: 'Your Sugar role does not give you access to Campaigns' });
    // Write-back rows span every campaign: Sugar administrators and the operator only.
    const through = path.startsWith('/writeback') ? (['key'] as const) : (['sally', 'key'] as const);
    if (path.startsWith('/writeback')) expect(await answers.sally.json()).toMatchObject({ error: 'admin_only' });
    for (const who of through) {
      expect([401, 403]).not.toContain(answers[who].status);
      expect(answers[who].status).toBeLessThan(500);
    }
  });
});

describe('API key comparison', () => {
  it('hashes before comparing, so keys of any length (even multi-byte) are refused without a crash', async () => {
    const app = express();
    app.use(
      requireAuth({
        apiKey: 'k'.repeat(32),
        verifySugarToken: async () => {
          throw Object.assign(new Error('no'), { kind: 'auth' });
        },
      }),
    );
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      for (const key of ['k', 'k'.repeat(31), 'k'.repeat(33), 'k'.repeat(4000), 'ключ'.repeat(8), 'K'.repeat(32)]) {
        const res = await fetch(url, { headers: { Authorization: `Bearer ${encodeURIComponent(key)}` } });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized', message: 'Invalid API key' });
      }
      expect((await fetch(url, { headers: { Authorization: `Bearer ${'k'.repeat(32)}` } })).status).toBe(200);
    } finally {
      server.close();
    }
  });
});

describe('public routes act only on signed tokens', () => {
  const forged = [
    signToken('another-secret-another', { k: 'u', r: 1 }),
    signToken('another-secret-another', { k: 'c', r: 1, l: 0 }),
    'u1.AAAAAAAAAAAAAAAAAAAAAA',
    '../../etc/passwd',
    '%2e%2e%2fetc%2fpasswd',
    'u1',
    'c1-0.' + 'A'.repeat(22),
  ];

  it.each(forged)('forged or malformed token %s: 404 page for unsubscribe, 404 for clicks, GIF for the pixel, nothing stored', async (token) => {
    const path = encodeURIComponent(token);
    const page = await fetch(`${stack.service.url}/u/${path}`);
    expect(page.status).toBe(404);
    const post = await fetch(`${stack.service.url}/u/${path}`, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });
    expect(post.status).toBe(404);
    const click = await fetch(`${stack.service.url}/t/c/${path}`, { redirect: 'manual' });
    expect(click.status).toBe(404);
    expect(click.headers.get('location')).toBeNull();
    const pixel = await fetch(`${stack.service.url}/t/o/${path}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const counts = await stack.service.store.opsCounts();
    expect(counts.events).toEqual({});
    expect(counts.hits).toEqual([]);
  });
});

describe('security headers', () => {
  const REQUIRED = ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy'];
  const paths = [
    '/u/' + signToken('e2e-secret-e2e-secret', { k: 'u', r: 999 }),
    '/u/forged',
    '/nowhere',
    '/healthz',
    '/readyz',
    '/t/c/forged',
    '/api/v1/campaigns',
    '/%E0%A4%A',
  ];

  it.each(paths)('%s carries CSP with frame-ancestors, X-Frame-Options, nosniff and Referrer-Policy', async (path) => {
    const res = await fetch(`${stack.service.url}${path}`, { redirect: 'manual' });
    for (const h of REQUIRED) expect(res.headers.get(h), h).toBeTruthy();
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).not.toMatch(/\n\s+at /);
  });
});
