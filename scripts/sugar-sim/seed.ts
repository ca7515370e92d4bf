// Demo and user seeding. The demo data exercises every extraction rule: overlaps, shared and differently-cased
// addresses, opted-out, invalid, missing, malformed and IDN addresses, exempt lists of every kind.
import type { SimCore } from './core.js';
import { getMeta, setMeta } from './db.js';
import { createRecord } from './records.js';
import { DEMO_COUNTS, DEMO_IDS } from './seed-ids.js';
import { actorFor, hashPassword, SEED_USERS } from './users.js';
import { newId } from './util.js';

export { DEMO_IDS } from './seed-ids.js';

const FIRST = ['Ann', 'Ben', 'Cara', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jade', 'Kai', 'Lena', 'Milo', 'Nora', 'Omar', 'Pia'];
const LAST = ['Adams', 'Brooks', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jansen', 'Khan', 'Lopez', 'Meyer'];
const INDUSTRY = ['Technology', 'Retail', 'Healthcare', 'Finance', 'Manufacturing', 'Education'];
const REGION = ['EMEA', 'NA', 'LATAM', 'APAC'];
const TIER = ['Bronze', 'Silver', 'Gold', 'Platinum'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'acme.example', 'globex.example'];

export function seedUsers(core: SimCore): void {
  const now = core.now();
  core.tx(() => {
    for (const u of SEED_USERS) {
      if (core.rows.get('Users', u.id)) continue;
      core.rows.insert('Users', {
        id: u.id,
        user_name: u.user_name,
        first_name: u.first_name,
        last_name: u.last_name,
        status: 'Active',
        is_admin: u.isAdmin,
        deleted: false,
        date_entered: now,
        date_modified: now,
        created_by: '1',
        modified_user_id: '1',
        user_hash: hashPassword(u.user_name, u.password),
      });
      core.emails.setForBean('Users', u.id, [{ email_address: u.email, primary_address: true }], true, now);
    }
  });
  core.store.invalidate();
}

interface PersonSpec {
  module: 'Contacts' | 'Leads' | 'Prospects';
  n: number;
  id: string;
}

function emailFor(spec: PersonSpec, first: string, last: string): unknown[] | undefined {
  const s = DEMO_IDS.special;
  const has = (list: readonly string[]) => list.includes(spec.id);
  if (has(s.noAddress) || spec.id === s.malformedLead || spec.id === s.aliceLegacyProspect) return undefined;
  const fixed: Record<string, string> = {
    [s.bobContact]: 'Bob@Example.com',
    [s.bobLead]: 'bob@example.com',
    [s.carolContact]: 'carol@example.net',
    [s.carolProspect]: 'carol@example.net',
    [s.aliceContact]: 'alice@example.org',
    [s.idnContact]: 'juergen@bücher.example',
    [s.blockedAddressProspect]: 'blocked@example.com',
    [s.blockedAddressContact]: 'Blocked@Example.com',
  };
  if (spec.id === s.twoAddressContact) {
    return [{ email_address: 'dana.old@example.com', primary_address: true, opt_out: true }, { email_address: 'dana@example.com' }];
  }
  const domain = has(s.competitorLeads) ? 'competitor.example' : DOMAINS[spec.n % DOMAINS.length];
  const address = fixed[spec.id] ?? `${first}.${last}.${spec.module[0]}${spec.n}@${domain}`.toLowerCase();
  return [{ email_address: address, primary_address: true, opt_out: has(s.optedOut), invalid_email: has(s.invalid) }];
}

export function seedDemo(core: SimCore): void {
  if (getMeta(core.db, 'demo_seeded')) return;
  const admin = actorFor({ id: '1', user_name: 'admin', is_admin: 1 });
  const owners = ['1', DEMO_IDS.users.sally, DEMO_IDS.users.max];
  const custom = (n: number) => ({ industry_c: INDUSTRY[n % 6], region_c: REGION[n % 4], loyalty_tier_c: TIER[n % 4] });
  core.tx(() => {
    DEMO_IDS.accounts.forEach((id, i) => {
      const n = i + 1;
      const email = n <= 3 ? [{ email_address: `info@account${n}.example`, primary_address: true }] : undefined;
      createRecord(
        core,
        'Accounts',
        {
          id,
          name: `${LAST[n]} ${['Holdings', 'GmbH', 'Ltd', 'Inc'][n % 4]}`,
          account_type: 'Customer',
          industry: 'Technology',
          billing_address_city: ['Berlin', 'Austin', 'Lyon', 'Osaka'][n % 4],
          assigned_user_id: owners[n % 3],
          email,
          ...custom(n),
        },
        admin,
      );
    });
    const people: PersonSpec[] = [
      ...DEMO_IDS.contacts.map((id, i) => ({ module: 'Contacts' as const, n: i + 1, id })),
      ...DEMO_IDS.leads.map((id, i) => ({ module: 'Leads' as const, n: i + 1, id })),
      ...DEMO_IDS.prospects.map((id, i) => ({ module: 'Prospects' as const, n: i + 1, id })),
    ];
    for (const spec of people) {
      const k = spec.n + (spec.module === 'Leads' ? 3 : spec.module === 'Prospects' ? 7 : 0);
      const first = spec.id === DEMO_IDS.special.idnContact ? 'Jürgen' : FIRST[k % FIRST.length];
      const last = spec.id === DEMO_IDS.special.idnContact ? 'Müller' : LAST[(k * 7) % LAST.length];
      const data: Record<string, unknown> = {
        id: spec.id,
        first_name: first,
        last_name: last,
        title: ['Buyer', 'CTO', 'Manager', 'Analyst'][k % 4],
        lead_source: 'Web Site',
        assigned_user_id: owners[k % 3],
        email: emailFor(spec, first, last),
        ...custom(k),
      };
      if (spec.module === 'Contacts') data.account_id = DEMO_IDS.accounts[spec.n % DEMO_COUNTS.accounts];
      if (spec.module === 'Leads') data.status = 'New';
      createRecord(core, spec.module, data, admin);
    }
    addLegacyRows(core);
    seedListsAndCampaigns(core, admin);
    seedSavedAudiencesAndTemplates(core, admin);
    setMeta(core.db, 'demo_seeded', new Date().toISOString());
  });
  core.store.invalidate();
}

// Rows Sugar's API would refuse today but real instances carry from imports: a second row differing only in
// case, and a malformed address.
function addLegacyRows(core: SimCore): void {
  const now = core.now();
  const add = (module: string, beanId: string, address: string) => {
    const addrId = newId();
    core.rows.insert('EmailAddresses', {
      id: addrId,
      email_address: address,
      email_address_caps: address.toUpperCase(),
      invalid_email: false,
      opt_out: false,
      date_created: now,
      date_modified: now,
      deleted: false,
    });
    core.rows
      .prepare(`INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module, primary_address,
      reply_to_address, date_created, date_modified, deleted) VALUES (?, ?, ?, ?, 1, 0, ?, ?, 0)`)
      .run(newId(), addrId, beanId, module, now, now);
  };
  add('Prospects', DEMO_IDS.special.aliceLegacyProspect, 'ALICE@example.org');
  add('Leads', DEMO_IDS.special.malformedLead, 'broken.address.example.com');
}

function seedListsAndCampaigns(core: SimCore, admin: ReturnType<typeof actorFor>): void {
  const L = DEMO_IDS.lists;
  const lists: Array<[string, string, string, string?]> = [
    [L.newsletter, 'Newsletter Subscribers', 'default'],
    [L.tradeShow, 'Trade Show Leads', 'default'],
    [L.test, 'Internal Test Recipients', 'test'],
    [L.exempt, 'Do Not Mail', 'exempt'],
    [L.exemptAddress, 'Blocked Addresses', 'exempt_address'],
    [L.exemptDomain, 'Competitor Domain', 'exempt_domain', 'competitor.example'],
  ];
  for (const [id, name, list_type, domain_name] of lists) createRecord(core, 'ProspectLists', { id, name, list_type, domain_name }, admin);
  const now = core.now();
  const link = (list: string, rel: string, ids: readonly string[]) => ids.forEach((rid) => core.links.add('ProspectLists', list, rel, rid, now));
  const { contacts: C, leads: Ld, prospects: P, accounts: A } = DEMO_IDS;
  link(L.newsletter, 'contacts', C.slice(0, 30));
  link(L.newsletter, 'leads', Ld.slice(0, 10));
  link(L.newsletter, 'accounts', A.slice(0, 3));
  link(L.tradeShow, 'contacts', C.slice(20, 40));
  link(L.tradeShow, 'leads', Ld.slice(4, 30));
  link(L.tradeShow, 'prospects', P);
  link(L.test, 'contacts', [C[0]]);
  link(L.test, 'users', [DEMO_IDS.users.sally, DEMO_IDS.users.max]);
  link(L.exempt, 'contacts', [C[24]]);
  link(L.exempt, 'leads', [Ld[6]]);
  link(L.exemptAddress, 'prospects', [DEMO_IDS.special.blockedAddressProspect]);

  const year = new Date().getUTCFullYear() + 1;
  const campaign = (fields: Record<string, unknown>) => createRecord(core, 'Campaigns', { status: 'Planning', campaign_type: 'Email', ...fields }, admin);
  campaign({
    id: DEMO_IDS.campaigns.spring,
    name: 'Spring Newsletter',
    start_date: `${year}-03-01`,
    end_date: `${year}-05-31`,
    budget: 1500,
    expected_cost: 1200,
    content: 'Quarterly product news.',
    prospectlists: { add: Object.values(L) },
  });
  campaign({
    id: DEMO_IDS.campaigns.autumn,
    name: 'Autumn Promo',
    start_date: `${year}-09-01`,
    end_date: `${year}-10-31`,
    content: 'Trade show follow-up offer.',
    prospectlists: { add: [L.tradeShow] },
  });
}

/** Saved filters, a saved report and a campaign email template: audiences and content that live in Sugar. */
function seedSavedAudiencesAndTemplates(core: SimCore, admin: ReturnType<typeof actorFor>): void {
  const sally = DEMO_IDS.users.sally;
  const filter = (id: string, name: string, owner: string, definition: unknown[]) =>
    createRecord(
      core,
      'Filters',
      {
        id,
        name,
        module_name: 'Contacts',
        filter_definition: JSON.stringify(definition),
        filter_template: JSON.stringify(definition),
        assigned_user_id: owner,
      },
      admin,
    );
  filter(DEMO_IDS.filters.emeaContacts, 'EMEA contacts', sally, [{ region_c: 'EMEA' }]);
  filter(DEMO_IDS.filters.adminOnly, 'Admin: Platinum contacts', '1', [{ loyalty_tier_c: 'Platinum' }]);
  // Written as its creator would: a Filters row belongs to whoever saved it.
  core.rows.update('Filters', DEMO_IDS.filters.emeaContacts, { created_by: sally });
  createRecord(
    core,
    'Reports',
    {
      id: DEMO_IDS.reports.goldContacts,
      name: 'Gold loyalty contacts',
      module: 'Contacts',
      report_type: 'tabular',
      content: JSON.stringify({ module: 'Contacts', filter: [{ loyalty_tier_c: 'Gold' }] }),
    },
    admin,
  );
  createRecord(
    core,
    'EmailTemplates',
    {
      id: DEMO_IDS.emailTemplates.welcome,
      name: 'Welcome',
      type: 'campaign',
      published: 'off',
      base_module: 'Contacts',
      text_only: false,
      subject: 'Welcome, $contact_first_name',
      body_html:
        '<p>Hello $contact_first_name $contact_last_name,</p><p>your account $contact_account_name is with $contact_user_first_name.</p>' +
        '<p>Region: $contact_region_c. {Spring offer} $account_name</p>',
      body: 'Hello $contact_first_name, your account $contact_account_name is with $contact_user_first_name.',
    },
    admin,
  );
}
