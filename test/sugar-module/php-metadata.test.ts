// The package's PHP evaluated by php-cli as Sugar would include it: labels, view metadata, extensions and
// the settings endpoint (routed through the harness runner with stubs of the documented Sugar contract).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phpEval, runSugarRest } from '../../scripts/sugar-harness/php-bridge.js';

const M = join(process.cwd(), 'sugar-module', 'custom');
const EXT = join(M, 'Extension');

function sources(dir: string, exts: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p, exts) : exts.test(n) ? [p] : [];
  });
}

/** Every label key the UI can ask for, with the dynamic families spelled out. */
function labelsUsed(): Set<string> {
  // manifest.php too: the custom fields it creates are labelled from app strings.
  const text = [...sources('sidecar-ui/src', /\.ts$/), ...sources(M, /\.(hbs|php)$/).filter((f) => !f.includes('Language')), 'manifest.php']
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const keys = new Set((text.match(/LBL_LEADFWD_[A-Z_]+[A-Z]/g) ?? []).filter((k) => !k.startsWith('LBL_LEADFWD_ADMIN_')));
  const families: Record<string, string[]> = {
    STATUS_: ['DRAFT', 'EXTRACTING', 'PENDING', 'SENDING', 'SENT', 'PAUSED', 'CANCELLED', 'FAILED'],
    SKIP_: ['OPTED_OUT', 'INVALID', 'DUPLICATE', 'NO_ADDRESS', 'SUPPRESSED', 'EXEMPT', 'MALFORMED'],
    SKIPPED_: ['OPTED_OUT', 'INVALID', 'DUPLICATE', 'NO_ADDRESS', 'SUPPRESSED', 'EXEMPT', 'MALFORMED'],
    ACTION_: ['PAUSE', 'RESUME', 'CANCEL', 'PAUSE_NAMED', 'RESUME_NAMED', 'CANCEL_NAMED'],
    DONE_: ['PAUSE', 'RESUME', 'CANCEL'],
    AUTOMATION_: ['PAUSE', 'RESUME', 'STOP', 'PAUSE_NAMED', 'RESUME_NAMED', 'STOP_NAMED'],
    AUTOMATION_DONE_: ['PAUSE', 'RESUME', 'STOP'],
  };
  for (const [prefix, names] of Object.entries(families)) {
    keys.delete(`LBL_LEADFWD_${prefix.replace(/_$/, '')}`);
    for (const n of names) keys.add(`LBL_LEADFWD_${prefix}${n}`);
  }
  return keys;
}

describe('language strings', () => {
  // Every application language file of the package, as Sugar merges them (en_us.leadfwd.php, en_us.leadfwd-ui.php, …).
  const langFiles = () =>
    readdirSync(join(EXT, 'application/Ext/Language'))
      .filter((n) => /^en_us\..+\.php$/.test(n))
      .map((n) => join(EXT, 'application/Ext/Language', n));

  it('define every label the UI, templates and metadata use, and nothing unused', async () => {
    const app: Record<string, string> = {};
    for (const f of langFiles()) Object.assign(app, await phpEval<Record<string, string>>(f, '$app_strings', '$app_strings = array()'));
    const used = labelsUsed();
    expect([...used].filter((k) => !(k in app)).sort()).toEqual([]);
    expect(
      Object.keys(app)
        .filter((k) => !used.has(k))
        .sort(),
    ).toEqual([]);
    for (const [k, v] of Object.entries(app)) expect(v.trim(), k).not.toBe('');
    // PHP keeps the last of two assignments to one key silently, so a reused key would relabel another control.
    const assigned = langFiles().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\$app_strings\['([^']+)'\]\s*=/g)].map((m) => m[1]));
    expect(assigned.filter((k, i) => assigned.indexOf(k) !== i)).toEqual([]);
  });

  it('gives the Administration entry its own module strings', async () => {
    const mod = await phpEval<Record<string, string>>(
      join(EXT, 'modules/Administration/Ext/Language/en_us.leadfwd.php'),
      '$mod_strings',
      '$mod_strings = array()',
    );
    const admin = await phpEval<any>(
      join(EXT, 'modules/Administration/Ext/Administration/leadfwd.php'),
      '$admin_group_header',
      '$admin_group_header = array()',
    );
    expect(admin).toHaveLength(1);
    const [title, , , options, desc] = admin[0];
    expect([title, desc]).toEqual(['LBL_LEADFWD_ADMIN_SECTION', 'LBL_LEADFWD_ADMIN_SECTION_DESC']);
    const entry = options.Administration.leadfwd_settings;
    // The parent app's route under Home: #Administration/layout/<x> is bwcRedirect-ed to a missing legacy page on 8.x.
    expect(entry[3]).toBe('javascript:void(parent.SUGAR.App.router.navigate("Home/layout/leadfwd-config", {trigger: true}));');
    for (const k of [title, desc, entry[1], entry[2]]) expect(mod[k], k).toBeTruthy();
  });
});

