// Issue 13 "Bad input" and keyboard operation, in headless Chromium: the stepped send flow driven by keyboard only
// (every stop showing its focus), then no lists, an empty subject, a past schedule in the user's Sugar time zone,
// invalid MJML, a list deleted meanwhile, a From outside the sender domains, a refused session and the service down.
// Each problem is said ONCE — at its field when it has one (its step opens, focus lands on it), else in the flow's one
// alert line — cleared when fixed, with the user's input kept and nothing sent that was not confirmed.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { addToList, createList } from '../support/sugar-seed.js';
import { alerts, axeViolations, type BrowserStack, press, startBrowserStack } from './browser-stack.js';

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
afterAll(async () => {
  await bs?.close();
});

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');
const current = () => drawer().locator('.leadfwd-step-tab[aria-current="step"]').getAttribute('data-step');
const fieldError = (name: string) => drawer().locator(`[id$="-${name}-error"]`);
const message = () => drawer().locator('.leadfwd-message');
const active = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return {
      name: el.getAttribute('name'),
      id: el.id,
      value: (el as HTMLInputElement).value,
      cls: el.className,
      html: el.outerHTML.slice(0, 80),
      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    };
  });
/** Presses Tab until focus is on the element matching `selector`, checking every stop shows its focus. */
async function tabTo(selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await active();
    expect(a.outline, `focus on ${a.html} is not visible`).toBe(true);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}
const values = () =>
  drawer().evaluate((f: HTMLFormElement) => ({
    name: (f.elements.namedItem('name') as HTMLInputElement).value,
    subject: (f.elements.namedItem('subject') as HTMLInputElement).value,
    content: (f.elements.namedItem('content') as HTMLTextAreaElement).value,
    lists: Array.from(f.querySelectorAll<HTMLInputElement>('input[name="targetList"]:checked')).map((i) => i.value),
  }));
/** How many times a text is on screen in the flow and in Sugar's alerts: a problem is said once. */
const said = (text: string) =>
  page.evaluate((x) => {
    const shown = (el: Element) => !!(el as HTMLElement).offsetParent || el.getClientRects().length > 0;
    const nodes = Array.from(document.querySelectorAll('.harness-drawer *, #alerts *')).filter(
      (el) => shown(el) && Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.includes(x)),
    );
    return nodes.length;
  }, text);
const errorAlerts = async () => (await alerts(page)).filter((a) => a.level === 'error');

