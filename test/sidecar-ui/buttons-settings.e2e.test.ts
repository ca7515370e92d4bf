// Headless Chromium against the harness: the record-view buttons from the package's view extensions, and the
// harness's Sidecar contract (eval of controller text, extendsFrom, _super, Dashlet plugin). Administration and
// pairing: admin-settings.e2e.test.ts.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { type BrowserStack, press, startBrowserStack } from './browser-stack.js';

let bs: BrowserStack;
let page: Page;
let errors: string[];

beforeAll(async () => {
  bs = await startBrowserStack({ refreshSeconds: 0 });
  ({ page, errors } = await bs.open('sally'));
}, 60_000);
afterAll(async () => {
  await bs?.close();
});

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');
const checkedLists = () => drawer().evaluate((f) => Array.from(f.querySelectorAll<HTMLInputElement>('input[name="targetList"]:checked')).map((i) => i.value));

describe('record-view buttons (Extension framework, no record.js replaced)', () => {
  it('ProspectLists: the button sits before the actions menu and opens the flow with that list chosen', async () => {
    await page.goto(`${bs.harness.url}#ProspectLists/${DEMO_IDS.lists.newsletter}`);
    const bar = page.locator('.harness-record-buttons button');
    await bar.first().waitFor();
    expect(await bar.allTextContents()).toEqual(['Edit', 'Send via LeadFWD', 'Actions', 'Toggle sidebar']);
    const button = page.locator('.harness-record-buttons button[name="leadfwd_send"]');
    await button.click();
    await drawer().locator('input[name="targetList"]').first().waitFor();
    expect(await checkedLists()).toEqual([DEMO_IDS.lists.newsletter]);
    // Closing the drawer returns focus to the button that opened it.
    await press(drawer().locator('.leadfwd-toolbar .leadfwd-close'));
    expect(await page.locator('.harness-drawer').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('leadfwd_send');
  });

  it('Campaigns as a Sidecar module: the same button starts from the campaign and its linked lists', async () => {
    await page.goto(`${bs.harness.url}#Campaigns/${DEMO_IDS.campaigns.autumn}/record`);
    await page.locator('.harness-record-buttons button[name="leadfwd_send"]').click();
    await drawer().locator('input[name="targetList"]').first().waitFor();
    await page.waitForFunction(() => (document.querySelector('.harness-drawer input[name="name"]') as HTMLInputElement | null)?.value === 'Autumn Promo');
    expect(await checkedLists()).toEqual([DEMO_IDS.lists.tradeShow]);
    await press(drawer().locator('.leadfwd-toolbar .leadfwd-close'));
  });
});

describe('the harness follows the Sidecar contract', () => {
  it('evaluated the built controllers, attached the Dashlet plugin and gave it its settings', async () => {
    await page.goto(`${bs.harness.url}#Home`);
    await page.locator('.leadfwd-dashlet').waitFor();
    const r = await page.evaluate(() => {
      const app = (window as any).SUGAR.App;
      const Dashlet = app.view.classes.BaseLeadfwdCampaignsView;
      const view = app.view.createView({
        type: 'leadfwd-campaigns',
        context: app.context.getContext({ module: 'Home' }),
        meta: { config: { limit: '3', refresh_seconds: '0' } },
      });
      const out = {
        plugins: Dashlet.prototype.plugins,
        limit: view.settings.get('limit'),
        hasState: !!view._lfState,
        lf: typeof Dashlet.prototype._lf.initDashlet,
      };
      view.dispose();
      return out;
    });
    expect(r).toEqual({ plugins: ['Dashlet'], limit: '3', hasState: true, lf: 'function' });
  });

  it('builds a component from extendsFrom whose _super reaches our controller, then the base view', async () => {
    const r = await page.evaluate(() => {
      const app = (window as any).SUGAR.App;
      const src =
        "({\n  extendsFrom: 'LeadfwdConfigView',\n  initialize: function (options) { this._super('initialize', [options]); this.childReady = !!this._lfState; },\n  _render: function () { this._super('_render'); this.childRendered = this.el.querySelector('form.leadfwd-config') !== null; }\n})";
      // biome-ignore lint/security/noGlobalEval: Sidecar loads a controller file exactly this way (sugar-platform.md §10).
      const controller = eval('[' + src + '][0]');
      app.view.declareComponent('leadfwd-config-child', undefined, controller);
      const view = app.view.createView({ type: 'leadfwd-config-child', context: app.context.getContext({ module: 'Administration' }) });
      view.name = 'leadfwd-config';
      view.template = app.view.templates['leadfwd-config'];
      view.render();
      const out = { ready: view.childReady, rendered: view.childRendered, inherits: view instanceof app.view.classes.BaseLeadfwdConfigView };
      view.dispose();
      return out;
    });
    expect(r).toEqual({ ready: true, rendered: true, inherits: true });
    expect(errors).toEqual([]);
  });
});
