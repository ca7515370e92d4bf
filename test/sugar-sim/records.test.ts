// Checklist 4, 8, 9: record CRUD, CampaignLog and ProspectLists rules (§3, §6, §7; fact-check rows 6, 7, 9).
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { adminSim, expectSugarError } from './helpers.js';

const SUGAR_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const t = adminSim();
const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => t.a.req(method, path, { token: t.token, body, headers });

describe('create and read', () => {
  const samples: Array<[string, Record<string, unknown>]> = [
    ['Campaigns', { name: 'C1', status: 'Planning', campaign_type: 'Email', end_date: '2030-01-31' }],
    ['ProspectLists', { name: 'L1', list_type: 'default' }],
    ['Contacts', { first_name: 'Ann', last_name: 'Lee', industry_c: 'Retail' }],
    ['Leads', { first_name: 'Bo', last_name: 'Ray', status: 'New', region_c: 'EMEA' }],
    ['Prospects', { first_name: 'Cy', last_name: 'Day', loyalty_tier_c: 'Gold' }],
    ['Accounts', { name: 'Acme', industry_c: 'Finance' }],
    ['CampaignLog', { campaign_id: DEMO_IDS.campaigns.spring, target_id: 'x', target_type: 'Contacts', activity_type: 'targeted' }],
    ['CampaignTrackers', { tracker_name: 'Offer', tracker_url: 'https://example.com/o', campaign_id: DEMO_IDS.campaigns.spring }],
    ['Users', { user_name: 'newbie', first_name: 'New', last_name: 'Bie' }],
  ];
  it.each(samples)('POST /%s returns the full record with Sugar bookkeeping keys', async (module, data) => {
    const r = await req('POST', `/${module}`, data);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ...data, _module: module, _acl: { fields: {} }, my_favorite: false, locked_fields: [] });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.date_modified).toMatch(SUGAR_DATETIME);
    const back = await req('GET', `/${module}/${r.body.id}`);
    expect(back.status).toBe(200);
    expect(back.body).toEqual(r.body);
  });

  it('accepts a client id once and answers 422 for a second create with it', async () => {
    const id = 'client-chosen-id-1';
    expect((await req('POST', '/Contacts', { id, last_name: 'Once' })).body.id).toBe(id);
    expectSugarError(await req('POST', '/Contacts', { id, last_name: 'Twice' }), 422, 'invalid_parameter', `Record already exists: ${id} in module: Contacts`);
  });

  it('returns only id, date_modified and the asked fields (CSV or array)', async () => {
    const id = DEMO_IDS.contacts[0];
    for (const q of ['?fields=first_name,email1', '?fields[]=first_name&fields[]=email1']) {
      const r = await req('GET', `/Contacts/${id}${q}`);
      expect(Object.keys(r.body).sort()).toEqual(['_acl', '_module', 'date_modified', 'email1', 'first_name', 'id', 'locked_fields', 'my_favorite']);
    }
  });

  it('a missing record is 404 not_found; an unknown module 404 no_method', async () => {
    expectSugarError(await req('GET', '/Contacts/nope'), 404, 'not_found', 'Could not find record: nope in module: Contacts');
    expectSugarError(await req('PUT', '/Leads/nope', { last_name: 'x' }), 404, 'not_found', 'Could not find record: nope in module: Leads');
    expectSugarError(await req('DELETE', '/Accounts/nope'), 404, 'not_found');
    expectSugarError(await req('GET', '/Widgets/1'), 404, 'no_method');
  });

  it('query arguments override body keys', async () => {
    const r = await req('POST', '/Accounts?name=FromQuery', { name: 'FromBody' });
    expect(r.body.name).toBe('FromQuery');
  });

  it('gives the enum options of a field', async () => {
    expect((await req('GET', '/ProspectLists/enum/list_type')).body).toHaveProperty('exempt_domain', 'exempt_domain');
    expectSugarError(await req('GET', '/ProspectLists/enum/name'), 404, 'not_found');
  });
});