describe('the send flow by keyboard alone', () => {
  it('opens from the dashlet with Enter and starts at its heading', async () => {
    await page.locator('.leadfwd-new').focus();
    await page.keyboard.press('Enter');
    await drawer().locator('input[name="targetList"]').first().waitFor();
    expect((await active()).cls).toContain('leadfwd-title');
  });

  it('labels every control of every step', async () => {
    const unlabeled = await drawer().evaluate((f) =>
      Array.from(f.querySelectorAll('input, select, textarea, button'))
        .filter((el) => {
          const e = el as HTMLInputElement;
          if (e.type === 'hidden') return false;
          const named = (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
          return !(named || (el.tagName === 'BUTTON' && el.textContent?.trim()));
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabeled).toEqual([]);
  });

  it('Audience: Enter with no list says so once, at the lists, and focuses the first; Space fixes it', async () => {
    await tabTo('section[data-step="audience"] .leadfwd-next');
    await page.keyboard.press('Enter');
    await fieldError('lists').filter({ hasText: 'Choose at least one target list or LeadFWD list.' }).waitFor();
    expect(await current()).toBe('audience');
    expect((await active()).name).toBe('targetList');
    expect(await said('Choose at least one target list')).toBe(1);
    expect(await errorAlerts()).toEqual([]);
    expect(await drawer().locator('input[name="targetList"]').first().getAttribute('aria-invalid')).toBe('true');
    await axeViolations(page, '.harness-drawer form.leadfwd-send').then((v) => expect(v).toEqual([]));
    await bs.shot(page, 'send-flow-errors', '.harness-drawer form.leadfwd-send');
    await tabTo(`input[value="${tempList}"]`);
    await page.keyboard.press('Space');
    // Fixed: the message is gone at once.
    expect(await fieldError('lists').textContent()).toBe('');
    expect(await drawer().locator('input[name="targetList"]').first().getAttribute('aria-invalid')).toBeNull();
    await page.keyboard.press('Enter');
    expect(await current()).toBe('content');
    expect((await active()).id).toMatch(/-content-title$/);
  });

  it("Content: an empty subject is the subject's problem, not the content's", async () => {
    await tabTo('input[name="subject"]');
    await page.keyboard.press('Enter');
    await fieldError('subject').filter({ hasText: 'Enter a subject.' }).waitFor();
    expect((await active()).name).toBe('subject');
    expect(await fieldError('content').textContent()).toBe('');
    expect(await said('Enter a subject.')).toBe(1);
    await page.keyboard.type('Hello from the keyboard');
    expect(await fieldError('subject').textContent()).toBe('');
    await page.keyboard.press('Enter');
    expect(await current()).toBe('settings');
  });

  it("Settings: a schedule in the past (in the user's Sugar time zone) is said at the time field", async () => {
    await tabTo('input[name="name"]');
    await page.keyboard.type('Keyboard campaign');
    await tabTo('input[name="schedule"][value="now"]');
    await page.keyboard.press('ArrowDown');
    expect(await drawer().locator('input[name="schedule"][value="later"]').isChecked()).toBe(true);
    // The browser's own date field takes Tab between its parts; typed there, then Enter submits the step.
    await drawer().locator('input[name="sendAtLocal"]').fill('2020-01-01T09:00');
    await drawer().locator('input[name="sendAtLocal"]').press('Enter');
    await fieldError('sendAtLocal').filter({ hasText: 'The send time is in the past' }).waitFor();
    expect((await active()).name).toBe('sendAtLocal');
    expect(await said('The send time is in the past')).toBe(1);
    expect(await drawer().locator('input[name="sendAtLocal"]').inputValue()).toBe('2020-01-01T09:00');
    await drawer().locator('input[name="sendAtLocal"]').fill('2099-01-05T09:30');
    expect(await fieldError('sendAtLocal').textContent()).toBe('');
  });

  it('Review by Enter; Back returns to the settings and cancels the review campaign', async () => {
    await drawer().locator('.leadfwd-review-button').focus();
    await page.keyboard.press('Enter');
    await drawer().locator('.leadfwd-audit-queued').waitFor();
    expect(await current()).toBe('review');
    expect((await active()).id).toMatch(/-review-title$/);
    // The schedule as the user reads it: their Sugar time zone (Berlin), not the browser's.
    expect(await drawer().locator('.leadfwd-summary-schedule').textContent()).toMatch(
      /^Monday,? 5 January 2099 at 09:30 \(Europe\/Berlin\)$|^Monday, January 5, 2099 at 9:30 AM \(Europe\/Berlin\)$/,
    );
    const held = (await bs.stack.api('GET', '/campaigns')).body.campaigns[0];
    expect(held.sendAt).toBe('2099-01-05T08:30:00.000Z');
    await tabTo('.leadfwd-back-button');
    await page.keyboard.press('Enter');
    expect(await current()).toBe('settings');
    await expect.poll(async () => (await bs.stack.api('GET', '/campaigns')).body.campaigns.map((c: { status: string }) => c.status)).toEqual(['cancelled']);
    expect(bs.stack.sink.messages).toHaveLength(0);
  });
});

describe('bad input keeps what the user entered, and is said once', () => {
  it("invalid MJML: MJML's own problems, once, at the content, on the content step", async () => {
    const broken = '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-column></mj-section></mj-body></mjml>';
    await press(drawer().locator('.leadfwd-step-tab[data-step="content"]'));
    await drawer().locator('input[name="format"][value="mjml"]').check();
    await page.waitForFunction(() => /^<mjml>/.test((document.querySelector('.harness-drawer textarea[name="content"]') as HTMLTextAreaElement).value));
    await drawer().locator('textarea[name="content"]').fill(broken);
    await press(drawer().locator('.leadfwd-step-tab[data-step="review"]'));
    await fieldError('content').filter({ hasText: 'The content of the message has errors' }).waitFor();
    expect(await current()).toBe('content');
    expect(await fieldError('content').locator('li').count()).toBeGreaterThan(0);
    expect(await said('The content of the message has errors')).toBe(1);
    const detail = (await fieldError('content').locator('li').first().textContent())!;
    expect(await said(detail)).toBe(1);
    expect(await message().isHidden()).toBe(true);
    expect(await errorAlerts()).toEqual([]);
    expect(await drawer().locator('textarea[name="content"]').getAttribute('aria-invalid')).toBe('true');
    expect((await values()).content).toBe(broken);
    // Switching to HTML cannot convert broken MJML: the format stays MJML, nothing is lost.
    // click, not check: the flow puts the radio back to MJML, which Playwright's check() would take for a failed click.
    await drawer().locator('input[name="format"][value="html"]').click();
    await page.waitForFunction(() => /could not be converted/.test(document.querySelector('.harness-drawer .leadfwd-format-note')?.textContent ?? ''));
    expect(await drawer().locator('input[name="format"][value="mjml"]').isChecked()).toBe(true);
    expect((await values()).content).toBe(broken);
    await drawer()
      .locator('textarea[name="content"]')
      .fill('<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>');
    expect(await fieldError('content').textContent()).toBe('');
  });

  it('a list deleted in Sugar meanwhile: named once at the lists, still ticked and marked', async () => {
    await bs.sugar.request('DELETE', `/ProspectLists/${tempList}`);
    await press(drawer().locator('.leadfwd-step-tab[data-step="review"]'));
    await fieldError('lists').filter({ hasText: 'These lists no longer exist in Sugar: Temporary list' }).waitFor();
    expect(await current()).toBe('audience');
    expect(await said('These lists no longer exist in Sugar')).toBe(1);
    expect(await errorAlerts()).toEqual([]);
    const row = drawer().locator(`input[name="targetList"][value="${tempList}"]`);
    expect(await row.isChecked()).toBe(true);
    expect(await row.getAttribute('aria-invalid')).toBe('true');
    expect(
      await drawer()
        .locator(`label[for="${await row.getAttribute('id')}"]`)
        .textContent(),
    ).toMatch(/^Temporary list .*\(deleted in Sugar\)$/);
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', subject: 'Hello from the keyboard' });
    await row.uncheck();
    await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`).check();
    expect(await fieldError('lists').textContent()).toBe('');
  });

  it('names the field the service refuses: a From address outside its sender domains', async () => {
    await press(drawer().locator('.leadfwd-step-tab[data-step="settings"]'));
    const from = drawer().locator('input[name="fromEmail"]');
    const before = await from.inputValue();
    await from.fill('ceo@bigcorp.example');
    await press(drawer().locator('.leadfwd-review-button'));
    await fieldError('fromEmail').filter({ hasText: 'LeadFWD does not send from this address' }).waitFor();
    expect(await current()).toBe('settings');
    expect(await fieldError('fromEmail').textContent()).toMatch(/Use an address on one of its sender domains: .*news\.example\.test/);
    expect(await said('LeadFWD does not send from this address')).toBe(1);
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await from.fill(before);
    expect(await fieldError('fromEmail').textContent()).toBe('');
  });

  it('says once when Sugar refuses the session, and recovers once Sidecar refreshes an expired token', async () => {
    await press(drawer().locator('.leadfwd-step-tab[data-step="content"]'));
    const saved = await page.evaluate(() => ({ refresh: (window as any).SUGAR.App.api.getRefreshToken() }));
    await page.evaluate(() => (window as any).SUGAR.App.api.setTokens('expired-access-token', 'revoked-refresh-token'));
    await press(drawer().locator('.leadfwd-preview-button'));
    await message().filter({ hasText: 'did not accept your Sugar session' }).waitFor();
    expect(await said('did not accept your Sugar session')).toBe(1);
    expect(await errorAlerts()).toEqual([]);
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', subject: 'Hello from the keyboard' });

    // Only the access token has expired: Sugar answers 401 to the relay call, Sidecar refreshes and replays it.
    await page.evaluate((r) => (window as any).SUGAR.App.api.setTokens('expired-access-token', r), saved.refresh);
    await press(drawer().locator('.leadfwd-preview-button'));
    await drawer().locator('.leadfwd-sample-preview iframe.leadfwd-preview-frame').waitFor();
    expect(await page.evaluate(() => (window as any).SUGAR.App.api.getOAuthToken())).not.toBe('expired-access-token');
    expect(await message().isHidden()).toBe(true);
  });

  it('says once that the service cannot be reached, keeps everything, then works when it is back', async () => {
    await bs.setServiceUp(false);
    await press(drawer().locator('.leadfwd-step-tab[data-step="review"]'));
    await message().filter({ hasText: 'cannot reach the LeadFWD service' }).waitFor();
    expect(await message().textContent()).toContain('Sugar cannot reach the LeadFWD service right now. Your entries are kept');
    expect(await said('cannot reach the LeadFWD service')).toBe(1);
    expect(await errorAlerts()).toEqual([]);
    expect(await values()).toMatchObject({ name: 'Keyboard campaign', subject: 'Hello from the keyboard', lists: [DEMO_IDS.lists.newsletter] });
    await bs.shot(page, 'send-flow-service-down', '.harness-drawer form.leadfwd-send');

    await bs.setServiceUp(true);
    await press(drawer().locator('.leadfwd-step-tab[data-step="review"]'));
    await drawer().locator('.leadfwd-audit-queued').waitFor();
    expect(await message().isHidden()).toBe(true);
    expect(bs.stack.sink.messages).toHaveLength(0);
    expect(errors).toEqual([]);
  });

  it('a Confirm lost while the service is down is retried on the same reviewed campaign, never a second one', async () => {
    const reviewed = (await bs.stack.api('GET', '/campaigns')).body.campaigns.find(
      (c: { held: boolean; status: string }) => c.held && c.status !== 'cancelled',
    );
    await bs.setServiceUp(false);
    await press(drawer().locator('.leadfwd-confirm-button'));
    await message().filter({ hasText: 'cannot reach the LeadFWD service' }).waitFor();
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body).toMatchObject({ held: true, status: 'pending' });

    await bs.setServiceUp(true);
    await press(drawer().locator('.leadfwd-confirm-button'));
    await drawer().locator('.leadfwd-done:not([hidden])').waitFor();
    const { body } = await bs.stack.api('GET', '/campaigns');
    expect(body.campaigns.filter((c: { status: string }) => c.status !== 'cancelled').map((c: { id: string }) => c.id)).toEqual([reviewed.id]);
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body.held).toBe(false);
    await press(drawer().locator('.leadfwd-done .leadfwd-close'));
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body.status).not.toBe('cancelled');
  });

  it('a Confirm whose answer is lost says it may have gone; Back and Review then show it went, and prepare no second campaign', async () => {
    await press(page.locator('.leadfwd-new'));
    await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`).check();
    await press(drawer().locator('section[data-step="audience"] .leadfwd-next'));
    await drawer().locator('input[name="subject"]').fill('Answer lost');
    await press(drawer().locator('section[data-step="content"] .leadfwd-next'));
    await drawer().locator('input[name="name"]').fill('Answer lost campaign');
    await press(drawer().locator('.leadfwd-review-button'));
    await drawer().locator('.leadfwd-confirm-button:not([disabled])').waitFor();
    const ours = async () =>
      (await bs.stack.api('GET', '/campaigns')).body.campaigns.filter(
        (c: { name: string; status: string }) => c.name === 'Answer lost campaign' && c.status !== 'cancelled',
      );
    const [reviewed] = await ours();

    // The release reaches the service, its answer does not (as when Sugar's relay times out), nor does the check after.
    const path = `/leadfwd/api/campaigns/${reviewed.id}`;
    await page.route(
      (u) => String(u).includes(path),
      async (route) => {
        if (route.request().method() === 'POST') await route.fetch();
        await route.abort('timedout');
      },
    );
    await press(drawer().locator('.leadfwd-confirm-button'));
    await message().filter({ hasText: 'LeadFWD has not said whether this campaign started' }).waitFor();
    expect(await said('LeadFWD has not said whether')).toBe(1);
    expect((await bs.stack.api('GET', `/campaigns/${reviewed.id}`)).body.held).toBe(false);

    // Back, and Review again while the service still does not answer: nothing new is prepared.
    await press(drawer().locator('.leadfwd-back-button'));
    await press(drawer().locator('.leadfwd-review-button'));
    await message().filter({ hasText: 'nothing new is prepared' }).waitFor();
    expect(await ours()).toHaveLength(1);

    // Once it answers, Review shows that the campaign went, and still nothing new is prepared.
    await page.unrouteAll();
    await press(drawer().locator('.leadfwd-review-button'));
    await drawer().locator('.leadfwd-done:not([hidden])').waitFor();
    expect(await drawer().locator('.leadfwd-done-text').textContent()).toMatch(/^Answer lost campaign starts sending/);
    expect((await ours()).map((c: { id: string }) => c.id)).toEqual([reviewed.id]);
    await press(drawer().locator('.leadfwd-done .leadfwd-close'));
  });

  it('opened while the service is down: said once, Next blames nobody, and the lists come by themselves once it is back', async () => {
    await bs.setServiceUp(false);
    await press(page.locator('.leadfwd-new'));
    await message().filter({ hasText: 'The lists come by themselves as soon as it answers' }).waitFor();
    expect(await said('cannot reach the LeadFWD service')).toBe(1);
    // Next asks again at once (and is answered as the first was), instead of judging the empty form.
    const askedAgain = page.waitForResponse((r) => /\/leadfwd\/api\/me\b/.test(r.url()));
    await press(drawer().locator('section[data-step="audience"] .leadfwd-next'));
    await askedAgain;
    await message().filter({ hasText: 'The lists come by themselves' }).waitFor();
    expect(await said('Choose at least one target list or LeadFWD list.')).toBe(0);
    expect(await current()).toBe('audience');
    await bs.setServiceUp(true);
    // Nobody presses anything: the flow asks again (5 s after the first failure, 10 s after the second, 20 s after a
    // third on a machine slow enough that the first try by itself came before Next).
    await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`).waitFor({ timeout: 35_000 });
    expect(await message().isHidden()).toBe(true);
    await press(drawer().locator('.leadfwd-close').first());
  }, 60_000);
});
