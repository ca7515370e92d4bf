// The demo seed's shape (every extraction case present), seedBulk at benchmark scale, and file-backed restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { adminSim, api, startTestSim } from './helpers.js';

const t = adminSim();
const get = async (path: string) => (await t.a.req('GET', path, { token: t.token })).body;
const S = DEMO_IDS.special;
const L = DEMO_IDS.lists;

describe('demo seed', () => {
  it('has the four users with password = user name', async () => {
    for (const u of ['admin', 'sally', 'max', 'chris']) expect((await t.a.login(u)).access_token).toBeTruthy();
    t.token = (await t.a.login('admin')).access_token;
  });

  it('has every record named in DEMO_IDS, with custom fields filled', async () => {
    for (const [module, list] of [
      ['Accounts', DEMO_IDS.accounts],
      ['Contacts', DEMO_IDS.contacts],
      ['Leads', DEMO_IDS.leads],
      ['Prospects', DEMO_IDS.prospects],
    ] as const) {
      expect((await get(`/${module}/count`)).record_count).toBe(list.length);
      const recs = (await get(`/${module}?max_num=-1&fields=industry_c,region_c,loyalty_tier_c`)).records;
      expect(recs.map((r: { id: string }) => r.id).sort()).toEqual([...list].sort());
      expect(recs.every((r: Record<string, string>) => r.industry_c && r.region_c && r.loyalty_tier_c)).toBe(true);
    }
  });

  it('has target lists of all roles, two default lists overlapping across modules', async () => {
    const lists = (await get('/ProspectLists?max_num=-1&fields=list_type,domain_name,entry_count')).records;
    const byId = Object.fromEntries(lists.map((l: { id: string }) => [l.id, l]));
    expect(byId[L.newsletter]).toMatchObject({ list_type: 'default', entry_count: 43 });
    expect(byId[L.tradeShow]).toMatchObject({ list_type: 'default', entry_count: 76 });
    expect(byId[L.test].list_type).toBe('test');
    expect(byId[L.exempt].list_type).toBe('exempt');
    expect(byId[L.exemptAddress].list_type).toBe('exempt_address');
    expect(byId[L.exemptDomain]).toMatchObject({ list_type: 'exempt_domain', domain_name: 'competitor.example' });
    expect(DEMO_IDS.sendableListIds).toEqual([L.newsletter, L.tradeShow]);
    const inA = (await get(`/ProspectLists/${L.newsletter}/link/contacts?max_num=-1&fields=id`)).records.map((r: { id: string }) => r.id);
    const inB = (await get(`/ProspectLists/${L.tradeShow}/link/contacts?max_num=-1&fields=id`)).records.map((r: { id: string }) => r.id);
    expect(inA.filter((id: string) => inB.includes(id))).toHaveLength(10);
  });

  it('has the address edge cases the extraction rules need', async () => {
    const c = (id: string, m = 'Contacts') => get(`/${m}/${id}?fields=email,email1,email_opt_out,invalid_email`);
    const bobC = await c(S.bobContact);
    const bobL = await c(S.bobLead, 'Leads');
    expect(bobC.email[0].email_address_id).toBe(bobL.email[0].email_address_id);
    expect(bobL.email1).toBe('bob@example.com');
    const alice = await c(S.aliceContact);
    const legacy = await c(S.aliceLegacyProspect, 'Prospects');
    expect(legacy.email1).toBe('ALICE@example.org');
    expect(legacy.email[0].email_address_id).not.toBe(alice.email[0].email_address_id);
    expect((await c(S.carolContact)).email[0].email_address_id).toBe((await c(S.carolProspect, 'Prospects')).email[0].email_address_id);
    expect((await c(S.idnContact)).email1).toBe('juergen@bücher.example');
    expect((await c(S.malformedLead, 'Leads')).email1).toBe('broken.address.example.com');
    const two = await c(S.twoAddressContact);
    expect(two.email).toMatchObject([
      { opt_out: true, primary_address: true },
      { email_address: 'dana@example.com', opt_out: false },
    ]);
    expect((await c(S.blockedAddressContact)).email[0].email_address_id).toBe((await c(S.blockedAddressProspect, 'Prospects')).email[0].email_address_id);
    const moduleOf = (id: string) =>
      (DEMO_IDS.contacts as readonly string[]).includes(id) ? 'Contacts' : (DEMO_IDS.leads as readonly string[]).includes(id) ? 'Leads' : 'Prospects';
    for (const id of S.optedOut) expect((await c(id, moduleOf(id))).email_opt_out).toBe(true);
    for (const id of S.invalid) expect((await c(id, moduleOf(id))).invalid_email).toBe(true);
    for (const id of S.noAddress) expect((await c(id, moduleOf(id))).email).toEqual([]);
    for (const id of S.competitorLeads) expect((await c(id, 'Leads')).email1).toMatch(/@competitor\.example$/);
  });

  it('has Planning email campaigns linked to lists', async () => {
    const spring = await get(`/Campaigns/${DEMO_IDS.campaigns.spring}`);
    expect(spring).toMatchObject({ name: 'Spring Newsletter', status: 'Planning', campaign_type: 'Email' });
    expect((await get(`/Campaigns/${DEMO_IDS.campaigns.spring}/link/prospectlists/count`)).record_count).toBe(6);
    expect((await get(`/Campaigns/${DEMO_IDS.campaigns.autumn}/link/prospectlists?fields=id`)).records.map((r: { id: string }) => r.id)).toEqual([L.tradeShow]);
  });
});

