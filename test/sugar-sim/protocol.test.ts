// Versions, routing order, body parsing, error shape and encoding (§1 "API version", §2; fact-check rows 5, 8, 23).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

let sim: SugarSim;
let token: string;

beforeAll(async () => {
  sim = await startTestSim({ seed: 'empty' });
  token = (await api(sim).login('admin')).access_token;
});
afterAll(() => sim.close());

describe('API versions', () => {
  it.each(['v10', 'v11', 'v11_1', 'v11_27', 'v10_5'])('accepts %s', async (v) => {
    expect((await api(sim, v).req('GET', '/ping', { token })).body).toBe('pong');
  });

  it.each(['v11_28', 'v12', 'v09', 'v9', 'v11.1', 'v11_123'])('answers %s with 301 incorrect_version and no Location', async (v) => {
    const r = await api(sim, v).req('GET', '/ping', { token });
    expectSugarError(r, 301, 'incorrect_version');
    expect(r.headers.get('location')).toBeNull();
  });

  it('takes the version from the Accept header, but not from both places', async () => {
    const accept = { Accept: 'application/vnd.sugarcrm.core+json; version=11.1' };
    expect((await api(sim, '').req('GET', '/ping', { token, headers: accept })).body).toBe('pong');
    expectSugarError(await api(sim, '').req('GET', '/ping', { token }), 301, 'incorrect_version');
    expectSugarError(await api(sim, 'v11_1').req('GET', '/ping', { token, headers: accept }), 301, 'incorrect_version');
    const tooNew = { Accept: 'application/vnd.sugarcrm.core+json; version=11.40' };
    expectSugarError(await api(sim, '').req('GET', '/ping', { token, headers: tooNew }), 301, 'incorrect_version');
  });

  it('maxVersion is configurable', async () => {
    const old = await startTestSim({ seed: 'empty', maxVersion: '11_1' });
    try {
      const t = (await api(old).login('admin')).access_token;
      expectSugarError(
        await api(old, 'v11_2').req('GET', '/ping', { token: t }),
        301,
        'incorrect_version',
        'Please change your requested API version to value between 10 and 11.1.',
      );
    } finally {
      await old.close();
    }
  });
});

describe('routing happens before authentication', () => {
  const a = () => api(sim);
  it('unknown module or route is 404 no_method even without a token', async () => {
    expectSugarError(await a().req('GET', '/NoSuchModule'), 404, 'no_method');
    expectSugarError(await a().req('GET', '/NoSuchModule/123', { token }), 404, 'no_method');
    expectSugarError(await a().req('PATCH', '/Contacts/123', { token }), 404, 'no_method');
    expectSugarError(await a().req('DELETE', '/Contacts', { token }), 404, 'no_method');
    expectSugarError(await a().req('GET', '/Contacts/1/2/3/4/5/6/7'), 404, 'no_method');
  });

  it('a known route without a token is 401', async () => {
    expectSugarError(await a().req('GET', '/Contacts'), 401, 'need_login');
  });

  it('malformed JSON is 422 invalid_parameter before the login check', async () => {
    for (const raw of ['{bad', '{"a":', '[1,2', 'nul']) {
      expectSugarError(await a().req('POST', '/Contacts', { raw }), 422, 'invalid_parameter', 'A parameter in your request was invalid.');
    }
  });

  it('JSON nested deeper than 32 is 422; 32 levels are accepted', async () => {
    const nest = (n: number) => `{"first_name":"Deep","x":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expectSugarError(await a().req('POST', '/Contacts', { raw: nest(33) }), 422, 'invalid_parameter');
    expectSugarError(await a().req('POST', '/Contacts', { raw: '['.repeat(100_000) + ']'.repeat(100_000) }), 422, 'invalid_parameter');
    const ok = await a().req('POST', '/Contacts', { raw: nest(32), token });
    expect(ok.status).toBe(200);
    expect(ok.body.first_name).toBe('Deep');
  });

  it('brackets inside strings do not count as depth', async () => {
    const raw = JSON.stringify({ last_name: '['.repeat(50) + '{'.repeat(50) });
    const r = await a().req('POST', '/Contacts', { raw, token });
    expect(r.status).toBe(200);
    expect(r.body.last_name).toHaveLength(100);
  });
});

describe('error and response encoding', () => {
  it('escapes <, >, &, apostrophes and slashes the way PHP JSON_HEX_* does', async () => {
    const r = await api(sim).req('POST', '/Accounts', { token, body: { name: "<b>R&D</b> O'Neil", website: 'https://x.example/a' } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('\\u003Cb\\u003ER\\u0026D\\u003C\\/b\\u003E O\\u0027Neil');
    expect(r.text).toContain('https:\\/\\/x.example\\/a');
    expect(r.body.name).toBe("<b>R&D</b> O'Neil");
  });

  it('GET answers carry an ETag and a matching If-None-Match gets 304', async () => {
    const a = api(sim);
    const first = await a.req('GET', '/me', { token });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await a.req('GET', '/me', { token, headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('an unexpected failure is 500 unknown_error without a stack trace', async () => {
    const broken = await startTestSim({ seed: 'empty' });
    try {
      const t = (await api(broken).login('admin')).access_token;
      broken.db.exec('DROP TABLE campaign_trkrs');
      expectSugarError(await api(broken).req('GET', '/CampaignTrackers', { token: t }), 500, 'unknown_error');
    } finally {
      await broken.close();
    }
  });

  it('paths outside /rest answer JSON, not HTML', async () => {
    const res = await fetch(`${sim.url}/nowhere`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('no_method');
  });
});
