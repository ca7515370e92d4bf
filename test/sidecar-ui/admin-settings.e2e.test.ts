// Administration → LeadFWD settings in headless Chromium, under Sugar 12's Content-Security-Policy: the link opens the
// settings from Sugar 8's legacy Administration page (in an iframe) and from Sugar 12's Sidecar one; an administrator
// tests the address, pairs Sugar with a code made with the service's API key, and saves the opt-out scope, all through
// the package's PHP endpoints. Users see what to ask their administrator before pairing. The secret never reaches a
// browser, and no request leaves Sugar.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, axeViolations, type BrowserStack, cspViolations, press, startBrowserStack } from './browser-stack.js';

let bs: BrowserStack;
let admin: { page: Page; errors: string[]; requests: string[] };
const bodies: string[] = [];

beforeAll(async () => {
  bs = await startBrowserStack({ refreshSeconds: 0, pair: false });
  admin = await bs.open('admin', { sugar: '8' });
  admin.page.on('response', (r) => {
    if (r.url().includes('/leadfwd/'))
      void r.text().then(
        (t) => bodies.push(t),
        () => undefined,
      );
  });
}, 60_000);
afterAll(async () => {
  await bs?.close();
});

const form = (p: Page) => p.locator('form.leadfwd-config');
const message = (p: Page) => form(p).locator('.leadfwd-message');
const fieldError = (p: Page, name: string) => form(p).locator(`.leadfwd-field-error[id$="-${name}-error"]`);

describe('the Administration link', () => {
  it('Sugar 8: opens the settings from the legacy Administration page, whose links run in its iframe', async () => {
    const p = admin.page;
    await p.goto(`${bs.harness.url}?sugar=8#Administration`);
    // bwcRedirect: Administration is a legacy module, shown in Sugar's iframe.
    await p.waitForFunction(() => location.hash === '#bwc/index.php?module=Administration&action=index');
    const link = p.frameLocator('iframe.harness-bwc').locator('a', { hasText: 'LeadFWD settings' });
    await link.click();
    await form(p).waitFor();
    expect(await p.evaluate(() => location.hash)).toBe('#Home/layout/leadfwd-config');
    await bs.shot(p, 'admin-link-sugar8');
  });

  it('Sugar 8: the old link (#Administration/layout/…) would end on a legacy page that does not exist', async () => {
    const p = admin.page;
    await p.goto(`${bs.harness.url}?sugar=8#Administration/layout/leadfwd-config`);
    await p.frameLocator('iframe.harness-bwc').locator('.harness-bwc-missing').waitFor();
    expect(await p.evaluate(() => location.hash)).toBe('#bwc/index.php?module=Administration&action=DetailView&record=leadfwd-config');
    expect(await form(p).count()).toBe(0);
  });

  it('Sugar 12: opens the settings from the Sidecar Administration page', async () => {
    const p = admin.page;
    await bs.login(p, 'admin', { sugar: '12', hash: '#Administration' });
    await p.locator('a.harness-admin-link', { hasText: 'LeadFWD settings' }).click();
    await form(p).waitFor();
    expect(await p.evaluate(() => location.hash)).toBe('#Home/layout/leadfwd-config');
    expect(await p.frameLocator('iframe').locator('body').count()).toBe(0);
  });
});

describe('before pairing', () => {
  it('users are told once to ask their administrator, with nothing to act on, and see the settings read-only', async () => {
    const sally = await bs.open('sally');
    const dashlet = sally.page.locator('.leadfwd-dashlet');
    await sally.page.waitForFunction(() =>
      /not paired with the LeadFWD service yet/.test(document.querySelector('.leadfwd-dashlet .leadfwd-message')?.textContent ?? ''),
    );
    expect(await dashlet.locator('.leadfwd-message').textContent()).toMatch(/Ask your Sugar administrator to pair it/);
    // One message: no "No campaigns here yet" beside it, no alert repeating it, and no action that would fail.
    expect(await dashlet.locator('.leadfwd-campaigns-section').isHidden()).toBe(true);
    expect(await dashlet.locator('.leadfwd-automations').isHidden()).toBe(true);
    expect(await dashlet.locator('.leadfwd-new').isDisabled()).toBe(true);
    expect((await alerts(sally.page)).filter((a) => a.level === 'error')).toEqual([]);
    await sally.page.goto(`${bs.harness.url}#Home/layout/leadfwd-config`);
    await sally.page.waitForFunction(() => /Not paired yet/.test(document.querySelector('.leadfwd-pairing-state')?.textContent ?? ''));
    expect(await form(sally.page).locator('.leadfwd-readonly').isVisible()).toBe(true);
    for (const sel of ['input[name="service_url"]', 'input[name="code"]', '.leadfwd-pair', '.leadfwd-save', '.leadfwd-test-connection']) {
      expect(await form(sally.page).locator(sel).isDisabled(), sel).toBe(true);
    }
    expect(await axeViolations(sally.page, 'form.leadfwd-config')).toEqual([]);
    expect(sally.errors).toEqual([]);
    await sally.context.close();
  });
});

