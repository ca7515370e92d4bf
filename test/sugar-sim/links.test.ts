// Checklist 7: the Link API with Sugar's link names (§5, fact-check rows 16-18, 24).
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { adminSim, expectSugarError } from './helpers.js';

const t = adminSim();
const req = (method: string, path: string, body?: unknown) => t.a.req(method, path, { token: t.token, body });
const ids = (r: { body: { records: Array<{ id: string }> } }) => r.body.records.map((x) => x.id).sort();
const L = DEMO_IDS.lists;

describe('reading links', () => {
  it('ProspectLists members page like the Filter API, per module', async () => {
    const first = await req('GET', `/ProspectLists/${L.newsletter}/link/contacts?max_num=25&fields=email1`);
    expect(first.body.records).toHaveLength(25);
    expect(first.body.next_offset).toBe(25);
    const rest = await req('GET', `/ProspectLists/${L.newsletter}/link/contacts?max_num=25&offset=25`);
    expect(rest.body.next_offset).toBe(-1);
    expect([...ids(first), ...ids(rest)].sort()).toEqual([...DEMO_IDS.contacts.slice(0, 30)].sort());
    expect((await req('GET', `/ProspectLists/${L.newsletter}/link/leads/count`)).body).toEqual({ record_count: 10 });
    expect((await req('GET', `/ProspectLists/${L.newsletter}/link/accounts/filter/count`)).body).toEqual({ record_count: 3 });
    expect((await req('GET', `/ProspectLists/${L.test}/link/users`)).body.records.map((u: { user_name: string }) => u.user_name).sort()).toEqual([
      'max',
      'sally',
    ]);
  });

  it('link lists take filters, GET and POST', async () => {
    const filter = [{ 'email_addresses.opt_out': true }];
    const viaGet = await req('GET', `/ProspectLists/${L.newsletter}/link/contacts/filter?filter=${encodeURIComponent(JSON.stringify(filter))}&fields=id`);
    const viaPost = await req('POST', `/ProspectLists/${L.newsletter}/link/contacts/filter`, { filter, fields: ['id'] });
    expect(viaPost.body).toEqual(viaGet.body);
    expect(ids(viaGet)).toEqual([DEMO_IDS.contacts[2], DEMO_IDS.contacts[12], DEMO_IDS.special.twoAddressContact].sort());
  });

  it('Campaigns reach their lists, and lists their campaigns', async () => {
    const lists = await req('GET', `/Campaigns/${DEMO_IDS.campaigns.spring}/link/prospectlists?fields=list_type`);
    expect(lists.body.records.map((x: { list_type: string }) => x.list_type).sort()).toEqual([
      'default',
      'default',
      'exempt',
      'exempt_address',
      'exempt_domain',
      'test',
    ]);
    const back = await req('GET', `/ProspectLists/${L.tradeShow}/link/campaigns?fields=name`);
    expect(back.body.records.map((x: { name: string }) => x.name).sort()).toEqual(['Autumn Promo', 'Spring Newsletter']);
  });

  it("a person's campaigns link lists CampaignLog rows by target_id, and prospect_lists its lists", async () => {
    const target = DEMO_IDS.contacts[24];
    const log = await req('POST', '/CampaignLog', {
      campaign_id: DEMO_IDS.campaigns.autumn,
      target_id: target,
      target_type: 'Contacts',
      activity_type: 'targeted',
    });
    const r = await req('GET', `/Contacts/${target}/link/campaigns?fields=campaign_name1,activity_type`);
    expect(r.body.records).toMatchObject([{ id: log.body.id, _module: 'CampaignLog', campaign_name1: 'Autumn Promo', activity_type: 'targeted' }]);
    const lists = await req('GET', `/Contacts/${target}/link/prospect_lists?fields=name`);
    expect(ids(lists)).toEqual([L.newsletter, L.tradeShow, L.exempt].sort());
  });

  it("missing parent is 404 with Sugar's message; unknown link 404 not_found", async () => {
    expectSugarError(await req('GET', '/ProspectLists/nope/link/contacts'), 404, 'not_found', 'Could not find parent record nope in module: ProspectLists');
    expectSugarError(await req('GET', `/ProspectLists/${L.test}/link/widgets`), 404, 'not_found', 'Could not find a relationship named: widgets');
  });
});

