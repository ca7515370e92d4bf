// Checklist 1-2: OAuth2 grants, errors, sessions per platform, token use (§1, fact-check rows 1-4, 20-21).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let sim: SugarSim;
let a: ReturnType<typeof api>;
const grant = (extra: Record<string, unknown>) =>
  a.req('POST', '/oauth2/token', {
    body: { grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'sally', password: 'sally', platform: 'base', ...extra },
  });

beforeAll(async () => {
  sim = await startTestSim({ seed: 'empty' });
  a = api(sim);
});
afterAll(() => sim.close());

describe('password grant', () => {
  it('answers the seven keys with UUID tokens and sets the download cookie', async () => {
    const r = await grant({ platform: 'leadfwd' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['access_token', 'download_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(r.body).toMatchObject({ expires_in: 3600, token_type: 'bearer', scope: null, refresh_expires_in: 1209600 });
    for (const k of ['access_token', 'refresh_token', 'download_token']) expect(r.body[k]).toMatch(UUID);
    expect(r.headers.get('set-cookie')).toContain(`download_token_leadfwd=${r.body.download_token}`);
  });

  it('accepts a form-encoded body', async () => {
    const form = 'grant_type=password&client_id=sugar&client_secret=&username=max&password=max&platform=base';
    const r = await a.req('POST', '/oauth2/token', { raw: form, contentType: 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
    expect(r.body.access_token).toMatch(UUID);
  });

  it('rejects a wrong password with 401 need_login', async () => {
    expectSugarError(await grant({ password: 'nope' }), 401, 'need_login', 'You must specify a valid username and password.');
    expectSugarError(await grant({ username: 'ghost', password: 'ghost' }), 401, 'need_login');
  });

  it('checks the platform before the credentials (422 invalid_parameter)', async () => {
    expectSugarError(await grant({ platform: 'unknown', password: 'wrong' }), 422, 'invalid_parameter', 'Invalid platform specified.');
  });

  it('rejects a bad grant type, client or missing credentials with 400', async () => {
    expectSugarError(await grant({ grant_type: 'client_credentials' }), 400, 'invalid_request', 'Invalid grant_type parameter or parameter missing');
    expectSugarError(await grant({ grant_type: undefined }), 400, 'invalid_request');
    expectSugarError(await grant({ client_id: 'other' }), 400, 'invalid_client', 'The client credentials are invalid');
    expectSugarError(await grant({ password: undefined }), 400, 'invalid_request', 'Missing parameters. "username" and "password" required');
  });
});

describe('refresh grant', () => {
  const refresh = (token: unknown, platform = 'base') =>
    a.req('POST', '/oauth2/token', { body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: token, platform } });

  it('rotates the refresh token and deletes the old one', async () => {
    const first = (await grant({ username: 'max', password: 'max', platform: 'portal' })).body;
    const r = await refresh(first.refresh_token, 'portal');
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).not.toBe(first.refresh_token);
    expect((await a.req('GET', '/ping', { token: r.body.access_token })).body).toBe('pong');
    expectSugarError(await refresh(first.refresh_token, 'portal'), 400, 'invalid_grant', 'Invalid refresh token');
  });

  it('answers 400 invalid_grant for unknown tokens and invalid_request when missing', async () => {
    expectSugarError(await refresh('not-a-token'), 400, 'invalid_grant', 'Invalid refresh token');
    expectSugarError(await refresh(undefined), 400, 'invalid_request');
  });

  it('honours the configured lifetimes, including an expired refresh token', async () => {
    const short = await startTestSim({ seed: 'empty', accessTokenLifetime: 0, refreshTokenLifetime: 0 });
    try {
      const s = api(short);
      const t = await s.login('admin');
      expectSugarError(await s.req('GET', '/ping', { token: t.access_token }), 401, 'invalid_grant', 'The access token provided has expired.');
      const r = await s.req('POST', '/oauth2/token', {
        body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: t.refresh_token },
      });
      expectSugarError(r, 400, 'invalid_grant', /^Refresh token has expired/);
    } finally {
      await short.close();
    }
  });
});

describe('one session per user and platform', () => {
  it('a second login on the same platform kills the first session; other platforms are untouched', async () => {
    const first = await a.login('admin', 'base');
    const other = await a.login('admin', 'leadfwd');
    const second = await a.login('admin', 'base');
    expectSugarError(await a.req('GET', '/ping', { token: first.access_token }), 401, 'invalid_grant');
    const r = await a.req('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: first.refresh_token },
    });
    expectSugarError(r, 400, 'invalid_grant');
    expect((await a.req('GET', '/ping', { token: second.access_token })).status).toBe(200);
    expect((await a.req('GET', '/ping', { token: other.access_token })).status).toBe(200);
  });

  it('mobile keeps two sessions', async () => {
    const m1 = await a.login('max', 'mobile');
    const m2 = await a.login('max', 'mobile');
    expect((await a.req('GET', '/ping', { token: m1.access_token })).status).toBe(200);
    await a.login('max', 'mobile');
    expectSugarError(await a.req('GET', '/ping', { token: m1.access_token }), 401, 'invalid_grant');
    expect((await a.req('GET', '/ping', { token: m2.access_token })).status).toBe(200);
  });

  it('with a session-check delay the old access token lives on while its refresh token is already dead', async () => {
    const delayed = await startTestSim({ seed: 'empty', sessionCheckDelayMs: 60_000 });
    try {
      const s = api(delayed);
      const first = await s.login('sally', 'base');
      await s.login('sally', 'base');
      expect((await s.req('GET', '/ping', { token: first.access_token })).status).toBe(200);
      const r = await s.req('POST', '/oauth2/token', {
        body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: first.refresh_token },
      });
      expectSugarError(r, 400, 'invalid_grant');
    } finally {
      await delayed.close();
    }
  });

  it('only registered platforms are accepted, and the list is configurable', async () => {
    const custom = await startTestSim({ seed: 'empty', platforms: ['base', 'mine'] });
    try {
      const s = api(custom);
      expect((await s.login('admin', 'mine')).access_token).toMatch(UUID);
      await expect(s.login('admin', 'leadfwd')).rejects.toThrow(/422/);
    } finally {
      await custom.close();
    }
  });
});

