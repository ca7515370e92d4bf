// Issue 7 "a view in the Sugar dashlet listing automations with per-step results", in headless Chromium:
// an automation created through the API enrols a Sugar list, sends its first email, and the dashlet lists
// it with its enrolments and, per step, waiting / passed / sent / people who opened. When only the
// automations part of the service fails, the dashlet says so in that section and keeps the campaigns.
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { waitFor } from '../support/stack.js';
import { addToList, createList } from '../support/sugar-seed.js';
import { press, startBrowserStack, until, type BrowserStack } from './browser-stack.js';

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const email = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@news.example.test', html: `<p>${name}</p>` });
let bs: BrowserStack;
let page: Page;
let errors: string[];
let automationId = '';

beforeAll(async () => {
  bs = await startBrowserStack({ env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' } });
  const list = await createList(bs.sugar, 'Automation list');
  await addToList(bs.sugar, list, 'Contacts', DEMO_IDS.contacts.slice(0, 3));
  const created = await bs.stack.api('POST', '/automations', {
    name: 'Welcome series', targetListIds: [list], steps: [email('Welcome'), { type: 'wait', duration: 'P2D' }, email('Follow-up')],
  });
  expect(created.status).toBe(201);
  automationId = created.body.id;
  ({ page, errors } = await bs.open('sally'));
}, 60_000);
afterAll(async () => { await bs?.close(); });

const card = () => page.locator(`.leadfwd-automation[data-automation-id="${automationId}"]`);
const cells = (row: number) => card().locator('tbody tr').nth(row).locator('th, td').allTextContents();
const view = async () => (await bs.stack.api('GET', `/automations/${automationId}`)).body;

describe('Automations in the dashlet', () => {
  it('lists the automation with its enrolments and per-step results as the service counts them', async () => {
    const v = await waitFor(async () => {
      const b = await view();
      return b.steps[0].passed > 0 && b.steps[0].passed === b.enrolments.active && b.steps[0].delivery?.accepted === b.steps[0].passed ? b : undefined;
    }, 'the first email sent to every enrolled target', 30_000);
    const n = v.steps[0].passed as number;
    expect(bs.stack.sink.messages).toHaveLength(n);

    await page.goto(`${bs.harness.url}#Home`);
    await card().waitFor();
    await until(page, `Welcome sent to ${n}`, ([id, k]) => document.querySelector(`.leadfwd-automation[data-automation-id="${id}"] .leadfwd-step-sent`)?.textContent === String(k), [automationId, n] as const);
    expect(await card().locator('.leadfwd-automation-name').textContent()).toBe('Welcome series');
    expect(await card().locator('.leadfwd-badge').textContent()).toBe('Active');
    expect(await card().locator('.leadfwd-enrolments').textContent()).toBe(`Enrolled: ${n} in progress, 0 finished, 0 left`);
    expect(await card().locator('thead th').allTextContents()).toEqual(['Step', 'Waiting', 'Passed', 'Sent', 'Opened', 'Clicked']);
    expect(await cells(0)).toEqual(['Welcome', '0', String(n), String(n), '0', '0']);
    expect(await cells(1)).toEqual(['Wait 2 d', String(n), '-', '-', '-', '-']);
    expect(await cells(2)).toEqual(['Follow-up', '0', '0', '0', '0', '0']);

    // The step's own campaign card names its automation and offers no pause or cancel of its own.
    const stepCard = page.locator(`.leadfwd-campaign[data-campaign-id="${v.steps[0].campaignId}"]`);
    await stepCard.waitFor();
    expect(await stepCard.locator('.leadfwd-automation-step').textContent()).toBe('Sends a step of the automation Welcome series; pause or stop it there');
    expect(await stepCard.locator('.leadfwd-actions button').count()).toBe(0);
  });

  it('counts a person opening the first email on the next refresh', async () => {
    const mail = bs.stack.sink.messages[0];
    const html = (await PostalMime.parse(mail.raw)).html ?? '';
    const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9._~-]+/.exec(html)![0];
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => (await view()).steps[0].engagement?.opened === 1 || undefined, 'the open in the automation view');
    await press(page.locator('.leadfwd-refresh'));
    await until(page, 'the open in the dashlet', (id) => document.querySelector(`.leadfwd-automation[data-automation-id="${id}"] .leadfwd-step-opened`)?.textContent === '1', automationId);
    await bs.shot(page, 'dashlet-automations', '.harness-dashlet');
    expect(errors).toEqual([]);
  });

  it('says in its own section when the automations cannot be read, and keeps the rest of the dashlet', async () => {
    // Sugar's relay answers the service's 503 inside its 200 envelope.
    await page.route((url) => url.pathname.endsWith('/leadfwd/api/automations'), async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const real = await route.fetch();
      const body = JSON.stringify({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'store_unavailable', message: 'Store busy' }) });
      await route.fulfill({ response: real, status: 200, body });
    });
    await press(page.locator('.leadfwd-refresh'));
    const message = page.locator('.leadfwd-automations-message');
    await until(page, 'the automations error', () => /cannot be shown/.test(document.querySelector('.leadfwd-automations-message')?.textContent ?? ''), null);
    expect(await message.textContent()).toMatch(/^Automations cannot be shown: LeadFWD or Sugar is busy or unavailable/);
    expect(await page.locator('.leadfwd-dashlet > .leadfwd-message').textContent()).toBe('');
    await page.unrouteAll();
    await press(page.locator('.leadfwd-refresh'));
    await card().waitFor();
    expect(await message.textContent()).toBe('');
    expect(errors).toEqual([]);
  });
});