describe('writing links', () => {
  it('POST link/:link/:rid answers {record, related_record}; re-linking is fine; DELETE unlinks', async () => {
    const list = (await req('POST', '/ProspectLists', { name: 'Writes' })).body;
    const cid = DEMO_IDS.contacts[5];
    const r = await req('POST', `/ProspectLists/${list.id}/link/contacts/${cid}`);
    expect(r.status).toBe(200);
    expect(r.body.record).toMatchObject({ id: list.id, _module: 'ProspectLists', entry_count: 1 });
    expect(r.body.related_record).toMatchObject({ id: cid, _module: 'Contacts' });
    expect((await req('POST', `/ProspectLists/${list.id}/link/contacts/${cid}`)).status).toBe(200);
    expect((await req('GET', `/ProspectLists/${list.id}/link/contacts/count`)).body.record_count).toBe(1);
    const d = await req('DELETE', `/ProspectLists/${list.id}/link/contacts/${cid}`);
    expect(d.body).toMatchObject({ record: { id: list.id, entry_count: 0 }, related_record: { id: cid } });
    expect((await req('GET', `/ProspectLists/${list.id}/link/contacts/count`)).body.record_count).toBe(0);
  });

  it('POST /<M>/:id/link {link_name, ids} links many and validates its arguments', async () => {
    const camp = (await req('POST', '/Campaigns', { name: 'Many', status: 'Planning', campaign_type: 'Email' })).body;
    const r = await req('POST', `/Campaigns/${camp.id}/link`, { link_name: 'prospectlists', ids: [L.newsletter, { id: L.exempt }] });
    expect(r.status).toBe(200);
    expect(r.body.record.id).toBe(camp.id);
    expect(r.body.related_records.map((x: { id: string }) => x.id)).toEqual([L.newsletter, L.exempt]);
    expectSugarError(await req('POST', `/Campaigns/${camp.id}/link`, { link_name: 'prospectlists' }), 422, 'missing_parameter', 'Missing parameter: ids');
    expectSugarError(await req('POST', `/Campaigns/${camp.id}/link`, { ids: [] }), 422, 'missing_parameter', 'Missing parameter: link_name');
    expectSugarError(await req('POST', `/Campaigns/${camp.id}/link`, { link_name: 'prospectlists', ids: 'x' }), 422, 'invalid_parameter');
    expectSugarError(
      await req('POST', `/Campaigns/${camp.id}/link`, { link_name: 'prospectlists', ids: ['missing'] }),
      404,
      'not_found',
      'Could not find the related bean',
    );
  });

  it('POST link/:link with a body creates and links (log_entries sets campaign_id; tracked_urls too)', async () => {
    const cid = DEMO_IDS.campaigns.autumn;
    const r = await req('POST', `/Campaigns/${cid}/link/log_entries`, { target_id: DEMO_IDS.leads[0], target_type: 'Leads', activity_type: 'viewed', hits: 1 });
    expect(r.status).toBe(200);
    expect(r.body.record).toMatchObject({ id: cid, _module: 'Campaigns' });
    expect(r.body.related_record).toMatchObject({ _module: 'CampaignLog', campaign_id: cid, activity_type: 'viewed', hits: 1, campaign_name1: 'Autumn Promo' });
    const t = await req('POST', `/Campaigns/${cid}/link/tracked_urls`, { tracker_name: 'Offer', tracker_url: 'https://example.com/offer' });
    expect(t.body.related_record).toMatchObject({ campaign_id: cid, tracker_name: 'Offer' });
    const listed = await req('GET', `/Campaigns/${cid}/link/tracked_urls?fields=tracker_url`);
    expect(listed.body.records).toMatchObject([{ tracker_url: 'https://example.com/offer' }]);
    expectSugarError(await req('POST', `/Campaigns/${cid}/link/log_entries`, { activity_type: 'bogus' }), 422, 'invalid_parameter');
  });

  it('writes through a missing parent are 403 not_authorized (row 16); a missing related bean 404', async () => {
    expectSugarError(await req('POST', `/Campaigns/nope/link/prospectlists/${L.test}`), 403, 'not_authorized');
    expectSugarError(await req('POST', '/Campaigns/nope/link', { link_name: 'prospectlists', ids: [L.test] }), 403, 'not_authorized');
    expectSugarError(await req('POST', '/Campaigns/nope/link/log_entries', { activity_type: 'viewed' }), 403, 'not_authorized');
    expectSugarError(await req('POST', `/Campaigns/${DEMO_IDS.campaigns.spring}/link/prospectlists/nope`), 404, 'not_found', 'Could not find the related bean');
    expectSugarError(
      await req('POST', `/Campaigns/${DEMO_IDS.campaigns.spring}/link/nolink/x`),
      404,
      'not_found',
      'Could not find a relationship named: nolink',
    );
  });

  it('deleting a record ends its list memberships', async () => {
    const list = (await req('POST', '/ProspectLists', { name: 'Drop' })).body;
    const p = (await req('POST', '/Prospects', { last_name: 'Leaving', prospect_lists: { add: [list.id] } })).body;
    expect((await req('GET', `/ProspectLists/${list.id}`)).body.entry_count).toBe(1);
    await req('DELETE', `/Prospects/${p.id}`);
    expect((await req('GET', `/ProspectLists/${list.id}`)).body.entry_count).toBe(0);
    expect((await req('GET', `/ProspectLists/${list.id}/link/prospects`)).body.records).toEqual([]);
  });
});