describe('using the token', () => {
  it('no token is 401 need_login, a bogus one 401 invalid_grant', async () => {
    expectSugarError(await a.req('GET', '/ping'), 401, 'need_login', 'No valid authentication for user.');
    expectSugarError(await a.req('GET', '/ping', { token: 'bogus' }), 401, 'invalid_grant', 'The access token provided is invalid.');
    expect((await a.req('GET', '/ping', { token: 'bogus' })).headers.get('www-authenticate')).toBeNull();
  });

  it('accepts oauth_token in a POST body, not in a GET query', async () => {
    const t = await a.login('sally', 'opi');
    const r = await a.req('POST', '/Accounts', { body: { oauth_token: t.access_token, name: 'Body Token Ltd' } });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('Body Token Ltd');
    expectSugarError(await a.req('GET', `/ping?oauth_token=${t.access_token}`), 401, 'need_login');
  });

  it('logout answers {success:true}, ends the session and deletes the given refresh token', async () => {
    const t = await a.login('sally', 'lpi');
    const r = await a.req('POST', '/oauth2/logout', { token: t.access_token, body: { refresh_token: t.refresh_token } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true });
    expectSugarError(await a.req('GET', '/ping', { token: t.access_token }), 401, 'invalid_grant');
    const again = await a.req('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: t.refresh_token, platform: 'lpi' },
    });
    expectSugarError(again, 400, 'invalid_grant');
    expectSugarError(await a.req('POST', '/oauth2/logout'), 401, 'need_login');
  });
});
