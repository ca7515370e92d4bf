// Issue 6 "Bad input" and keyboard operation, in headless Chromium: the send flow driven by keyboard,
// then no lists, a past schedule, invalid MJML, a list deleted meanwhile, a refused token and the service
// down (Sugar's relay cannot reach it). Each time a clear, translated message appears (inline and via app.alert)
// and the input stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { addToList, createList } from '../support/sugar-seed.js';
import { alerts, press, startBrowserStack, type BrowserStack } from './browser-stack.js';

let bs: BrowserStack;
let page: Page;
let errors: string[];
let tempList = '';

beforeAll(async () => {
  bs = await startBrowserStack({ refreshSeconds: 0 });
  tempList = await createList(bs.sugar, 'Temporary list');
  await addToList(bs.sugar, tempList, 'Contacts', [DEMO_IDS.contacts[0]]);
  ({ page, errors } = await bs.open('sally'));
}, 60_000);
afterAll(async () => { await bs?.close(); });

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');
const summary = () => drawer().locator('.leadfwd-error-summary');
const active = () => page.evaluate(() => {
  const el = document.activeElement as HTMLElement;
  const s = getComputedStyle(el);
  return { name: el.getAttribute('name'), value: (el as HTMLInputElement).value, cls: el.className, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 };
});
/** Presses Tab until focus is on the element matching `selector`, checking every stop shows its focus. */
async function tabTo(selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await active();
    expect(a.outline, `focus on ${a.name ?? a.cls} is not visible`).toBe(true);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
const values = () => drawer().evaluate((f: HTMLFormElement) => ({
  name: (f.elements.namedItem('name') as HTMLInputElement).value,
  subject: (f.elements.namedItem('subject') as HTMLInputElement).value,
  content: (f.elements.namedItem('content') as HTMLTextAreaElement).value,
  lists: Array.from(f.querySelectorAll<HTMLInputElement>('input[name="targetList"]:checked')).map((i) => i.value),
}));
const lastError = async () => (await alerts(page)).filter((a) => a.level === 'error').pop()?.messages ?? '';

describe('the send flow by keyboard', () => {
  it('opens from the dashlet with Enter and starts at its heading', async () => {
    await page.locator('.leadfwd-new').focus();
    await page.keyboard.press('Enter');
    await drawer().locator('input[name="targetList"]').first().waitFor();
    expect((await active()).cls).toContain('leadfwd-title');
  });

  it('labels every control', async () => {
    const unlabeled = await drawer().evaluate((f) => Array.from(f.querySelectorAll('input, select, textarea, button')).filter((el) => {
      const e = el as HTMLInputElement;
      if (e.type === 'hidden') return false;
      const named = (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
      return !(named || (el.tagName === 'BUTTON' && el.textContent?.trim()));
    }).map((el) => el.outerHTML.slice(0, 80)));
    expect(unlabeled).toEqual([]);
  });

  it('shows every problem at once when nothing is chosen, focusing the summary; the typed subject stays', async () => {
    await tabTo('input[name="subject"]');
    await page.keyboard.type('Hello from the keyboard');
    await page.keyboard.press('Enter');
    await summary().waitFor({ state: 'visible' });
    expect((await active()).cls).toContain('leadfwd-error-summary');
    const text = await summary().textContent();
    expect(text).toContain('Choose at least one target list or LeadFWD list.');
    expect(text).toContain('Enter a campaign name.');
    expect(await drawer().locator('input[name="name"]').getAttribute('aria-invalid')).toBe('true');
    expect((await values()).subject).toBe('Hello from the keyboard');
    // The summary's links lead to the fields.
    await tabTo('.leadfwd-error-summary a');
    await page.keyboard.press('Enter');
    expect((await active()).name).toBe('targetList');
    await bs.shot(page, 'send-flow-errors', '.harness-drawer form.leadfwd-send');
  });

  it('ticks a list with Space and names the campaign', async () => {
    await tabTo(`input[value="${tempList}"]`);
    await page.keyboard.press('Space');
    await tabTo('input[name="name"]');
    await page.keyboard.type('Keyboard campaign');
    expect((await values()).lists).toEqual([tempList]);
  });
});

describe('bad input keeps what the user entered', () => {
  it('refuses a schedule in the past', async () => {
    await drawer().locator('input[name="schedule"][value="later"]').check();
    await drawer().locator('input[name="sendAtLocal"]').fill('2020-01-01T09:00');
    await press(drawer().locator('.leadfwd-review-button'));
    await summary().waitFor({ state: 'visible' });
    expect(await summary().textContent()).toContain('The send time is in the past');
    expect(await drawer().locator('input[name="sendAtLocal"]').inputValue()).toBe('2020-01-01T09:00');
    await drawer().locator('input[name="schedule"][value="now"]').check();
  });

  it('shows MJML\'s own errors for invalid MJML, content untouched', async () => {
    const broken = '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-column></mj-section></mj-body></mjml>';
    await drawer().locator('input[name="format"][value="mjml"]').check();
    await drawer().locator('textarea[name="content"]').fill(broken);
    await press(drawer().locator('.leadfwd-preview-button'));
    await page.waitForFunction(() => /content of the message has errors/.test(document.querySelector('.harness-drawer .leadfwd-error-summary')?.textContent ?? ''));
    expect(await summary().locator('li').count()).toBeGreaterThan(1);
    expect(await lastError()).toContain('The content of the message has errors');
    expect(await drawer().locator('textarea[name="content"]').getAttribute('aria-invalid')).toBe('true');
    expect((await values()).content).toBe(broken);
    await drawer().locator('input[name="format"][value="html"]').check();
    await drawer().locator('textarea[name="content"]').fill('<p>Hello {{ first_name }}</p>');
  });

  it('names a list deleted in Sugar meanwhile and keeps it ticked', async () => {
    await bs.sugar.request('DELETE', `/ProspectLists/${tempList}`);
    await press(drawer().locator('.leadfwd-review-button'));
    await page.waitForFunction(() => /no longer exist in Sugar: Temporary list/.test(document.querySelector('.harness-drawer .leadfwd-error-summary')?.textContent ?? ''));
    expect(await lastError()).toContain('These lists no longer exist in Sugar: Temporary list');
    const row = drawer().locator(`input[name="targetList"][value="${tempList}"]`);
    expect(await row.isChecked()).toBe(true);
    expect(await row.getAttribute('aria-invalid')).toBe('true');
    expect(await drawer().locator('.leadfwd-sugar-lists').textContent()).toContain('This list no longer exists in Sugar.');
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', subject: 'Hello from the keyboard' });
    await row.uncheck();
    await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`).check();
  });

  it('names the field the service refuses: a From address outside its sender domains', async () => {
    const from = drawer().locator('input[name="fromEmail"]');
    const before = await from.inputValue();
    await from.fill('ceo@bigcorp.example');
    await press(drawer().locator('.leadfwd-review-button'));
    await page.waitForFunction(() => /does not send from this address/.test(document.querySelector('.harness-drawer [id$="-fromEmail-error"]')?.textContent ?? ''));
    expect(await summary().textContent()).toMatch(/Use an address on one of its sender domains: .*news\.example\.test/);
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(await lastError()).toContain('LeadFWD does not send from this address');
    await from.fill(before);
  });

  it('says so when Sugar refuses the session, and recovers once Sidecar refreshes an expired token', async () => {
    const saved = await page.evaluate(() => ({ access: (window as any).SUGAR.App.api.getOAuthToken(), refresh: (window as any).SUGAR.App.api.getRefreshToken() }));
    await page.evaluate(() => (window as any).SUGAR.App.api.setTokens('expired-access-token', 'revoked-refresh-token'));
    await press(drawer().locator('.leadfwd-preview-button'));
    await page.waitForFunction(() => /did not accept your Sugar session/.test(document.querySelector('.harness-drawer .leadfwd-error-summary')?.textContent ?? ''));
    expect(await lastError()).toContain('Log in to Sugar again');
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', content: '<p>Hello {{ first_name }}</p>' });

    // Only the access token has expired: Sugar answers 401 to the relay call, Sidecar refreshes and replays it.
    await page.evaluate((r) => (window as any).SUGAR.App.api.setTokens('expired-access-token', r), saved.refresh);
    await press(drawer().locator('.leadfwd-preview-button'));
    await drawer().locator('iframe.leadfwd-preview-frame').waitFor();
    expect(await page.evaluate(() => (window as any).SUGAR.App.api.getOAuthToken())).not.toBe('expired-access-token');
    expect(await summary().isHidden()).toBe(true);
  });

  it('says the service cannot be reached while it is down, then works when it is back', async () => {
    await bs.setServiceUp(false);
    await press(drawer().locator('.leadfwd-review-button'));
    await page.waitForFunction(() => /cannot reach the LeadFWD service/.test(document.querySelector('.harness-drawer .leadfwd-error-summary')?.textContent ?? ''));
    expect(await summary().textContent()).toContain('Sugar cannot reach the LeadFWD service right now. Your entries are kept');
    expect(await lastError()).toContain('Sugar cannot reach the LeadFWD service right now');
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', subject: 'Hello from the keyboard', lists: [DEMO_IDS.lists.newsletter] });
    await bs.shot(page, 'send-flow-service-down', '.harness-drawer form.leadfwd-send');

    await bs.setServiceUp(true);
    await press(drawer().locator('.leadfwd-review-button'));
    await drawer().locator('.leadfwd-audit-queued').waitFor();
    // Back to editing cancels the review campaign; nothing was ever sent.
    await press(drawer().locator('.leadfwd-back-button'));
    expect((await active()).cls).toContain('leadfwd-review-button');
    const { body } = await bs.stack.api('GET', '/campaigns');
    await expect.poll(async () => (await bs.stack.api('GET', '/campaigns')).body.campaigns.map((c: { status: string }) => c.status)).toEqual(['cancelled']);
    expect(body.campaigns).toHaveLength(1);
    expect(bs.stack.sink.messages).toHaveLength(0);
    expect(errors).toEqual([]);
  });
  it('a Confirm lost while the service is down is retried on the same reviewed campaign, never a second one', async () => {
    await press(drawer().locator('.leadfwd-review-button'));
    await drawer().locator('.leadfwd-audit-queued').waitFor();
    const reviewed = (await bs.stack.api('GET', '/campaigns')).body.campaigns.find((c: { held: boolean }) => c.held);
    await bs.setServiceUp(false);
    await press(drawer().locator('.leadfwd-confirm-button'));
    await page.waitForFunction(() => /cannot reach the LeadFWD service/.test(document.querySelector('.harness-drawer .leadfwd-error-summary')?.textContent ?? ''));
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body).toMatchObject({ held: true, status: 'pending' });

    await bs.setServiceUp(true);
    await press(drawer().locator('.leadfwd-confirm-button'));
    await drawer().locator('.leadfwd-done:not([hidden])').waitFor();
    const { body } = await bs.stack.api('GET', '/campaigns');
    expect(body.campaigns.filter((c: { status: string }) => c.status !== 'cancelled').map((c: { id: string }) => c.id)).toEqual([reviewed.id]);
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body.held).toBe(false);
    await press(drawer().locator('.leadfwd-done .leadfwd-close'));
    // Closing after the confirm leaves the campaign going.
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body.status).not.toBe('cancelled');
  });
});
