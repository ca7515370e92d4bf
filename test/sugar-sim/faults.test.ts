// Fault injection (in-process API and /__sim/ control API) and the campaign-log count helper.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_IDS, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

let sim: SugarSim;
let a: ReturnType<typeof api>;
let token: string;
const ping = () => a.req('GET', '/ping', { token });
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sim.url}/__sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  sim = await startTestSim();
  a = api(sim);
});
beforeEach(async () => {
  sim.faults.reset();
  token = (await a.login('admin')).access_token;
  sim.clearRequests();
});
afterAll(() => sim.close());

describe('in-process faults', () => {
  it('failNext answers the next N requests with 503 service_unavailable by default, or the given error', async () => {
    sim.faults.failNext(2);
    expectSugarError(await ping(), 503, 'service_unavailable');
    expectSugarError(await ping(), 503, 'service_unavailable');
    expect((await ping()).status).toBe(200);
    sim.faults.failNext(1, 502, 'bad_gateway');
    expectSugarError(await ping(), 502, 'bad_gateway');
  });

  it('maintenanceFor answers 503 maintenance for every request until it elapses or is reset', async () => {
    sim.faults.maintenanceFor(60_000);
    expectSugarError(await ping(), 503, 'maintenance');
    expectSugarError(await a.req('POST', '/oauth2/token', { body: {} }), 503, 'maintenance');
    sim.faults.maintenanceFor(0);
    expect((await ping()).status).toBe(200);
  });

  it('expireTokensNow expires every current access token; a new login works', async () => {
    sim.faults.expireTokensNow();
    expectSugarError(await ping(), 401, 'invalid_grant', 'The access token provided has expired.');
    token = (await a.login('admin')).access_token;
    expect((await ping()).status).toBe(200);
  });

  it('rejectRefresh makes refresh grants fail with 400 invalid_grant', async () => {
    const t = await a.login('sally', 'leadfwd');
    sim.faults.rejectRefresh = true;
    const body = { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: t.refresh_token, platform: 'leadfwd' };
    expectSugarError(await a.req('POST', '/oauth2/token', { body }), 400, 'invalid_grant');
    sim.faults.rejectRefresh = false;
    expect((await a.req('POST', '/oauth2/token', { body })).status).toBe(200);
  });

  it('rateLimitNext answers 429 too_many_requests with Retry-After (simulator-only)', async () => {
    sim.faults.rateLimitNext(1, 7);
    const r = await ping();
    expectSugarError(r, 429, 'too_many_requests');
    expect(r.headers.get('retry-after')).toBe('7');
    expect((await ping()).status).toBe(200);
  });

  it('dropNext destroys the socket without an answer and logs status 0', async () => {
    sim.faults.dropNext(1);
    await expect(fetch(`${a.base}/ping`, { headers: { 'OAuth-Token': token } })).rejects.toThrow();
    expect((await ping()).status).toBe(200);
    expect(sim.requests().map((r) => r.status)).toEqual([0, 200]);
  });

  it('latencyMs delays every request by at least that long', async () => {
    sim.faults.latencyMs = 60;
    await ping();
    expect(sim.requests()[0].ms).toBeGreaterThanOrEqual(59);
  });

  it('reset clears all armed faults; bad arguments throw', () => {
    sim.faults.failNext(5);
    sim.faults.rateLimitNext(5, 1);
    sim.faults.dropNext(5);
    sim.faults.reset();
    expect(() => sim.faults.failNext(-1)).toThrow(TypeError);
    expect(() => sim.faults.failNext(1, 200)).toThrow(TypeError);
    expect(() => sim.faults.dropNext(1.5)).toThrow(TypeError);
    return ping().then((r) => expect(r.status).toBe(200));
  });
});

describe('/__sim/ control API', () => {
  it('arms faults over HTTP; /__sim/ itself is never faulted', async () => {
    expect(
      (await control('POST', '/faults', { failNext: { count: 1, status: 500, label: 'fatal_error' }, rateLimit: { count: 1, retryAfter: 3 } })).status,
    ).toBe(200);
    const limited = await ping();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await control('GET', '/requests')).status).toBe(200);
    expectSugarError(await ping(), 500, 'fatal_error');
    await control('POST', '/faults', { maintenanceMs: 60_000, latencyMs: 0 });
    expectSugarError(await ping(), 503, 'maintenance');
    await control('POST', '/faults', { reset: true, expireTokens: true });
    expectSugarError(await ping(), 401, 'invalid_grant');
    await control('POST', '/faults', { rejectRefresh: true, dropNext: 1 });
    await expect(fetch(`${a.base}/ping`)).rejects.toThrow();
    expect(sim.faults.rejectRefresh).toBe(true);
  });

  it('lists and clears the request log', async () => {
    await ping();
    const r = await control('GET', '/requests');
    expect(r.body).toEqual([expect.objectContaining({ method: 'GET', path: '/rest/v11_1/ping', status: 200, bulk: false })]);
    expect((await control('DELETE', '/requests')).body).toEqual({ success: true });
    expect((await control('GET', '/requests')).body).toEqual([]);
  });

  it('rejects bad control input with 400 and a clear message', async () => {
    const bad = await control('POST', '/faults', { failNext: { count: -1 } });
    expect(bad).toEqual({ status: 400, body: { error: 'invalid_request', error_message: 'failNext.count must be a non-negative integer' } });
    expect((await control('POST', '/faults', '{oops')).status).toBe(400);
    expect((await control('POST', '/seed-bulk', { lists: 'many' })).status).toBe(400);
    expect((await control('GET', '/nope')).status).toBe(404);
  });

  it("counts CampaignLog rows exactly as Sugar's status page does", async () => {
    const cid = DEMO_IDS.campaigns.autumn;
    const log = (body: Record<string, unknown>) => a.req('POST', '/CampaignLog', { token, body: { campaign_id: cid, target_type: 'Contacts', ...body } });
    await log({ target_id: 't1', activity_type: 'targeted' });
    await log({ target_id: 't2', activity_type: 'targeted' });
    await log({ target_id: 't1', activity_type: 'viewed', hits: 5 });
    await log({ target_id: 't3', activity_type: 'viewed', archived: true });
    await log({ activity_type: 'link' });
    const gone = await log({ target_id: 't4', activity_type: 'removed' });
    await a.req('DELETE', `/CampaignLog/${gone.body.id}`, { token });
    await a.req('POST', '/CampaignLog', { token, body: { campaign_id: DEMO_IDS.campaigns.spring, target_id: 't1', activity_type: 'targeted' } });
    expect(sim.campaignLogCounts(cid)).toEqual({ targeted: 2, viewed: 1 });
    expect((await control('GET', `/campaign-log-counts/${cid}`)).body).toEqual({ targeted: 2, viewed: 1 });
  });
});
