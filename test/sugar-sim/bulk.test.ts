// Checklist 10: POST /bulk (§8, fact-check row 19).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_IDS, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

let sim: SugarSim;
let a: ReturnType<typeof api>;
let token: string;
const bulk = (body: unknown) => a.req('POST', '/bulk', { token, body });

beforeAll(async () => {
  sim = await startTestSim();
  a = api(sim);
  token = (await a.login('admin')).access_token;
});
beforeEach(() => sim.clearRequests());
afterAll(() => sim.close());

describe('POST /bulk', () => {
  it('runs items in order with object or string data and answers {contents, headers, status, status_text}', async () => {
    const r = await bulk({
      requests: [
        { url: '/v11/Contacts', method: 'POST', data: { id: 'bulk-made', last_name: 'Bulk' } },
        { url: '/v11_1/Contacts/bulk-made', method: 'PUT', data: '{"first_name":"Ada"}' },
        { url: '/v10/Contacts/bulk-made?fields=first_name,last_name' },
        { url: '/v11/Contacts/missing' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(4);
    expect(r.body.map((x: { status: number }) => x.status)).toEqual([200, 200, 200, 404]);
    expect(r.body[2]).toEqual({
      contents: expect.objectContaining({ id: 'bulk-made', first_name: 'Ada', last_name: 'Bulk' }),
      headers: expect.objectContaining({ 'Content-Type': 'application/json' }),
      status: 200,
      status_text: 'OK',
    });
    expect(r.body[3]).toMatchObject({ status: 404, status_text: 'Not Found', contents: { error: 'not_found' } });
  });

  it('reports sub-request errors only in their item, including bad data and bad versions', async () => {
    const r = await bulk({
      requests: [{ url: '/v11/Contacts', method: 'POST', data: '{broken' }, { url: '/rest/v11/Contacts' }, { url: '/v11/Nope' }, { url: '/v11/ping' }],
    });
    expect(r.status).toBe(200);
    expect(r.body.map((x: { status: number; contents: { error?: string } }) => [x.status, x.contents.error ?? x.contents])).toEqual([
      [422, 'invalid_parameter'],
      [301, 'incorrect_version'],
      [404, 'no_method'],
      [200, 'pong'],
    ]);
  });

  it('a missing url anywhere (or no requests) is 422 missing_parameter and nothing runs', async () => {
    const before = (await a.req('GET', '/Leads/count', { token })).body.record_count;
    const r = await bulk({ requests: [{ url: '/v11/Leads', method: 'POST', data: { last_name: 'Never' } }, { method: 'GET' }] });
    expectSugarError(r, 422, 'missing_parameter', 'Invalid request - URL is missing');
    expectSugarError(await bulk({}), 422, 'missing_parameter', 'Invalid request - URL is missing');
    expect((await a.req('GET', '/Leads/count', { token })).body.record_count).toBe(before);
  });

  it("items inherit the caller's token; their own headers win", async () => {
    const r = await bulk({ requests: [{ url: '/v11/ping', headers: { 'OAuth-Token': 'bogus' } }, { url: '/v11/ping' }] });
    expect(r.body.map((x: { status: number }) => x.status)).toEqual([401, 200]);
    expectSugarError(await a.req('POST', '/bulk', { body: { requests: [{ url: '/v11/ping' }] } }), 401, 'need_login');
  });

  it('the request log separates the HTTP call from its items', async () => {
    await bulk({ requests: [{ url: `/v11/Contacts/${DEMO_IDS.contacts[0]}` }, { url: '/v11/ping' }] });
    const log = sim.requests();
    expect(log.map((e) => [e.method, e.path, e.status, e.bulk])).toEqual([
      ['POST', '/rest/v11_1/bulk', 200, false],
      ['GET', `/rest/v11/Contacts/${DEMO_IDS.contacts[0]}`, 200, true],
      ['GET', '/rest/v11/ping', 200, true],
    ]);
    expect(log.filter((e) => !e.bulk)).toHaveLength(1);
  });
});