describe('seedBulk', () => {
  it('creates 3 lists x 7,000 members across three modules with overlap and flagged addresses', async () => {
    const { listIds } = t.sim.seedBulk({ lists: 3, perList: 7000, optedOutFraction: 0.02, invalidFraction: 0.01, missingFraction: 0.01 });
    expect(listIds).toHaveLength(3);
    const counts = await Promise.all(listIds.map((id) => get(`/ProspectLists/${id}?fields=entry_count`)));
    expect(counts.map((c) => c.entry_count)).toEqual([7000, 7000, 7000]);
    const perModule = await Promise.all(['contacts', 'leads', 'prospects'].map((l) => get(`/ProspectLists/${listIds[1]}/link/${l}/count`)));
    expect(perModule.reduce((n, c) => n + c.record_count, 0)).toBe(7000);
    for (const c of perModule) expect(c.record_count).toBeGreaterThan(2000);
    const f = (flt: unknown) => encodeURIComponent(JSON.stringify(flt));
    const optedOut = (await get(`/ProspectLists/${listIds[2]}/link/leads/count?filter=${f([{ email_opt_out: true }])}`)).record_count;
    const missing = (await get(`/ProspectLists/${listIds[2]}/link/leads/count?filter=${f([{ email1: { $is_null: '' } }])}`)).record_count;
    expect(optedOut).toBeGreaterThan(10);
    expect(missing).toBeGreaterThan(5);
    const page = await get(`/ProspectLists/${listIds[0]}/link/prospects?max_num=1000&fields=email1`);
    expect(page.records).toHaveLength(1000);
    expect(page.next_offset).toBe(1000);
  });

  it('shares round(perList x overlap) members with the previous list and validates its options', () => {
    const { listIds } = t.sim.seedBulk({ lists: 2, perList: 100, overlap: 0.25, modules: ['Leads'] });
    const rows = t.sim.db
      .prepare(`SELECT COUNT(*) AS n FROM prospect_lists_prospects a JOIN prospect_lists_prospects b
      ON a.related_id = b.related_id WHERE a.prospect_list_id = ? AND b.prospect_list_id = ?`)
      .get(listIds[0], listIds[1]);
    expect(rows).toEqual({ n: 25 });
    expect(() => t.sim.seedBulk({ lists: -1, perList: 1 })).toThrow(TypeError);
    expect(() => t.sim.seedBulk({ lists: 1, perList: 1, modules: ['Accounts' as 'Leads'] })).toThrow(TypeError);
    expect(() => t.sim.seedBulk({ lists: 1, perList: 1, optedOutFraction: 0.8, invalidFraction: 0.5 })).toThrow(TypeError);
  });
});

describe('file-backed state', () => {
  it('survives a restart with seed none, and re-seeding demo does not duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sugar-sim-'));
    const dbPath = join(dir, 'sim.db');
    try {
      const first = await startTestSim({ dbPath });
      const t = (await api(first).login('admin')).access_token;
      const made = await api(first).req('POST', '/Contacts', { token: t, body: { last_name: 'Persisted' } });
      await first.close();
      const second = await startTestSim({ dbPath, seed: 'none' });
      const t2 = (await api(second).login('admin')).access_token;
      expect((await api(second).req('GET', `/Contacts/${made.body.id}`, { token: t2 })).body.last_name).toBe('Persisted');
      await second.close();
      const third = await startTestSim({ dbPath, seed: 'demo' });
      const t3 = (await api(third).login('admin')).access_token;
      expect((await api(third).req('GET', '/Contacts/count', { token: t3 })).body.record_count).toBe(DEMO_IDS.contacts.length + 1);
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('seed empty has users only', async () => {
    const empty = await startTestSim({ seed: 'empty' });
    try {
      const t = (await api(empty).login('sally')).access_token;
      expect((await api(empty).req('GET', '/Contacts/count', { token: t })).body).toEqual({ record_count: 0 });
      expect((await api(empty).req('GET', '/Users/count', { token: t })).body).toEqual({ record_count: 5 });
    } finally {
      await empty.close();
    }
  });
});