describe('extensions', () => {
  const stock = () => `$viewdefs = array('%M%' => array('base' => array('view' => array('record' => array('buttons' => array(
    array('name' => 'cancel_button', 'type' => 'button'), array('name' => 'save_button', 'type' => 'rowaction'),
    array('name' => 'main_dropdown', 'type' => 'actiondropdown'), array('name' => 'sidebar_toggle', 'type' => 'sidebartoggle'),
  ))))))`;

  for (const module of ['ProspectLists', 'Campaigns']) {
    const file = join(EXT, `modules/${module}/Ext/clients/base/views/record/leadfwd_send.php`);
    it(`${module}: puts the button before the actions menu, once, firing button:leadfwd_send:click`, async () => {
      const names = await phpEval<string[]>(
        file,
        `array_column($viewdefs['${module}']['base']['view']['record']['buttons'], 'name')`,
        stock().replace('%M%', module),
      );
      expect(names).toEqual(['cancel_button', 'save_button', 'leadfwd_send', 'main_dropdown', 'sidebar_toggle']);
      const twice = await phpEval<string[]>(
        file,
        `array_column($viewdefs['${module}']['base']['view']['record']['buttons'], 'name')`,
        `${stock().replace('%M%', module)}; include ${JSON.stringify(file)}`,
      );
      expect(twice.filter((n) => n === 'leadfwd_send')).toHaveLength(1);
      const button = await phpEval<any>(file, `$viewdefs['${module}']['base']['view']['record']['buttons'][2]`, stock().replace('%M%', module));
      expect(button).toMatchObject({ type: 'button', label: 'LBL_LEADFWD_SEND', events: { click: 'button:leadfwd_send:click' } });
    });
    it(`${module}: adds nothing, and raises no notice, where there is no Sidecar record view`, async () => {
      expect(await phpEval(file, 'isset($viewdefs) ? $viewdefs : null', '')).toBeNull();
    });
  }

  it("adds the LeadFWD area to the Campaigns menu of Sugar's navigation, after Sugar's own entries, for roles that may list Campaigns", async () => {
    const menu = await phpEval<Array<Record<string, string>>>(
      join(EXT, 'modules/Campaigns/Ext/clients/base/menus/header/leadfwd.php'),
      "$viewdefs['Campaigns']['base']['menu']['header']",
      "$viewdefs = array('Campaigns' => array('base' => array('menu' => array('header' => array(array('route' => '#bwc/index.php?module=Campaigns&action=index', 'label' => 'LNK_CAMPAIGN_LIST'))))))",
    );
    expect(menu.map((m) => m.route)).toEqual([
      '#bwc/index.php?module=Campaigns&action=index',
      '#Home/layout/leadfwd-campaigns',
      '#Home/layout/leadfwd-automations',
    ]);
    for (const m of menu.slice(1))
      expect(m).toMatchObject({ acl_action: 'list', acl_module: 'Campaigns', label: expect.stringMatching(/^LBL_LEADFWD_AREA_MENU/) });
    // Routes under Home: a layout route of a legacy module would be bwcRedirect-ed on Sugar 8 (sugar-platform.md §13).
    for (const name of ['leadfwd-campaigns', 'leadfwd-automations', 'leadfwd-automation', 'leadfwd-campaign-report']) {
      const layout = await phpEval<any>(join(M, `clients/base/layouts/${name}/${name}.php`), `$viewdefs['base']['layout']['${name}']`, '$viewdefs = array()');
      expect(layout).toEqual({ components: [{ view: 'leadfwd-page' }] });
    }
  });

  it('registers the leadfwd API platform', async () => {
    expect(await phpEval(join(EXT, 'application/Ext/Platforms/leadfwd.php'), '$platforms', "$platforms = array('base', 'mobile')")).toEqual([
      'base',
      'mobile',
      'leadfwd',
    ]);
  });

  it('adds the button script to sugar_grp7 only', async () => {
    const prelude = `$js_groupings = array(
      array('include/javascript/a.js' => 'include/javascript/sugar_grp1.js'),
      array('include/javascript/b.js' => 'include/javascript/sugar_grp7.min.js', 'include/javascript/c.js' => 'include/javascript/sugar_grp7.min.js'))`;
    const g = await phpEval<Array<Record<string, string>>>(join(EXT, 'application/Ext/JSGroupings/leadfwd.php'), '$js_groupings', prelude);
    expect(g[0]).toEqual({ 'include/javascript/a.js': 'include/javascript/sugar_grp1.js' });
    expect(g[1]['custom/include/javascript/leadfwd/leadfwd-buttons.js']).toBe('include/javascript/sugar_grp7.min.js');
  });

  it('declares the dashlet with a config (Sugar skips dashlets without one) and the drawer layouts', async () => {
    const views = join(M, 'clients/base/views');
    const d = await phpEval<any>(
      join(views, 'leadfwd-campaigns/leadfwd-campaigns.php'),
      "$viewdefs['base']['view']['leadfwd-campaigns']",
      '$viewdefs = array()',
    );
    expect(d.dashlets[0]).toMatchObject({
      label: 'LBL_LEADFWD_DASHLET_TITLE',
      config: { limit: '5', refresh_seconds: '10' },
      filter: { module: ['Home', 'ProspectLists', 'Campaigns'] },
    });
    expect(d.panels[0].fields.map((f: { name: string }) => f.name)).toEqual(['limit', 'refresh_seconds']);
    for (const name of ['leadfwd-send', 'leadfwd-config']) {
      const l = await phpEval<any>(join(M, `clients/base/layouts/${name}/${name}.php`), `$viewdefs['base']['layout']['${name}']`, '$viewdefs = array()');
      expect(l.components).toEqual([{ view: name }]);
    }
  });
});

