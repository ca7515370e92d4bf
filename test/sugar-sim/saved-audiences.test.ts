// What issue 17 needs of Sugar, as the simulator answers it (facts from Sugar 8.0/12.0: FilterApi's filter_id,
// ReportsApi's records, the EmailTemplates module, and the custom fields our package creates).
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { adminSim, expectSugarError } from './helpers.js';

const ctx = adminSim({ seed: 'demo' });

describe('saved filters (Filters module, filter_id)', () => {
  it('applies a saved filter ANDed with the filter given, for its owner', async () => {
    const sally = (await ctx.a.login('sally')).access_token;
    const all = await ctx.a.req('GET', `/Contacts?filter_id=${DEMO_IDS.filters.emeaContacts}&max_num=100&fields=region_c`, { token: sally });
    expect(all.status).toBe(200);
    expect(all.body.records.length).toBeGreaterThan(0);
    expect(all.body.records.every((r: { region_c: string }) => r.region_c === 'EMEA')).toBe(true);
    const narrowed = await ctx.a.req('POST', '/Contacts/filter', {
      token: sally,
      body: { filter_id: DEMO_IDS.filters.emeaContacts, filter: [{ loyalty_tier_c: 'Gold' }], max_num: 100, fields: ['region_c', 'loyalty_tier_c'] },
    });
    expect(narrowed.body.records.length).toBeLessThan(all.body.records.length);
    expect(narrowed.body.records.every((r: { region_c: string; loyalty_tier_c: string }) => r.region_c === 'EMEA' && r.loyalty_tier_c === 'Gold')).toBe(true);
    const mine = await ctx.a.req('GET', '/Filters?filter=[{"module_name":"Contacts"}]&fields=name,filter_definition,module_name', { token: sally });
    expect(mine.body.records.map((f: { name: string }) => f.name)).toEqual(['EMEA contacts']);
    expect(JSON.parse(mine.body.records[0].filter_definition)).toEqual([{ region_c: 'EMEA' }]);
  });

  it("hides another user's filter: not listed, 404 by id and through filter_id; an unknown id is 404 too", async () => {
    const sally = (await ctx.a.login('sally')).access_token;
    expectSugarError(await ctx.a.req('GET', `/Filters/${DEMO_IDS.filters.adminOnly}`, { token: sally }), 404, 'not_found');
    expectSugarError(await ctx.a.req('GET', `/Contacts?filter_id=${DEMO_IDS.filters.adminOnly}`, { token: sally }), 404, 'not_found');
    expectSugarError(await ctx.a.req('GET', '/Contacts?filter_id=no-such-filter', { token: sally }), 404, 'not_found');
    expect((await ctx.a.req('GET', `/Contacts?filter_id=${DEMO_IDS.filters.adminOnly}`, { token: ctx.token })).status).toBe(200);
  });
});

describe('saved reports (ReportsApi)', () => {
  it('answers the records of the report, paged, and their count; for users without access to its module, 403', async () => {
    const count = (await ctx.a.req('GET', `/Reports/${DEMO_IDS.reports.goldContacts}/record_count`, { token: ctx.token })).body.record_count;
    expect(count).toBeGreaterThan(2);
    const all = await ctx.a.req('GET', `/Reports/${DEMO_IDS.reports.goldContacts}/records?fields=loyalty_tier_c`, { token: ctx.token });
    expect(all.body).toMatchObject({ next_offset: -1 });
    expect(all.body.records).toHaveLength(count);
    expect(all.body.records.every((r: { loyalty_tier_c: string; _module: string }) => r.loyalty_tier_c === 'Gold' && r._module === 'Contacts')).toBe(true);
    const page = await ctx.a.req('GET', `/Reports/${DEMO_IDS.reports.goldContacts}/records?max_num=2&offset=0`, { token: ctx.token });
    expect(page.body).toMatchObject({ next_offset: 2 });
    expect(page.body.records).toHaveLength(2);
    const dana = (await ctx.a.login('dana')).access_token;
    expectSugarError(await ctx.a.req('GET', `/Reports/${DEMO_IDS.reports.goldContacts}/records`, { token: dana }), 403, 'not_authorized');
    expectSugarError(await ctx.a.req('GET', '/Reports/no-such/records', { token: ctx.token }), 404, 'not_found');
  });
});

describe("email templates and our package's custom fields", () => {
  it('reads a campaign template with Sugar variables, and takes new ones', async () => {
    const t = await ctx.a.req('GET', `/EmailTemplates/${DEMO_IDS.emailTemplates.welcome}`, { token: ctx.token });
    expect(t.body).toMatchObject({ name: 'Welcome', type: 'campaign', subject: 'Welcome, $contact_first_name' });
    expect(t.body.body_html).toContain('$contact_account_name');
    const made = await ctx.a.req('POST', '/EmailTemplates', {
      token: ctx.token,
      body: { name: 'From LeadFWD', subject: 'Hi $contact_first_name', body_html: '<p>x</p>', type: 'campaign' },
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ name: 'From LeadFWD', type: 'campaign' });
  });

  it('keeps the engagement score on people and accounts, and a time zone on people', async () => {
    const id = DEMO_IDS.contacts[0];
    const r = await ctx.a.req('PUT', `/Contacts/${id}`, { token: ctx.token, body: { leadfwd_score_c: 42, leadfwd_timezone_c: 'Europe/Berlin' } });
    expect(r.body).toMatchObject({ leadfwd_score_c: 42, leadfwd_timezone_c: 'Europe/Berlin' });
    const acc = await ctx.a.req('PUT', `/Accounts/${DEMO_IDS.accounts[0]}`, { token: ctx.token, body: { leadfwd_score_c: 7 } });
    expect(acc.body.leadfwd_score_c).toBe(7);
  });
});

describe('sudo (POST /oauth2/sudo/:user_name)', () => {
  it("gives an administrator a token with the user's own rights, without a refresh token; not for others, not twice", async () => {
    const r = await ctx.a.req('POST', '/oauth2/sudo/dana', { token: ctx.token, body: { platform: 'leadfwd' } });
    expect(r.status).toBe(200);
    expect(r.body.access_token).toBeTruthy();
    expect(r.body.refresh_token).toBeUndefined();
    const me = await ctx.a.req('GET', '/me', { token: r.body.access_token });
    expect(me.body.current_user.user_name).toBe('dana');
    expectSugarError(await ctx.a.req('GET', '/Contacts', { token: r.body.access_token }), 403, 'not_authorized');
    expectSugarError(await ctx.a.req('POST', '/oauth2/sudo/sally', { token: r.body.access_token }), 403, 'not_authorized');
    const sally = (await ctx.a.login('sally')).access_token;
    expectSugarError(await ctx.a.req('POST', '/oauth2/sudo/dana', { token: sally }), 403, 'not_authorized');
    expectSugarError(await ctx.a.req('POST', '/oauth2/sudo/nobody', { token: ctx.token }), 404, 'not_found');
    expectSugarError(await ctx.a.req('POST', '/oauth2/sudo/sally', { token: ctx.token, body: { platform: 'nope' } }), 422, 'invalid_parameter');
  });
});