describe('update and delete', () => {
  it('PUT ignores unknown and read-only fields and keeps the rest', async () => {
    const c = (await req('POST', '/Contacts', { first_name: 'Up', last_name: 'Date', title: 'Old' })).body;
    const r = await req('PUT', `/Contacts/${c.id}`, { title: 'New', no_such_field: 1, date_entered: '2001-01-01T00:00:00+00:00', id: 'other' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: c.id, title: 'New', first_name: 'Up', date_entered: c.date_entered });
    expect(r.body).not.toHaveProperty('no_such_field');
  });

  it('X-Timestamp that no longer matches is 409 edit_conflict carrying the record', async () => {
    const c = (await req('POST', '/Contacts', { last_name: 'Stamp' })).body;
    const ok = await req('PUT', `/Contacts/${c.id}`, { title: 'A' }, { 'X-Timestamp': c.date_modified });
    expect(ok.status).toBe(200);
    const r = await req('PUT', `/Contacts/${c.id}`, { title: 'B' }, { 'X-Timestamp': '2001-01-01T00:00:00+00:00' });
    expectSugarError(r, 409, 'edit_conflict');
    expect(r.body.record).toMatchObject({ id: c.id, title: 'A' });
  });

  it('DELETE soft-deletes and answers {id}', async () => {
    const c = (await req('POST', '/Leads', { last_name: 'Gone' })).body;
    const r = await req('DELETE', `/Leads/${c.id}`);
    expect(r.body).toEqual({ id: c.id });
    expectSugarError(await req('GET', `/Leads/${c.id}`), 404, 'not_found');
    const filter = encodeURIComponent(JSON.stringify([{ id: c.id }]));
    expect((await req('GET', `/Leads?filter=${filter}`)).body.records).toEqual([]);
    const withDeleted = await req('GET', `/Leads?filter=${filter}&deleted=1`);
    expect(withDeleted.body.records).toMatchObject([{ id: c.id, deleted: true }]);
    expect(t.sim.db.prepare('SELECT deleted FROM leads WHERE id = ?').get(c.id)).toEqual({ deleted: 1 });
  });
});

describe('field types', () => {
  it('normalises datetimes to UTC with an explicit offset and dates to YYYY-MM-DD', async () => {
    const r = await req('POST', '/CampaignLog', { activity_type: 'viewed', target_id: 't', activity_date: '2024-05-01T16:03:00+02:00' });
    expect(r.body.activity_date).toBe('2024-05-01T14:03:00+00:00');
    const c = await req('POST', '/Campaigns', { name: 'D', start_date: '2031-02-03' });
    expect(c.body.start_date).toBe('2031-02-03');
  });

  it.each([
    ['CampaignLog', { activity_type: 'viewed', hits: 'many' }, /hits/],
    ['Campaigns', { name: 'x', start_date: 'soon' }, /start_date/],
    ['Contacts', { do_not_call: 'maybe' }, /do_not_call/],
    ['Campaigns', { name: 'x', budget: 'lots' }, /budget/],
    ['Contacts', { first_name: { nested: true } }, /first_name/],
    ['CampaignTrackers', { tracker_name: 'x'.repeat(31) }, /tracker_name is longer than 30/],
  ])('rejects a bad value on %s with 422', async (module, body, msg) => {
    expectSugarError(await req('POST', `/${module}`, body), 422, 'invalid_parameter', msg);
  });

  it('booleans and numbers come back as JSON booleans and numbers', async () => {
    const r = await req('POST', '/Contacts', { last_name: 'Types', do_not_call: '1' });
    expect(r.body.do_not_call).toBe(true);
    const t = await req('POST', '/CampaignTrackers', { tracker_name: 'n', is_optout: 'true' });
    expect(t.body.is_optout).toBe(true);
    expect(typeof t.body.tracker_key).toBe('number');
  });
});