describe('LeadfwdConfigApi (GET|PUT /leadfwd/config)', () => {
  const call = async (method: 'GET' | 'PUT', args: Record<string, unknown>, user: { is_admin: boolean } | null, settings: Record<string, string> = {}) => {
    const r = await runSugarRest({ method, path: 'leadfwd/config', body: method === 'GET' ? '' : JSON.stringify(args), user, settings });
    return { ...r, settings: { ...settings, ...r.writes } };
  };
  const unpaired = { paired: false, paired_at: null };

  it('answers defaults to any user before an admin saved anything', async () => {
    expect((await call('GET', {}, { is_admin: false })).body).toEqual({ service_url: '', optout_scope: null, ...unpaired });
  });

  it('lets only administrators save, with 403 not_authorized for others', async () => {
    const r = await call('PUT', { service_url: 'https://leadfwd.example.com' }, { is_admin: false });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('not_authorized');
    expect(r.writes).toEqual({});
  });

  it('stores a clean URL and the opt-out scope, then reads them back', async () => {
    const saved = await call('PUT', { service_url: ' https://leadfwd.example.com/ ', optout_scope: 'none' }, { is_admin: true });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ service_url: 'https://leadfwd.example.com', optout_scope: 'none', ...unpaired });
    expect(saved.writes).toEqual({ leadfwd_service_url: 'https://leadfwd.example.com', leadfwd_optout_scope: 'none' });
    expect((await call('GET', {}, { is_admin: false }, saved.settings)).body).toEqual(saved.body);
  });

  it('refuses addresses a browser should not be sent to, with 422', async () => {
    for (const url of [
      'http://leadfwd.example.com',
      'javascript:alert(1)',
      'https://user:pw@leadfwd.example.com',
      'ftp://x.example',
      'not a url',
      `https://${'a'.repeat(260)}.example`,
      'https://x.example/?a=1',
    ]) {
      const r = await call('PUT', { service_url: url }, { is_admin: true });
      expect(r.status, url).toBe(422);
      expect(r.body.error).toBe('invalid_parameter');
    }
    expect((await call('PUT', { service_url: 'http://127.0.0.1:8080' }, { is_admin: true })).status).toBe(200);
    expect((await call('PUT', { service_url: 'https://x.example', optout_scope: 'everyone' }, { is_admin: true })).status).toBe(422);
    // '' hands the choice back to the service: Sugar then answers null, as before any choice.
    const handedBack = await call('PUT', { service_url: 'https://x.example', optout_scope: '' }, { is_admin: true });
    expect(handedBack.body).toEqual({ service_url: 'https://x.example', optout_scope: null, ...unpaired });
    expect((await call('PUT', {}, { is_admin: true })).body.error).toBe('missing_parameter');
  });

  it('answers paired and paired_at, never the secret; another address ends the pairing, the same one keeps it', async () => {
    const secret = 'A'.repeat(43);
    const paired = { leadfwd_service_url: 'https://leadfwd.example.com', leadfwd_relay_secret: secret, leadfwd_paired_at: '2026-12-03T10:00:00.000Z' };
    const read = await call('GET', {}, { is_admin: false }, paired);
    expect(read.body).toEqual({ service_url: 'https://leadfwd.example.com', optout_scope: null, paired: true, paired_at: '2026-12-03T10:00:00.000Z' });
    expect(JSON.stringify(read.body)).not.toContain(secret);
    const same = await call('PUT', { service_url: 'https://leadfwd.example.com/', optout_scope: 'all' }, { is_admin: true }, paired);
    expect(same.body).toMatchObject({ paired: true, optout_scope: 'all' });
    expect(same.writes).not.toHaveProperty('leadfwd_relay_secret');
    const moved = await call('PUT', { service_url: 'https://other.example.com' }, { is_admin: true }, paired);
    expect(moved.body).toEqual({ service_url: 'https://other.example.com', optout_scope: null, ...unpaired });
    expect(moved.writes).toMatchObject({ leadfwd_relay_secret: '', leadfwd_paired_at: '' });
  });
});
