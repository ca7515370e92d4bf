// Token lifecycle against the real simulator: login, expiry, rejected refresh, need_login, concurrency.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSugarSim } from '../../scripts/sugar-sim/server.js';
import { createLogger } from '../../service/src/logger.js';
import { fetchCurrentUser, SugarApiError, SugarClient } from '../../service/src/sugar/sugar-client.js';
import { calls, caught, makeClient, type Sim } from './sim-fixture.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSugarSim({ port: 0, seed: 'empty' });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.clearRequests();
});

/** A client that logged in, whose tokens then expired; the simulator's requests and the client's stats start afresh. */
async function loggedInThenExpired(): Promise<SugarClient> {
  const { client } = makeClient(sim);
  await client.get('/ping');
  sim.faults.expireTokensNow();
  sim.clearRequests();
  client.resetStats();
  return client;
}

describe('SugarClient session', () => {
  it('logs in once on first use and reuses the token', async () => {
    const { client } = makeClient(sim);
    expect(await client.get('/ping')).toBe('pong');
    expect(await client.get('/ping')).toBe('pong');
    expect(calls(sim)).toEqual(['POST /oauth2/token', 'GET /ping', 'GET /ping']);
    expect(client.stats()).toMatchObject({ calls: 3, logins: 1, refreshes: 0, retries: 0, byStatus: { 200: 3 } });
    await client.logout();
  });

  it('refreshes once when the access token expires mid-run, then replays', async () => {
    const client = await loggedInThenExpired();
    expect(await client.get('/ping')).toBe('pong');
    expect(calls(sim)).toEqual(['GET /ping', 'POST /oauth2/token', 'GET /ping']);
    expect(client.stats()).toMatchObject({ calls: 3, logins: 0, refreshes: 1, retries: 0, byStatus: { 401: 1, 200: 2 } });
    await client.logout();
  });

  it('logs in again with the password when Sugar rejects the refresh', async () => {
    const client = await loggedInThenExpired();
    sim.faults.rejectRefresh = true;
    expect(await client.get('/ping')).toBe('pong');
    expect(calls(sim)).toEqual(['GET /ping', 'POST /oauth2/token', 'POST /oauth2/token', 'GET /ping']);
    expect(client.stats()).toMatchObject({ calls: 4, logins: 1, refreshes: 1, byStatus: { 401: 1, 400: 1, 200: 2 } });
    await client.logout();
  });

  it('logs in again on 401 need_login', async () => {
    const { client } = makeClient(sim);
    await client.get('/ping');
    sim.faults.failNext(1, 401, 'need_login');
    client.resetStats();
    expect(await client.get('/ping')).toBe('pong');
    expect(client.stats()).toMatchObject({ calls: 3, logins: 1, refreshes: 0, byStatus: { 401: 1, 200: 2 } });
    await client.logout();
  });

  it('surfaces a login rejected during recovery as an auth error', async () => {
    const { client } = makeClient(sim);
    await client.get('/ping');
    sim.faults.failNext(2, 401, 'need_login'); // the call, then the fresh login
    client.resetStats();
    const err = await caught(() => client.get('/ping'));
    expect(err).toBeInstanceOf(SugarApiError);
    expect([err.kind, err.status, err.label, err.retryable]).toEqual(['auth', 401, 'need_login', false]);
    expect(client.stats()).toMatchObject({ calls: 2, logins: 1 });
    expect(await client.get('/ping')).toBe('pong');
    await client.logout();
  });

  it('recovers a token only once per call: a replay rejected again is an auth error', async () => {
    const instant = await startSugarSim({ port: 0, seed: 'empty', accessTokenLifetime: 0 });
    try {
      const { client } = makeClient(instant);
      const err = await caught(() => client.get('/ping'));
      expect([err.kind, err.status, err.label]).toEqual(['auth', 401, 'invalid_grant']);
      expect(calls(instant)).toEqual(['POST /oauth2/token', 'GET /ping', 'POST /oauth2/token', 'GET /ping']);
      expect(client.stats()).toMatchObject({ calls: 4, logins: 1, refreshes: 1 });
    } finally {
      await instant.close();
    }
  });

  it('shares one login among concurrent first calls', async () => {
    const { client } = makeClient(sim);
    const results = await Promise.all(Array.from({ length: 8 }, () => client.get('/ping')));
    expect(results).toEqual(Array(8).fill('pong'));
    expect(calls(sim).filter((c) => c === 'POST /oauth2/token')).toHaveLength(1);
    expect(client.stats()).toMatchObject({ calls: 9, logins: 1 });
    await client.logout();
  });

  it('shares one refresh among concurrent callers whose token expired', async () => {
    const client = await loggedInThenExpired();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.get('/ping')));
    expect(results).toEqual(Array(10).fill('pong'));
    expect(calls(sim).filter((c) => c === 'POST /oauth2/token')).toHaveLength(1);
    expect(client.stats()).toMatchObject({ calls: 21, refreshes: 1, logins: 0, byStatus: { 401: 10, 200: 11 } });
    await client.logout();
  });

  it('reports wrong credentials as an auth error without retrying or leaking the password', async () => {
    const { client } = makeClient(sim, { password: 'not-the-password' });
    const err = await caught(() => client.get('/ping'));
    expect([err.kind, err.status, err.label]).toEqual(['auth', 401, 'need_login']);
    expect(err.message).not.toContain('not-the-password');
    expect(client.stats()).toMatchObject({ calls: 1, logins: 1, retries: 0 });
  });

  it('reports an unregistered platform as invalid', async () => {
    const { client } = makeClient(sim, { platform: 'nobody-registered-this' });
    const err = await caught(() => client.get('/ping'));
    expect([err.kind, err.status, err.label]).toEqual(['invalid', 422, 'invalid_parameter']);
  });

  it('logs out on Sugar and logs in again when used afterwards', async () => {
    const { client } = makeClient(sim);
    await client.get('/ping');
    await client.logout();
    expect(calls(sim)).toEqual(['POST /oauth2/token', 'GET /ping', 'POST /oauth2/logout']);
    expect(await client.get('/ping')).toBe('pong');
    expect(client.stats().logins).toBe(2);
    await client.logout();
  });

  it('logs method, path, status and timing only, never credentials or tokens', async () => {
    const { client, logs } = makeClient(sim);
    await client.get('/ping');
    sim.faults.expireTokensNow();
    sim.faults.failNext(1, 503);
    await client.get('/ping');
    await client.logout();
    expect(logs.length).toBeGreaterThan(4);
    for (const { obj } of logs) {
      expect(Object.keys(obj).every((k) => ['method', 'path', 'status', 'ms', 'attempt', 'waitMs'].includes(k))).toBe(true);
    }
    expect(JSON.stringify(logs)).not.toMatch(/admin|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('accepts a pino logger', async () => {
    const client = new SugarClient({ baseUrl: sim.url, username: 'admin', password: 'admin', logger: createLogger('silent') });
    expect(await client.get('/ping')).toBe('pong');
    await client.logout();
  });
});

describe('fetchCurrentUser', () => {
  async function userToken(user: string): Promise<string> {
    const res = await fetch(`${sim.url}/rest/v11_1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform: 'base' }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('returns who owns a token and the denied ACL actions', async () => {
    const me = await fetchCurrentUser(sim.url, 'v11_1', await userToken('chris'));
    expect([me.user_name, me.type, me.id]).toEqual(['chris', 'user', 'seed_chris_id']);
    expect(me.acl.Campaigns.access).toBe('no');
    expect(me.acl.Contacts?.access).toBeUndefined();
    expect((await fetchCurrentUser(sim.url, 'v11_1', await userToken('admin'))).type).toBe('admin');
  });

  it('rejects a bad token with an auth error and never refreshes', async () => {
    sim.clearRequests();
    const err = await caught(() => fetchCurrentUser(sim.url, 'v11_1', 'no-such-token'));
    expect(err).toBeInstanceOf(SugarApiError);
    expect([err.kind, err.status, err.label]).toEqual(['auth', 401, 'invalid_grant']);
    expect(calls(sim)).toEqual(['GET /me']);
    expect((await caught(() => fetchCurrentUser(sim.url, 'v11_1', ''))).kind).toBe('auth');
  });
});

describe("SugarClient.sudo (a user's rights when the user is not there)", () => {
  it("buys one token per user for concurrent calls, on the service's platform, leaving the user's browser session alive", async () => {
    const login = await fetch(`${sim.url}/rest/v11_1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'sally', password: 'sally', platform: 'base' }),
    });
    const browser = ((await login.json()) as { access_token: string }).access_token;
    const { client } = makeClient(sim);
    const sally = client.sudo('sally');
    expect(client.sudo('sally')).toBe(sally);
    const [a, b] = await Promise.all([sally.get<any>('/me'), sally.get<any>('/me')]);
    expect([a.current_user.user_name, b.current_user.user_name]).toEqual(['sally', 'sally']);
    expect(calls(sim).filter((c) => c.includes('/oauth2/sudo/sally'))).toHaveLength(1);
    // Her own session (platform base) still works: the sudo went to the service's platform.
    const mine = await fetch(`${sim.url}/rest/v11_1/me`, { headers: { 'OAuth-Token': browser } });
    expect(mine.status).toBe(200);
    // An expired sudo token is replaced by another sudo, once (the service's own token, expired too, refreshed first).
    sim.faults.expireTokensNow();
    sim.clearRequests();
    expect((await sally.get<any>('/me')).current_user.user_name).toBe('sally');
    expect(sim.requests().filter((r) => r.path.includes('/oauth2/sudo/sally') && r.status === 200)).toHaveLength(1);
    // A user Sugar does not know: the sudo's 404, not a retry loop.
    const err = await caught(() => client.sudo('nobody').get('/me'));
    expect(err).toMatchObject({ status: 404, path: '/oauth2/sudo/nobody' });
    await client.logout();
  });
});
