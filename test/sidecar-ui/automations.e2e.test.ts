// Issue 7 and issue 13 in headless Chromium: an automation created through the API enrols a Sugar list and sends
// its first email; the dashlet shows it as ONE line — status, enrolments, what its emails did — with Pause, Resume and
// Stop, and its step campaigns are not listed as campaigns of their own. When only the automations part of the
// service fails, the dashlet says so in that section and keeps the campaigns.

import type { Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { waitFor } from '../support/stack.js';
import { addToList, createList } from '../support/sugar-seed.js';
import { alerts, axeViolations, type BrowserStack, press, until, useBrowserStack } from './browser-stack.js';

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const email = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@news.example.test', html: `<p>${name}</p>` });
let bs: BrowserStack;
let page: Page;
let errors: string[];
let automationId = '';

useBrowserStack(
  { env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' } },
  async (b) => {
    bs = b;
    const list = await createList(bs.sugar, 'Automation list');
    await addToList(bs.sugar, list, 'Contacts', DEMO_IDS.contacts.slice(0, 3));
    const created = await bs.stack.api('POST', '/automations', {
      name: 'Welcome series',
      targetListIds: [list],
      steps: [email('Welcome'), { type: 'wait', duration: 'P2D' }, email('Follow-up')],
    });
    expect(created.status).toBe(201);
    automationId = created.body.id;
    ({ page, errors } = await bs.open('sally'));
  },
  60_000,
);

const card = () => page.locator(`.leadfwd-automation[data-automation-id="${automationId}"]`);
const view = async () => (await bs.stack.api('GET', `/automations/${automationId}`)).body;
/** Waits until the automation's line in the page shows `status`. */
const untilLine = (status: string, what: string) =>
  until(page, what, ([id, s]) => document.querySelector(`.leadfwd-automation[data-automation-id="${id}"]`)?.getAttribute('data-status') === s, [
    automationId,
    status,
  ]);

describe('Automations in the dashlet', () => {
  it("shows the automation as one line with its enrolments and its emails' figures; its step campaigns are not separate cards", async () => {
    const v = await waitFor(
      async () => {
        const b = await view();
        return b.steps[0].passed > 0 && b.steps[0].passed === b.enrolments.active && b.steps[0].delivery?.accepted === b.steps[0].passed ? b : undefined;
      },
      'the first email sent to every enrolled target',
      30_000,
    );
    const n = v.steps[0].passed as number;
    expect(bs.stack.sink.messages).toHaveLength(n);

    await page.goto(`${bs.harness.url}#Home`);
    await card().waitFor();
    await until(
      page,
      `${n} sent`,
      ([id, k]) =>
        (document.querySelector(`.leadfwd-automation[data-automation-id="${id}"] .leadfwd-automation-totals`)?.textContent ?? '').includes(`${k} sent`),
      [automationId, n] as const,
    );
    expect(await card().locator('.leadfwd-automation-name').textContent()).toBe('Welcome series');
    expect(await card().locator('.leadfwd-status-label').textContent()).toBe('Active');
    expect(await card().locator('.leadfwd-enrolments').textContent()).toBe(`Enrolled: ${n} in progress, 0 finished, 0 left`);
    expect(await card().locator('.leadfwd-automation-totals').textContent()).toBe(`2 emails: ${n} sent, 0 opened, 0 clicked`);
    // The step's campaign belongs to the automation: no card of its own, no "Sending" stuck in the campaign list.
    expect(await page.locator(`.leadfwd-campaign[data-campaign-id="${v.steps[0].campaignId}"]`).count()).toBe(0);
    expect(await page.locator('.leadfwd-campaign-list').textContent()).toContain('No LeadFWD campaigns here yet.');
    expect(await card().locator('button').allTextContents()).toEqual(['Pause', 'Stop']);
  });

  it('counts a person opening the first email on the next refresh', async () => {
    const mail = bs.stack.sink.messages[0];
    const html = (await PostalMime.parse(mail.raw)).html ?? '';
    const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9._~-]+/.exec(html)![0];
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => (await view()).steps[0].engagement?.opened === 1 || undefined, 'the open in the automation view');
    await press(page.locator('.leadfwd-refresh'));
    await until(
      page,
      'the open in the dashlet',
      (id) => /, 1 opened,/.test(document.querySelector(`.leadfwd-automation[data-automation-id="${id}"] .leadfwd-automation-totals`)?.textContent ?? ''),
      automationId,
    );
    expect(await axeViolations(page, '.harness-dashlet')).toEqual([]);
    await bs.shot(page, 'dashlet-automations', '.harness-dashlet');
    expect(errors).toEqual([]);
  });

  it('pauses, resumes and, once confirmed, stops the automation from its line', async () => {
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/leadfwd\/api\/automations\/[^/]+\/\w+$/.test(r.url())) posted.push(r.url().split('/').pop()!);
    });
    // A double click pauses once: a second command would be refused, "moved on meanwhile", after the first worked.
    await card().locator('.leadfwd-automation-pause').dblclick();
    await untilLine('paused', 'paused');
    expect((await view()).status).toBe('paused');
    expect(await card().locator('.leadfwd-status-label').textContent()).toBe('Paused');
    expect(await card().locator('button').allTextContents()).toEqual(['Resume', 'Stop']);
    expect(posted).toEqual(['pause']);

    // The service away: Resume says so once, in Sugar's alert, not a second time in the dashlet.
    await bs.setServiceUp(false);
    await press(card().locator('.leadfwd-automation-resume'));
    await expect
      .poll(async () => (await alerts(page)).filter((a) => a.level === 'error').map((a) => a.messages))
      .toEqual([expect.stringContaining('cannot reach the LeadFWD service')]);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect(await page.locator('.harness-dashlet').textContent()).not.toContain('cannot reach the LeadFWD service');
    await bs.setServiceUp(true);
    await page.evaluate(() => ((window as unknown as { __leadfwdAlerts: unknown[] }).__leadfwdAlerts.length = 0));
    await press(card().locator('.leadfwd-automation-resume'));
    await untilLine('active', 'active again');
    expect((await view()).status).toBe('active');
    await press(card().locator('.leadfwd-automation-stop'));
    const ask = (await alerts(page)).pop()!;
    expect(ask).toMatchObject({ level: 'confirmation', messages: expect.stringContaining('Stop Welcome series?') });
    expect((await view()).status).toBe('active');
    await page.locator('#alerts .harness-confirm').click();
    await untilLine('stopped', 'stopped');
    expect((await view()).status).toBe('stopped');
    expect(await card().locator('button').count()).toBe(0);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
  });

  it('says in its own section when the automations cannot be read, and keeps the rest of the dashlet', async () => {
    // Sugar's relay answers the service's 503 inside its 200 envelope.
    await page.route(
      (url) => url.pathname.endsWith('/leadfwd/api/automations'),
      async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const real = await route.fetch();
        const body = JSON.stringify({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'store_unavailable', message: 'Store busy' }),
        });
        await route.fulfill({ response: real, status: 200, body });
      },
    );
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