describe('an administrator pairs Sugar with the service', () => {
  it('tests the typed address through Sugar and keeps it: a failure names the address field and what was typed', async () => {
    const p = admin.page;
    await p.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-config`);
    await p.waitForFunction(
      (u) => (document.querySelector('form.leadfwd-config input[name="service_url"]') as HTMLInputElement | null)?.value === u,
      bs.serviceUrl,
    );
    expect(await form(p).locator('.leadfwd-readonly').isVisible()).toBe(false);
    expect(await form(p).locator('.leadfwd-pairing-state').textContent()).toMatch(/Not paired yet/);

    await press(form(p).locator('.leadfwd-test-connection'));
    await p.waitForFunction(() =>
      /answers as a LeadFWD service\. It is not paired/.test(document.querySelector('form.leadfwd-config .leadfwd-test-result')?.textContent ?? ''),
    );

    // Sugar's simulator answers, but not as LeadFWD: said once, at the address field, naming what was typed.
    const url = fieldError(p, 'service_url');
    await form(p).locator('input[name="service_url"]').fill(bs.stack.sim.url);
    await press(form(p).locator('.leadfwd-test-connection'));
    await url.filter({ hasText: 'does not answer like a LeadFWD service' }).waitFor();
    expect(await url.textContent()).toBe(`${bs.stack.sim.url} does not answer like a LeadFWD service. Check the LeadFWD service address.`);
    expect(await form(p).locator('input[name="service_url"]').getAttribute('aria-invalid')).toBe('true');
    expect(await message(p).isHidden()).toBe(true);
    expect((await alerts(p)).filter((a) => a.level === 'error')).toEqual([]);
    // What was typed stays: after the failure, and after Sidecar renders the view again.
    expect(await form(p).locator('input[name="service_url"]').inputValue()).toBe(bs.stack.sim.url);
    await p.evaluate(() => (window as any).__harnessPage.components[0].render());
    expect(await form(p).locator('input[name="service_url"]').inputValue()).toBe(bs.stack.sim.url);

    // An address nobody answers at: Sugar cannot reach it, and says which.
    await form(p).locator('input[name="service_url"]').fill('http://127.0.0.1:9');
    expect(await url.textContent()).toBe('');
    await press(form(p).locator('.leadfwd-test-connection'));
    await url.filter({ hasText: 'Sugar cannot reach http://127.0.0.1:9' }).waitFor();
    expect(await form(p).locator('input[name="service_url"]').inputValue()).toBe('http://127.0.0.1:9');
    expect(await axeViolations(p, 'form.leadfwd-config')).toEqual([]);
    await bs.shot(p, 'admin-settings-test-failed', 'form.leadfwd-config');
    await form(p).locator('input[name="service_url"]').fill(bs.serviceUrl);
  });

  it('refuses a missing or wrong code at the code field, saving nothing', async () => {
    const p = admin.page;
    await press(form(p).locator('.leadfwd-pair'));
    await p.waitForFunction(() => /Enter the pairing code/.test(document.querySelector('form.leadfwd-config [id$="-code-error"]')?.textContent ?? ''));
    await form(p).locator('input[name="code"]').fill('ZZZZ-ZZZZ');
    await press(form(p).locator('.leadfwd-pair'));
    await p.waitForFunction(() => /pairing code is not valid/.test(document.querySelector('form.leadfwd-config [id$="-code-error"]')?.textContent ?? ''));
    expect(await fieldError(p, 'code').textContent()).toMatch(/Make a new code on the LeadFWD service/);
    expect(await message(p).isHidden()).toBe(true);
    expect(bs.harness.settings.leadfwd_relay_secret ?? '').toBe('');
    expect(await form(p).locator('input[name="code"]').inputValue()).toBe('ZZZZ-ZZZZ');
  });

  it('pairs with a code the service made; the same code does not work twice; the secret stays in Sugar', async () => {
    const p = admin.page;
    const code = (await bs.stack.api('POST', '/relay/pairing-code')).body.code as string;
    await form(p).locator('input[name="code"]').fill(code);
    await form(p).locator('input[name="code"]').press('Enter');
    await p.waitForFunction(() => /Paired with the LeadFWD service on/.test(document.querySelector('.leadfwd-pairing-state')?.textContent ?? ''));
    expect(await fieldError(p, 'code').textContent()).toBe('');
    expect(await form(p).locator('input[name="code"]').inputValue()).toBe('');
    const secret = bs.harness.settings.leadfwd_relay_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await alerts(p)).map((a) => a.messages)).toContain('Sugar is paired with the LeadFWD service.');
    await bs.shot(p, 'admin-settings', 'form.leadfwd-config');

    await form(p).locator('input[name="code"]').fill(code);
    await press(form(p).locator('.leadfwd-pair'));
    await p.waitForFunction(() => /pairing code is not valid/.test(document.querySelector('form.leadfwd-config [id$="-code-error"]')?.textContent ?? ''));
    expect(bs.harness.settings.leadfwd_relay_secret).toBe(secret);

    await press(form(p).locator('.leadfwd-test-connection'));
    await p.waitForFunction(() =>
      /answers as a LeadFWD service, paired with a Sugar/.test(document.querySelector('form.leadfwd-config .leadfwd-test-result')?.textContent ?? ''),
    );
    expect(bodies.length).toBeGreaterThan(4);
    for (const b of bodies) expect(b).not.toContain(secret);
  });

  it('saves the opt-out scope where the service reads it; refuses a bad address at its field', async () => {
    const p = admin.page;
    await form(p).locator('input[name="service_url"]').fill('leadfwd.example.com');
    await press(form(p).locator('.leadfwd-save'));
    await p.waitForFunction(() => /starting with https/.test(document.querySelector('form.leadfwd-config [id$="-service_url-error"]')?.textContent ?? ''));
    // Plain http to another host is refused by LeadfwdConfigApi.php itself (422), shown at the field.
    await form(p).locator('input[name="service_url"]').fill('http://leadfwd.example.com');
    await press(form(p).locator('.leadfwd-save'));
    await p.waitForFunction(() =>
      /Sugar refused this LeadFWD service address: .*https:\/\/ address/.test(
        document.querySelector('form.leadfwd-config [id$="-service_url-error"]')?.textContent ?? '',
      ),
    );
    expect(bs.harness.settings.leadfwd_service_url).toBe(bs.serviceUrl);

    await form(p).locator('input[name="service_url"]').fill(`${bs.serviceUrl}/`);
    await form(p).locator('select[name="optout_scope"]').selectOption('address');
    await press(form(p).locator('.leadfwd-save'));
    await p.waitForFunction(() => /^LeadFWD settings saved\.$/.test(document.querySelector('form.leadfwd-config .leadfwd-status')?.textContent ?? ''));
    expect(await fieldError(p, 'service_url').textContent()).toBe('');
    // Saved where the service reads it: Sugar's own GET /leadfwd/config answers the new scope, still paired, no secret.
    const config = await bs.sugar.get<Record<string, unknown>>('/leadfwd/config');
    expect(config).toEqual({ service_url: bs.serviceUrl, optout_scope: 'address', paired: true, paired_at: expect.any(String) });
  });

  it('users can use LeadFWD now; nothing left Sugar, no policy was violated', async () => {
    const sally = await bs.open('sally');
    await sally.page.waitForFunction(() => /No LeadFWD campaigns here yet/.test(document.querySelector('.leadfwd-dashlet')?.textContent ?? ''));
    expect(await sally.page.locator('.leadfwd-dashlet .leadfwd-message').textContent()).toBe('');
    for (const s of [admin, sally]) {
      expect(bs.offSugar(s.requests)).toEqual([]);
      expect(await cspViolations(s.page)).toEqual([]);
      expect(s.errors).toEqual([]);
    }
    await sally.context.close();
  });

  it('another address ends the pairing: users are told, until the administrator pairs again', async () => {
    const p = admin.page;
    await form(p).locator('input[name="service_url"]').fill('https://leadfwd.example.com');
    await press(form(p).locator('.leadfwd-save'));
    await p.waitForFunction(() => /the pairing ended/.test(document.querySelector('form.leadfwd-config .leadfwd-status')?.textContent ?? ''));
    expect(await form(p).locator('.leadfwd-pairing-state').textContent()).toMatch(/Not paired yet/);
    expect(bs.harness.settings.leadfwd_relay_secret).toBe('');
    const sally = await bs.open('sally');
    await sally.page.waitForFunction(() =>
      /not paired with the LeadFWD service yet/.test(document.querySelector('.leadfwd-dashlet .leadfwd-message')?.textContent ?? ''),
    );
    await sally.context.close();
  });
});