describe('CampaignLog, CampaignTrackers, Campaigns, ProspectLists', () => {
  it('CampaignLog enforces the nine activity types and fills defaults and campaign_name1', async () => {
    for (const t of ['targeted', 'send error', 'invalid email', 'link', 'viewed', 'removed', 'lead', 'contact', 'blocked']) {
      expect((await req('POST', '/CampaignLog', { activity_type: t, target_id: 'x' })).status).toBe(200);
    }
    expectSugarError(await req('POST', '/CampaignLog', { activity_type: 'opened' }), 422, 'invalid_parameter', /activity_type/);
    expectSugarError(await req('POST', '/CampaignLog', { target_id: 'x' }), 422, 'invalid_parameter', /activity_type/);
    const r = await req('POST', '/CampaignLog', { activity_type: 'targeted', campaign_id: DEMO_IDS.campaigns.spring, target_id: 'x' });
    expect(r.body).toMatchObject({ archived: false, hits: 0, campaign_name1: 'Spring Newsletter' });
    expect(r.body).not.toHaveProperty('name');
    expect(r.body).not.toHaveProperty('date_entered');
    const bumped = await req('PUT', `/CampaignLog/${r.body.id}`, { hits: 2 });
    expect(bumped.body.hits).toBe(2);
  });

  it('related_name and recipient fields are computed only when asked for', async () => {
    const target = DEMO_IDS.contacts[0];
    const r = await req('POST', '/CampaignLog', { activity_type: 'targeted', target_id: target, target_type: 'Contacts' });
    expect(r.body).not.toHaveProperty('recipient_name');
    const f = await req('GET', `/CampaignLog/${r.body.id}?fields=recipient_name,recipient_email`);
    expect(f.body.recipient_name).toBe('Ben Hughes');
    expect(f.body.recipient_email).toMatch(/@/);
  });

  it('Campaigns and CampaignTrackers number tracker_key themselves', async () => {
    const one = (await req('POST', '/CampaignTrackers', { tracker_name: 'a', tracker_key: 999 })).body.tracker_key;
    const two = (await req('POST', '/CampaignTrackers', { tracker_name: 'b' })).body.tracker_key;
    expect(two).toBe(one + 1);
    expect(one).not.toBe(999);
  });

  it('ProspectLists accept the six list types, keep domain_name and count entries', async () => {
    for (const t of ['default', 'seed', 'exempt_domain', 'exempt_address', 'exempt', 'test']) {
      expect((await req('POST', '/ProspectLists', { name: t, list_type: t })).body.list_type).toBe(t);
    }
    expectSugarError(await req('POST', '/ProspectLists', { name: 'x', list_type: 'vip' }), 422, 'invalid_parameter', /list_type/);
    const d = (await req('POST', '/ProspectLists', { name: 'dom', list_type: 'exempt_domain', domain_name: 'rival.example' })).body;
    expect(d).toMatchObject({ domain_name: 'rival.example', entry_count: 0 });
    const list = (await req('GET', `/ProspectLists/${DEMO_IDS.lists.newsletter}`)).body;
    expect(list.entry_count).toBe(43);
  });
});

describe('link actions and favorites in record writes', () => {
  it('a body {link:{add|delete|create}} links, unlinks and creates', async () => {
    const list = (await req('POST', '/ProspectLists', { name: 'Body links' })).body;
    const c = (await req('POST', '/Contacts', { last_name: 'Linked', prospect_lists: { add: [list.id] } })).body;
    expect((await req('GET', `/ProspectLists/${list.id}`)).body.entry_count).toBe(1);
    await req('PUT', `/Contacts/${c.id}`, { prospect_lists: { delete: [{ id: list.id }] } });
    expect((await req('GET', `/ProspectLists/${list.id}`)).body.entry_count).toBe(0);
    await req('PUT', `/ProspectLists/${list.id}`, { leads: { create: [{ last_name: 'Made via body' }] } });
    const leads = await req('GET', `/ProspectLists/${list.id}/link/leads?fields=last_name`);
    expect(leads.body.records.map((x: { last_name: string }) => x.last_name)).toEqual(['Made via body']);
    expectSugarError(await req('PUT', `/Contacts/${c.id}`, { prospect_lists: { add: ['missing-list'] } }), 404, 'not_found');
    expectSugarError(await req('PUT', `/Contacts/${c.id}`, { prospect_lists: { add: 'not-an-array' } }), 422, 'invalid_parameter');
  });

  it('favorites show as my_favorite and in the $favorite filter', async () => {
    const id = DEMO_IDS.accounts[0];
    expect((await req('PUT', `/Accounts/${id}/favorite`)).body.my_favorite).toBe(true);
    const favs = await req('GET', `/Accounts?filter=${encodeURIComponent('[{"$favorite":""}]')}&fields=name`);
    expect(favs.body.records.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await req('DELETE', `/Accounts/${id}/favorite`)).body.my_favorite).toBe(false);
  });
});
