// Checklist 3: /me, /ping and the ACL that lets the service test 403s (§9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS, type SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

let sim: SugarSim;
let a: ReturnType<typeof api>;
let admin: string;
let chris: string;

beforeAll(async () => {
  sim = await startTestSim();
  a = api(sim);
  admin = (await a.login('admin')).access_token;
  chris = (await a.login('chris')).access_token;
});
afterAll(() => sim.close());

describe('GET /me and /ping', () => {
  it('describes the admin', async () => {
    const r = await a.req('GET', '/me', { token: admin });
    expect(r.status).toBe(200);
    const u = r.body.current_user;
    expect(u).toMatchObject({ id: '1', user_name: 'admin', type: 'admin', full_name: 'Ada Admin' });
    expect(u.preferences).toMatchObject({ timezone: 'UTC' });
    expect(u.module_list).toHaveProperty('Campaigns');
    expect(u.acl.Campaigns).toEqual({ fields: {}, _hash: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(typeof u._hash).toBe('string');
  });

  it('lists only denied actions, as "no"', async () => {
    const sally = (await a.login('sally')).access_token;
    const s = (await a.req('GET', '/me', { token: sally })).body.current_user;
    expect(s.type).toBe('user');
    expect(s.acl.Contacts).toEqual({ fields: {}, _hash: expect.any(String), admin: 'no', developer: 'no' });
    const c = (await a.req('GET', '/me', { token: chris })).body.current_user;
    for (const action of ['access', 'view', 'list', 'edit', 'delete', 'create', 'import', 'export', 'massupdate']) {
      expect(c.acl.Campaigns[action]).toBe('no');
    }
    expect(c.module_list).not.toHaveProperty('Campaigns');
  });

  it('ping answers "pong" and needs a login', async () => {
    const r = await a.req('GET', '/ping', { token: admin });
    expect(r.text).toBe('"pong"');
    expectSugarError(await a.req('GET', '/me'), 401, 'need_login');
  });
});

describe('GET /metadata', () => {
  it('gives field definitions per module, custom fields marked, non-db fields flagged', async () => {
    const r = await a.req('GET', '/metadata?type_filter=modules&module_filter=Contacts', { token: admin });
    expect(Object.keys(r.body.modules)).toEqual(['Contacts']);
    const f = r.body.modules.Contacts.fields;
    expect(f.region_c).toMatchObject({ name: 'region_c', type: 'enum', source: 'custom_fields' });
    expect(f.first_name).toMatchObject({ type: 'varchar', vname: 'LBL_FIRST_NAME' });
    expect(f.first_name).not.toHaveProperty('source');
    expect(f.email).toMatchObject({ type: 'email', source: 'non-db' });
    expect(f.full_name).toMatchObject({ type: 'fullname', source: 'non-db' });
    expect(f.prospect_lists).toMatchObject({ type: 'link', module: 'ProspectLists' });
    const hidden = await a.req('GET', '/metadata?type_filter=modules&module_filter=Campaigns', { token: chris });
    expect(hidden.body.modules).toEqual({});
    expectSugarError(await a.req('GET', '/metadata'), 401, 'need_login');
  });
});

describe('a user denied Campaigns gets 403 not_authorized everywhere', () => {
  const cid = DEMO_IDS.campaigns.spring;
  it('on list, count, read, create, update, delete and links', async () => {
    expectSugarError(await a.req('GET', '/Campaigns', { token: chris }), 403, 'not_authorized', 'No access to view records for module: Campaigns');
    expectSugarError(await a.req('GET', '/Campaigns/count', { token: chris }), 403, 'not_authorized');
    expectSugarError(await a.req('GET', `/Campaigns/${cid}`, { token: chris }), 403, 'not_authorized', 'Not allowed to perform action "view" on this record');
    expectSugarError(await a.req('POST', '/Campaigns', { token: chris, body: { name: 'x' } }), 403, 'not_authorized');
    expectSugarError(await a.req('PUT', `/Campaigns/${cid}`, { token: chris, body: { name: 'x' } }), 403, 'not_authorized');
    expectSugarError(await a.req('DELETE', `/Campaigns/${cid}`, { token: chris }), 403, 'not_authorized');
    expectSugarError(await a.req('GET', `/Campaigns/${cid}/link/prospectlists`, { token: chris }), 403, 'not_authorized');
    expectSugarError(await a.req('GET', `/ProspectLists/${DEMO_IDS.lists.newsletter}/link/campaigns`, { token: chris }), 403, 'not_authorized');
  });

  it('while other modules stay open to him', async () => {
    const r = await a.req('GET', '/Contacts?max_num=1', { token: chris });
    expect(r.status).toBe(200);
    expect(r.body.records).toHaveLength(1);
  });
});

describe('roles as Sugar computes them (sugar-platform.md §9, §13): dana, max', () => {
  it('dana: no people or users at all, Campaigns and Target Lists to view only', async () => {
    const dana = (await a.login('dana')).access_token;
    const me = (await a.req('GET', '/me', { token: dana })).body.current_user;
    for (const m of ['Contacts', 'Leads', 'Prospects', 'Users']) expect(me.acl[m]).toMatchObject({ access: 'no', list: 'no', view: 'no' });
    for (const m of ['Campaigns', 'ProspectLists']) {
      expect(me.acl[m]).toMatchObject({ create: 'no', edit: 'no', delete: 'no' });
      expect(me.acl[m].view).toBeUndefined();
      expect(me.acl[m].list).toBeUndefined();
    }
    expectSugarError(await a.req('GET', '/Contacts', { token: dana }), 403, 'not_authorized');
    expectSugarError(await a.req('GET', `/ProspectLists/${DEMO_IDS.lists.newsletter}/link/contacts`, { token: dana }), 403, 'not_authorized');
    expect((await a.req('GET', '/Campaigns', { token: dana })).status).toBe(200);
    expectSugarError(await a.req('PUT', `/Campaigns/${DEMO_IDS.campaigns.spring}`, { token: dana, body: { name: 'x' } }), 403, 'not_authorized');
  });

  it('max: owner-only Campaigns edit is absent from /me and "no" in the _acl of a record not his; PUT is refused there', async () => {
    const max = (await a.login('max')).access_token;
    const me = (await a.req('GET', '/me', { token: max })).body.current_user;
    expect(me.acl.Campaigns.edit).toBeUndefined();
    const spring = await a.req('GET', `/Campaigns/${DEMO_IDS.campaigns.spring}`, { token: max });
    expect(spring.body._acl).toEqual({ fields: {}, edit: 'no', delete: 'no', create: 'no' });
    expectSugarError(await a.req('PUT', `/Campaigns/${DEMO_IDS.campaigns.spring}`, { token: max, body: { name: 'x' } }), 403, 'not_authorized');
    const own = await a.req('POST', '/Campaigns', {
      token: max,
      body: { name: 'Max own', campaign_type: 'Email', status: 'Planning', end_date: '2030-01-01' },
    });
    expect(own.body._acl).toEqual({ fields: {} });
    expect((await a.req('PUT', `/Campaigns/${own.body.id}`, { token: max, body: { name: 'Max own, renamed' } })).status).toBe(200);
  });

  it("max: mobile numbers are hidden from /me's field ACL, from records, and refused in filters", async () => {
    const max = (await a.login('max')).access_token;
    const me = (await a.req('GET', '/me', { token: max })).body.current_user;
    expect(me.acl.Contacts.fields).toEqual({ phone_mobile: { read: 'no', write: 'no', create: 'no' } });
    const c = await a.req('GET', `/Contacts/${DEMO_IDS.contacts[0]}`, { token: max });
    expect(c.body).not.toHaveProperty('phone_mobile');
    expect(c.body).toHaveProperty('last_name');
    const r = await a.req('POST', '/Contacts/filter', { token: max, body: { filter: [{ phone_mobile: { $starts: '+' } }] } });
    expectSugarError(r, 403, 'not_authorized');
    expect(r.body.error_message).toBe('Access for field phone_mobile is not allowed');
    const adminView = await a.req('GET', `/Contacts/${DEMO_IDS.contacts[0]}`, { token: admin });
    expect(adminView.body).toHaveProperty('phone_mobile');
  });
});
