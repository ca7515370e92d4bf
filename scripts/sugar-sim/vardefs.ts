// Module field and link definitions, built from sugar-platform.md §3, §5, §6, §7 (no Sugar code copied).
export type SimFieldType = 'id' | 'varchar' | 'name' | 'text' | 'enum' | 'bool' | 'int' | 'decimal' | 'date' | 'datetime' | 'relate' | 'email' | 'link';

export type Computed =
  | { kind: 'fullname' }
  | { kind: 'relate'; module: string; idField: string }
  | { kind: 'email' }
  | { kind: 'entry_count' }
  | { kind: 'lazy' }; // filled only when asked for in `fields`, like Sugar's related_name

export interface FieldDef {
  type: SimFieldType;
  computed?: Computed; // present = non-db
  len?: number; // enforced on write, so the service learns about truncation here, not in production
  options?: readonly string[];
  strictOptions?: boolean; // enum values checked on write (activity_type, list_type)
  readOnly?: boolean;
  autoIncrement?: boolean;
  defaultValue?: unknown;
}

export type LinkDef =
  | { kind: 'm2m'; module: string; table: string; selfCol: string; otherCol: string; role?: { col: string; value: string } }
  | { kind: 'fk_many'; module: string; fkField: string } // the related rows carry our id
  | { kind: 'fk_one'; module: string; fkField: string }; // we carry the related id

export interface ModuleDef {
  name: string;
  table: string;
  fields: Record<string, FieldDef>;
  links: Record<string, LinkDef>;
  hasEmail: boolean;
  nameOf: (rec: Record<string, unknown>) => string;
}

export const ACTIVITY_TYPES = ['targeted', 'send error', 'invalid email', 'link', 'viewed', 'removed', 'lead', 'contact', 'blocked'] as const;
export const LIST_TYPES = ['default', 'seed', 'exempt_domain', 'exempt_address', 'exempt', 'test'] as const;
export const TARGET_MODULES = ['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users'] as const;

