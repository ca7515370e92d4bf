// Deterministic demo ids, UUID-shaped so clients that validate ids accept them.
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const demoId = (kind: number, n: number) => `00000000-de00-4000-8000-${hex(kind, 2)}${hex(n, 10)}`;
const range = (kind: number, count: number) => Array.from({ length: count }, (_, i) => demoId(kind, i + 1));

export const DEMO_COUNTS = { accounts: 6, contacts: 40, leads: 30, prospects: 30 } as const;

const accounts = range(1, DEMO_COUNTS.accounts);
const contacts = range(2, DEMO_COUNTS.contacts);
const leads = range(3, DEMO_COUNTS.leads);
const prospects = range(4, DEMO_COUNTS.prospects);
// 1-based picks, so the layout below reads like the seed description.
const c = (n: number) => contacts[n - 1];
const l = (n: number) => leads[n - 1];
const p = (n: number) => prospects[n - 1];
const a = (n: number) => accounts[n - 1];

const lists = {
  newsletter: demoId(5, 1), // default: contacts 1-30, leads 1-10, accounts 1-3
  tradeShow: demoId(5, 2), // default: contacts 21-40, leads 5-30, prospects 1-30
  test: demoId(5, 3), // test: contact 1, users sally and max
  exempt: demoId(5, 4), // exempt: contact 25, lead 7
  exemptAddress: demoId(5, 5), // exempt_address: prospect 29 (blocked@example.com)
  exemptDomain: demoId(5, 6), // exempt_domain: domain_name competitor.example
};

export const DEMO_IDS = {
  users: { admin: '1', sally: 'seed_sally_id', max: 'seed_max_id', chris: 'seed_chris_id', dana: 'seed_dana_id' },
  accounts,
  contacts,
  leads,
  prospects,
  lists,
  // The lists a real send reads from (type default); the others are for test sends or exemptions.
  sendableListIds: [lists.newsletter, lists.tradeShow],
  campaigns: {
    spring: demoId(6, 1), // Planning/Email, linked to all six lists
    autumn: demoId(6, 2), // Planning/Email, linked to tradeShow only
  },
  // Saved filters: sally's own (region EMEA contacts), and the admin's, which sally cannot read.
  filters: { emeaContacts: demoId(7, 1), adminOnly: demoId(7, 2) },
  // A saved report of Contacts (loyalty tier Gold).
  reports: { goldContacts: demoId(8, 1) },
  // A campaign email template using Sugar's $contact_… variables, and one that cannot all be mapped.
  emailTemplates: { welcome: demoId(9, 1) },
  special: {
    // One shared row, two casings: the later save (the lead, lower case) decides the stored text (fact-check row 10).
    bobContact: c(2),
    bobLead: l(2),
    carolContact: c(22),
    carolProspect: p(2), // carol@example.net on a contact and a prospect
    aliceContact: c(11),
    aliceLegacyProspect: p(11), // alice@example.org vs a separate legacy row ALICE@example.org
    idnContact: c(12), // juergen@bücher.example
    malformedLead: l(12), // legacy row "broken.address.example.com"
    twoAddressContact: c(14), // primary opted out, secondary fine
    optedOut: [c(3), c(13), l(4), p(5)],
    invalid: [c(6), c(16), l(8)],
    noAddress: [c(9), c(19), l(9), p(9)],
    exemptMembers: [c(25), l(7)],
    blockedAddressProspect: p(29),
    blockedAddressContact: c(39), // blocked@example.com / Blocked@Example.com
    competitorLeads: [l(28), l(29), l(30)], // @competitor.example
    accountsWithEmail: [a(1), a(2), a(3)],
  },
} as const;

export const bulkId = (batch: number, n: number) => `00000000-b000-4000-8000-${hex(batch, 4)}${hex(n, 8)}`;
