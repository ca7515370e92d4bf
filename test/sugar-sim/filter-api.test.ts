// Checklist 6: the Filter API over HTTP (§4, fact-check rows 12-15). Operator semantics live in filter.test.ts.
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { adminSim, expectSugarError } from './helpers.js';

const t = adminSim();
const get = (path: string) => t.a.req('GET', path, { token: t.token });
const json = (v: unknown) => encodeURIComponent(JSON.stringify(v));

describe('list endpoints', () => {
  it('GET /<M> pages 20 by default with next_offset', async () => {
    const r = await get('/Contacts');
    expect(r.body.records).toHaveLength(20);
    expect(r.body.next_offset).toBe(20);
    const last = await get('/Contacts?offset=20');
    expect(last.body.records).toHaveLength(20);
    expect(last.body.next_offset).toBe(-1);
    const all = await get('/Contacts?max_num=-1&fields=id');
    expect(all.body).toMatchObject({ next_offset: -1 });
    expect(all.body.records).toHaveLength(40);
  });

  it('pages are disjoint and ordered date_modified DESC then id', async () => {
    const ids = new Set<string>();
    let offset = 0;
    while (offset >= 0) {
      const r = await get(`/Leads?max_num=7&offset=${offset}&fields=id`);
      for (const rec of r.body.records) ids.add(rec.id);
      offset = r.body.next_offset;
    }
    expect(ids.size).toBe(30);
  });

  it('GET /<M>/filter, POST /<M>/filter and the count routes agree', async () => {
    const filter = [{ region_c: 'EMEA' }];
    const viaGet = await get(`/Contacts/filter?filter=${json(filter)}&max_num=-1&fields=region_c`);
    const viaPost = await t.a.req('POST', '/Contacts/filter', { token: t.token, body: { filter, max_num: -1, fields: ['region_c'] } });
    expect(viaPost.body).toEqual(viaGet.body);
    expect(viaGet.body.records.length).toBeGreaterThan(0);
    expect(viaGet.body.records.every((r: { region_c: string }) => r.region_c === 'EMEA')).toBe(true);
    const n = viaGet.body.records.length;
    expect((await get(`/Contacts/count?filter=${json(filter)}`)).body).toEqual({ record_count: n });
    expect((await get(`/Contacts/filter/count?filter=${json(filter)}`)).body).toEqual({ record_count: n });
    expect((await t.a.req('POST', '/Contacts/filter/count', { token: t.token, body: { filter } })).body).toEqual({ record_count: n });
  });

  it('accepts the bracket form of filter', async () => {
    const r = await get(
      '/Contacts?filter[0][last_name][$starts]=Ch&filter[0][region_c][$in][]=EMEA&filter[0][region_c][$in][]=NA&fields=last_name,region_c&max_num=-1',
    );
    expect(r.status).toBe(200);
    expect(r.body.records.length).toBeGreaterThan(0);
    for (const rec of r.body.records) {
      expect(rec.last_name.startsWith('Ch')).toBe(true);
      expect(['EMEA', 'NA']).toContain(rec.region_c);
    }
  });

  it('accepts bracket forms nested deeper than qs allows by default', async () => {
    const deep = await get(
      '/Contacts?filter[0][$or][0][$and][0][last_name][$starts]=Ch&filter[0][$or][1][region_c][$in][]=NA&fields=last_name,region_c&max_num=-1',
    );
    expect(deep.status).toBe(200);
    const asJson = await get(
      `/Contacts?filter=${json([{ $or: [{ $and: [{ last_name: { $starts: 'Ch' } }] }, { region_c: { $in: ['NA'] } }] }])}&fields=last_name,region_c&max_num=-1`,
    );
    expect(deep.body.records.length).toBeGreaterThan(0);
    expect(deep.body).toEqual(asJson.body);
  });

  it("filters on email_addresses.* across all of a record's addresses and on email for the primary only", async () => {
    const twoAddr = DEMO_IDS.special.twoAddressContact;
    const bySecondary = await get(`/Contacts?filter=${json([{ 'email_addresses.email_address': 'dana@example.com' }])}&fields=id`);
    expect(bySecondary.body.records.map((r: { id: string }) => r.id)).toEqual([twoAddr]);
    const byPrimaryOnly = await get(`/Contacts?filter=${json([{ email: 'dana@example.com' }])}&fields=id`);
    expect(byPrimaryOnly.body.records).toEqual([]);
  });

  it('order_by sorts, and an unknown field is 422', async () => {
    const r = await get('/Accounts?order_by=name:asc&fields=name');
    const names = r.body.records.map((x: { name: string }) => x.name);
    expect(names).toEqual([...names].sort((p: string, q: string) => p.localeCompare(q)));
    expectSugarError(await get('/Accounts?order_by=nope:desc'), 422, 'invalid_parameter', 'Non existing field: nope in module: Accounts');
  });

  it('answers the §4 errors with 422 invalid_parameter', async () => {
    expectSugarError(await get(`/Contacts?filter=${json([{ nope: 1 }])}`), 422, 'invalid_parameter', 'Unknown field nope');
    expectSugarError(await get(`/Contacts?filter=${json([{ last_name: { $in: 'x' } }])}`), 422, 'invalid_parameter', '$in requires an array');
    expectSugarError(await get(`/Contacts?filter=${json([{ last_name: { $nope: 1 } }])}`), 422, 'invalid_parameter', 'Did not recognize the operand: $nope');
    expectSugarError(await get(`/Contacts?filter=${json([{ date_modified: { $between: ['2020-01-01'] } }])}`), 422, 'invalid_parameter');
    expectSugarError(await get(`/CampaignLog?filter=${json([{ hits: { $gt: 'lots' } }])}`), 422, 'invalid_parameter');
    expectSugarError(await get('/Contacts?filter=notjson'), 422, 'invalid_parameter');
    expectSugarError(await get(`/Contacts?q=a&filter=${json([{ last_name: 'x' }])}`), 422, 'invalid_parameter');
    expectSugarError(await get('/Contacts?max_num=ten'), 422, 'invalid_parameter');
  });

  it('q searches name-like fields', async () => {
    const r = await get('/Accounts?q=diaz&fields=name');
    expect(r.body.records.map((x: { name: string }) => x.name)).toEqual(['Diaz Inc']);
  });

  it('custom fields, macros and deleted work through HTTP', async () => {
    const own = await t.a.login('sally');
    const mine = await t.a.req('GET', `/Contacts?filter=${json([{ $owner: '' }])}&max_num=-1&fields=assigned_user_id`, { token: own.access_token });
    expect(mine.body.records.length).toBeGreaterThan(0);
    expect(mine.body.records.every((r: { assigned_user_id: string }) => r.assigned_user_id === 'seed_sally_id')).toBe(true);
    const gold = await get(`/Prospects/count?filter=${json([{ loyalty_tier_c: 'Gold' }])}`);
    expect(gold.body.record_count).toBeGreaterThan(0);
  });
});