const f = (type: SimFieldType, extra: Omit<FieldDef, 'type'> = {}): FieldDef => ({ type, ...extra });
const base = (): Record<string, FieldDef> => ({
  id: f('id', { readOnly: true }),
  date_entered: f('datetime', { readOnly: true }),
  date_modified: f('datetime', { readOnly: true }),
  modified_user_id: f('id', { readOnly: true }),
  created_by: f('id', { readOnly: true }),
  deleted: f('bool', { readOnly: true, defaultValue: false }),
});
const assignable = (): Record<string, FieldDef> => ({
  assigned_user_id: f('id'),
  assigned_user_name: f('relate', { computed: { kind: 'relate', module: 'Users', idField: 'assigned_user_id' } }),
});
const emailFields = (): Record<string, FieldDef> => ({
  email: f('email', { computed: { kind: 'email' } }),
  email1: f('varchar', { computed: { kind: 'email' } }),
  email2: f('varchar', { computed: { kind: 'email' } }),
  email_opt_out: f('bool', { computed: { kind: 'email' } }),
  invalid_email: f('bool', { computed: { kind: 'email' } }),
});
const customFields = (): Record<string, FieldDef> => ({
  industry_c: f('enum', { options: ['Technology', 'Retail', 'Healthcare', 'Finance', 'Manufacturing', 'Education'] }),
  region_c: f('enum', { options: ['EMEA', 'NA', 'LATAM', 'APAC'] }),
  loyalty_tier_c: f('enum', { options: ['Bronze', 'Silver', 'Gold', 'Platinum'] }),
});
// Fields our own Module Loader package creates (installdefs custom_fields): the engagement score it writes back,
// and the time zone a campaign may send in when it sends at a local time.
const leadfwdFields = (): Record<string, FieldDef> => ({ leadfwd_score_c: f('int'), leadfwd_timezone_c: f('varchar', { len: 64 }) });
const person = (): Record<string, FieldDef> => ({
  ...leadfwdFields(),
  ...base(),
  ...assignable(),
  ...emailFields(),
  ...customFields(),
  name: f('name', { computed: { kind: 'fullname' } }),
  full_name: f('name', { computed: { kind: 'fullname' } }),
  salutation: f('enum', { options: ['', 'Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
  first_name: f('varchar', { len: 100 }),
  last_name: f('varchar', { len: 100 }),
  title: f('varchar', { len: 100 }),
  department: f('varchar', { len: 255 }),
  phone_work: f('varchar', { len: 100 }),
  phone_mobile: f('varchar', { len: 100 }),
  primary_address_city: f('varchar', { len: 100 }),
  primary_address_country: f('varchar', { len: 255 }),
  do_not_call: f('bool', { defaultValue: false }),
  birthdate: f('date'),
  lead_source: f('enum', { options: ['', 'Cold Call', 'Existing Customer', 'Self Generated', 'Email', 'Web Site', 'Campaign', 'Other'] }),
  description: f('text'),
  campaign_id: f('id'),
  campaign_name: f('relate', { computed: { kind: 'relate', module: 'Campaigns', idField: 'campaign_id' } }),
});
const personName = (r: Record<string, unknown>) => [r.first_name, r.last_name].filter((x) => x).join(' ');
const nameFrom = (field: string) => (r: Record<string, unknown>) => String(r[field] ?? '');
const ownName = nameFrom('name');
/** A module without email addresses whose records are named by the value of `nameField`. */
const namedBy = (name: string, table: string, nameField: string, fields: Record<string, FieldDef>, links: Record<string, LinkDef> = {}): ModuleDef => ({
  name,
  table,
  hasEmail: false,
  nameOf: nameFrom(nameField),
  fields,
  links,
});
/** A module of records named by their own name field, with an assigned user and no email address. */
const ownNamed = (name: string, table: string, nameLen: number, fields: Record<string, FieldDef>, links: Record<string, LinkDef> = {}): ModuleDef =>
  namedBy(name, table, 'name', { ...base(), ...assignable(), name: f('name', { len: nameLen }), ...fields }, links);

const plp = (role: string, selfIsList: boolean): LinkDef => ({
  kind: 'm2m',
  module: selfIsList ? role : 'ProspectLists',
  table: 'prospect_lists_prospects',
  selfCol: selfIsList ? 'prospect_list_id' : 'related_id',
  otherCol: selfIsList ? 'related_id' : 'prospect_list_id',
  role: { col: 'related_type', value: role },
});
const targetLinks = (module: string): Record<string, LinkDef> => ({
  campaigns: { kind: 'fk_many', module: 'CampaignLog', fkField: 'target_id' },
  prospect_lists: plp(module, false),
});

const modules: ModuleDef[] = [
  {
    name: 'Contacts',
    table: 'contacts',
    hasEmail: true,
    nameOf: personName,
    fields: { ...person(), account_id: f('id'), account_name: f('relate', { computed: { kind: 'relate', module: 'Accounts', idField: 'account_id' } }) },
    links: targetLinks('Contacts'),
  },
  {
    name: 'Leads',
    table: 'leads',
    hasEmail: true,
    nameOf: personName,
    fields: {
      ...person(),
      account_name: f('varchar', { len: 255 }),
      status: f('enum', { options: ['New', 'Assigned', 'In Process', 'Converted', 'Recycled', 'Dead'] }),
    },
    links: targetLinks('Leads'),
  },
  { name: 'Prospects', table: 'prospects', hasEmail: true, nameOf: personName, fields: person(), links: targetLinks('Prospects') },
  {
    name: 'Accounts',
    table: 'accounts',
    hasEmail: true,
    nameOf: ownName,
    fields: {
      ...base(),
      ...assignable(),
      ...emailFields(),
      ...customFields(),
      leadfwd_score_c: f('int'),
      name: f('name', { len: 150 }),
      account_type: f('enum', {
        options: ['', 'Analyst', 'Competitor', 'Customer', 'Integrator', 'Investor', 'Partner', 'Press', 'Prospect', 'Reseller', 'Other'],
      }),
      industry: f('enum', {
        options: ['', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications', 'Education', 'Energy', 'Retail', 'Technology', 'Other'],
      }),
      website: f('varchar', { len: 255 }),
      phone_office: f('varchar', { len: 100 }),
      billing_address_city: f('varchar', { len: 100 }),
      billing_address_country: f('varchar', { len: 255 }),
      description: f('text'),
      campaign_id: f('id'),
    },
    // Sugar relates Accounts and Contacts many-to-many (accounts_contacts); here a Contact's account_id is the relation.
    links: { ...targetLinks('Accounts'), contacts: { kind: 'fk_many', module: 'Contacts', fkField: 'account_id' } },
  },
  {
    name: 'Users',
    table: 'users',
    hasEmail: true,
    nameOf: personName,
    fields: {
      ...base(),
      ...emailFields(),
      user_name: f('varchar', { len: 60 }),
      first_name: f('varchar', { len: 255 }),
      last_name: f('varchar', { len: 255 }),
      name: f('name', { computed: { kind: 'fullname' } }),
      full_name: f('name', { computed: { kind: 'fullname' } }),
      status: f('enum', { options: ['Active', 'Inactive'], defaultValue: 'Active' }),
      is_admin: f('bool', { defaultValue: false }),
      title: f('varchar', { len: 50 }),
      department: f('varchar', { len: 50 }),
    },
    links: { prospect_lists: plp('Users', false) },
  },
  ownNamed(
    'Campaigns',
    'campaigns',
    50,
    {
      status: f('enum', { options: ['', 'Planning', 'Active', 'Inactive', 'Complete', 'In Queue', 'Sending'] }),
      campaign_type: f('enum', { options: ['', 'Telesales', 'Mail', 'Email', 'Print', 'Web', 'Radio', 'Television', 'NewsLetter'] }),
      start_date: f('date'),
      end_date: f('date'),
      currency_id: f('id', { defaultValue: '-99' }),
      budget: f('decimal'),
      expected_cost: f('decimal'),
      actual_cost: f('decimal'),
      expected_revenue: f('decimal'),
      impressions: f('int', { defaultValue: 0 }),
      objective: f('text'),
      content: f('text'),
      frequency: f('enum', { options: ['', 'Weekly', 'Monthly', 'Quarterly', 'Annually'] }),
      tracker_key: f('int', { readOnly: true, autoIncrement: true }),
    },
    {
      prospectlists: { kind: 'm2m', module: 'ProspectLists', table: 'prospect_list_campaigns', selfCol: 'campaign_id', otherCol: 'prospect_list_id' },
      log_entries: { kind: 'fk_many', module: 'CampaignLog', fkField: 'campaign_id' },
      tracked_urls: { kind: 'fk_many', module: 'CampaignTrackers', fkField: 'campaign_id' },
      contacts: { kind: 'fk_many', module: 'Contacts', fkField: 'campaign_id' },
      leads: { kind: 'fk_many', module: 'Leads', fkField: 'campaign_id' },
      accounts: { kind: 'fk_many', module: 'Accounts', fkField: 'campaign_id' },
    },
  ),
  namedBy(
    'CampaignLog',
    'campaign_log',
    'activity_type',
    {
      id: f('id', { readOnly: true }),
      date_modified: f('datetime', { readOnly: true }),
      deleted: f('bool', { readOnly: true, defaultValue: false }),
      campaign_id: f('id'),
      campaign_name1: f('relate', { computed: { kind: 'relate', module: 'Campaigns', idField: 'campaign_id' } }),
      target_tracker_key: f('varchar', { len: 36 }),
      target_id: f('id'),
      target_type: f('varchar', { len: 100 }),
      activity_type: f('enum', { options: ACTIVITY_TYPES, strictOptions: true }),
      activity_date: f('datetime'),
      related_id: f('id'),
      related_type: f('varchar', { len: 100 }),
      archived: f('bool', { defaultValue: false }),
      hits: f('int', { defaultValue: 0 }),
      list_id: f('id'),
      more_information: f('varchar', { len: 100 }),
      marketing_id: f('id'),
      related_name: f('varchar', { computed: { kind: 'lazy' } }),
      recipient_name: f('varchar', { computed: { kind: 'lazy' } }),
      recipient_email: f('varchar', { computed: { kind: 'lazy' } }),
    },
    { campaign: { kind: 'fk_one', module: 'Campaigns', fkField: 'campaign_id' } },
  ),
  namedBy(
    'CampaignTrackers',
    'campaign_trkrs',
    'tracker_name',
    {
      ...base(),
      tracker_name: f('varchar', { len: 30 }),
      tracker_url: f('varchar', { len: 255 }),
      tracker_key: f('int', { readOnly: true, autoIncrement: true }),
      campaign_id: f('id'),
      is_optout: f('bool', { defaultValue: false }),
    },
    { campaign: { kind: 'fk_one', module: 'Campaigns', fkField: 'campaign_id' } },
  ),
  ownNamed(
    'ProspectLists',
    'prospect_lists',
    50,
    {
      list_type: f('enum', { options: LIST_TYPES, strictOptions: true, defaultValue: 'default' }),
      domain_name: f('varchar', { len: 255 }),
      description: f('text'),
      entry_count: f('int', { computed: { kind: 'entry_count' } }),
    },
    {
      prospects: plp('Prospects', true),
      contacts: plp('Contacts', true),
      leads: plp('Leads', true),
      accounts: plp('Accounts', true),
      users: plp('Users', true),
      campaigns: { kind: 'm2m', module: 'Campaigns', table: 'prospect_list_campaigns', selfCol: 'prospect_list_id', otherCol: 'campaign_id' },
    },
  ),
  // Saved filters (modules/Filters/vardefs.php): the Filter API's filter array kept as JSON text.
  ownNamed('Filters', 'filters', 255, { filter_definition: f('text'), filter_template: f('text'), module_name: f('varchar', { len: 100 }) }),
  // Saved reports. SIMULATOR-ONLY shape of `content`: {"module": "<base module>", "filter": [<Filter API filter>]},
  // standing in for Sugar's report definition (its WHERE clause decides the records, as Report::getRecordIds).
  ownNamed('Reports', 'saved_reports', 255, {
    module: f('varchar', { len: 36 }),
    report_type: f('enum', { options: ['tabular', 'summary', 'detailed_summary', 'Matrix'], defaultValue: 'tabular' }),
    content: f('text'),
  }),
  // modules/EmailTemplates/vardefs.php: campaign templates use $contact_… variables (sugar-platform research notes).
  ownNamed('EmailTemplates', 'email_templates', 255, {
    description: f('text'),
    subject: f('varchar', { len: 255 }),
    body: f('text'),
    body_html: f('text'),
    type: f('enum', { options: ['', 'campaign', 'email', 'workflow', 'system'], defaultValue: 'email' }),
    text_only: f('bool', { defaultValue: false }),
    published: f('varchar', { len: 3 }),
    base_module: f('varchar', { len: 50 }),
    from_name: f('varchar', { len: 255 }),
    from_address: f('varchar', { len: 255 }),
    has_variables: f('bool', { defaultValue: false }),
  }),
  namedBy('EmailAddresses', 'email_addresses', 'email_address', {
    id: f('id', { readOnly: true }),
    email_address: f('varchar', { len: 255 }),
    email_address_caps: f('varchar', { len: 255, readOnly: true }),
    invalid_email: f('bool', { defaultValue: false }),
    opt_out: f('bool', { defaultValue: false }),
    date_created: f('datetime', { readOnly: true }),
    date_modified: f('datetime', { readOnly: true }),
    deleted: f('bool', { readOnly: true, defaultValue: false }),
  }),
];

export const MODULES: ReadonlyMap<string, ModuleDef> = new Map(modules.map((m) => [m.name, m]));
export const moduleNames = (): string[] => [...MODULES.keys()];
export const dbFields = (m: ModuleDef): string[] => Object.keys(m.fields).filter((k) => !m.fields[k].computed);

// Modules whose relate fields display `target`'s name, so their cached rows go stale when `target` changes.
export function dependentsOf(target: string): string[] {
  return modules.filter((m) => Object.values(m.fields).some((fd) => fd.computed?.kind === 'relate' && fd.computed.module === target)).map((m) => m.name);
}
