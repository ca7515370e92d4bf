// Sidecar metadata for the harness, read from the package itself: controller text and templates as files,
// view/layout definitions, labels and record-view buttons by evaluating the package's PHP with php-cli.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { phpEval } from './php-bridge.js';

// Sugar's own record buttons are not ours to ship; these stand-ins let our extension splice into something.
const STOCK_BUTTONS = `array(
  array('name' => 'edit_button', 'type' => 'rowaction', 'label' => 'LBL_HARNESS_EDIT'),
  array('name' => 'main_dropdown', 'type' => 'actiondropdown', 'label' => 'LBL_HARNESS_ACTIONS'),
  array('name' => 'sidebar_toggle', 'type' => 'sidebartoggle', 'label' => 'LBL_HARNESS_SIDEBAR'),
)`;
const HARNESS_LABELS = { LBL_HARNESS_EDIT: 'Edit', LBL_HARNESS_ACTIONS: 'Actions', LBL_HARNESS_SIDEBAR: 'Toggle sidebar' };
/** Field labels as a Sugar's module strings would give them for the simulator's vnames (LBL_<FIELD>), in plain words. */
const FIELD_LABELS: Record<string, string> = {
  LBL_FIRST_NAME: 'First Name',
  LBL_LAST_NAME: 'Last Name',
  LBL_NAME: 'Name',
  LBL_FULL_NAME: 'Full Name',
  LBL_SALUTATION: 'Salutation',
  LBL_TITLE: 'Title',
  LBL_DEPARTMENT: 'Department',
  LBL_ACCOUNT_NAME: 'Account Name',
  LBL_PHONE_WORK: 'Office Phone',
  LBL_PHONE_MOBILE: 'Mobile',
  LBL_PRIMARY_ADDRESS_CITY: 'City',
  LBL_PRIMARY_ADDRESS_COUNTRY: 'Country',
  LBL_LEAD_SOURCE: 'Lead Source',
  LBL_BIRTHDATE: 'Birthdate',
  LBL_DESCRIPTION: 'Description',
  LBL_REGION: 'Region',
  LBL_INDUSTRY: 'Industry',
  LBL_LOYALTY_TIER: 'Loyalty Tier',
  LBL_EMAIL1: 'Email Address',
  LBL_EMAIL2: 'Other Email',
  LBL_WEBSITE: 'Website',
  LBL_BILLING_ADDRESS_CITY: 'Billing City',
};

/** One link of Sugar's Administration page, as the package's Administration extension declares it. */
export interface AdminLink {
  section: string;
  sectionDesc: string;
  key: string;
  title: string;
  desc: string;
  link: string;
}

/** One entry of a module's menu in Sugar's navigation bar ($viewdefs[module]['base']['menu']['header']). */
export interface MenuItem {
  route: string;
  label: string;
  acl_action?: string;
  acl_module?: string;
  icon?: string;
}

export interface HarnessMetadata {
  views: Record<string, { controller?: string; templates: Record<string, string>; meta: unknown }>;
  layouts: Record<string, { meta: unknown }>;
  labels: Record<string, string>;
  modules: Record<string, { recordButtons: unknown[]; menu?: MenuItem[] }>;
  admin: AdminLink[];
}

export async function buildMetadata(moduleDir: string): Promise<HarnessMetadata> {
  const base = join(moduleDir, 'custom', 'clients', 'base');
  const out: HarnessMetadata = { views: {}, layouts: {}, labels: {}, modules: {}, admin: [] };
  for (const name of readdirSync(join(base, 'views'))) {
    const dir = join(base, 'views', name);
    const js = join(dir, `${name}.js`);
    const hbs = join(dir, `${name}.hbs`);
    out.views[name] = {
      controller: existsSync(js) ? readFileSync(js, 'utf8') : undefined,
      templates: existsSync(hbs) ? { [name]: readFileSync(hbs, 'utf8') } : {},
      meta: await phpEval(join(dir, `${name}.php`), `$viewdefs['base']['view'][${JSON.stringify(name)}]`, '$viewdefs = array()'),
    };
  }
  for (const name of readdirSync(join(base, 'layouts'))) {
    out.layouts[name] = {
      meta: await phpEval(join(base, 'layouts', name, `${name}.php`), `$viewdefs['base']['layout'][${JSON.stringify(name)}]`, '$viewdefs = array()'),
    };
  }
  const ext = join(moduleDir, 'custom', 'Extension');
  // Every application language file of the package (one a language: en_us.leadfwd.php), as Sugar merges them.
  out.labels = { ...HARNESS_LABELS, ...FIELD_LABELS };
  const langDir = join(ext, 'application', 'Ext', 'Language');
  for (const f of readdirSync(langDir)
    .filter((n) => /^en_us\..+\.php$/.test(n))
    .sort()) {
    Object.assign(out.labels, await phpEval(join(langDir, f), '$app_strings', '$app_strings = array()'));
  }
  for (const module of ['ProspectLists', 'Campaigns']) {
    const file = join(ext, 'modules', module, 'Ext', 'clients', 'base', 'views', 'record', 'leadfwd_send.php');
    const prelude = `$viewdefs = array(${JSON.stringify(module)} => array('base' => array('view' => array('record' => array('buttons' => ${STOCK_BUTTONS})))))`;
    out.modules[module] = { recordButtons: await phpEval(file, `$viewdefs[${JSON.stringify(module)}]['base']['view']['record']['buttons']`, prelude) };
  }
  // The Campaigns module menu: Sugar's own entries are not ours to ship, so only the package's extension adds to it.
  const menuFile = join(ext, 'modules', 'Campaigns', 'Ext', 'clients', 'base', 'menus', 'header', 'leadfwd.php');
  out.modules.Campaigns.menu = await phpEval<MenuItem[]>(
    menuFile,
    "$viewdefs['Campaigns']['base']['menu']['header']",
    "$viewdefs = array('Campaigns' => array('base' => array('menu' => array('header' => array()))))",
  );
  // $admin_group_header entries: [title label, '', false, $admin_option_defs, description label].
  const mod = await phpEval<Record<string, string>>(
    join(ext, 'modules', 'Administration', 'Ext', 'Language', 'en_us.leadfwd.php'),
    '$mod_strings',
    '$mod_strings = array()',
  );
  const groups = await phpEval<Array<[string, string, boolean, Record<string, Record<string, string[]>>, string]>>(
    join(ext, 'modules', 'Administration', 'Ext', 'Administration', 'leadfwd.php'),
    '$admin_group_header',
    '$admin_group_header = array()',
  );
  for (const [title, , , options, desc] of groups) {
    for (const [key, [, label, labelDesc, link]] of Object.entries(options.Administration ?? {})) {
      out.admin.push({
        section: mod[title] ?? title,
        sectionDesc: mod[desc] ?? desc,
        key,
        title: mod[label] ?? label,
        desc: mod[labelDesc] ?? labelDesc,
        link,
      });
    }
  }
  return out;
}
