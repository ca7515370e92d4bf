// Issue 17 in headless Chromium, as sally: on a sent campaign's report she plans a follow-up to the people who did
// not open it, told how many opened only through Apple Mail Privacy Protection and asked to choose about them; on an
// A/B test variant's report she sees each variant's people's opens and clicks side by side and, with no winner yet,
// chooses one by hand. axe-core on each state; screenshots in test-output/sidecar-ui/.

import type { Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { campaignBody, createCampaign, untilCampaign } from '../support/campaigns.js';
import { relayAs } from '../support/relay.js';
import { createListOf } from '../support/sugar-seed.js';
import { HUMAN_UA } from '../writeback/helpers.js';
import { openSendFlow } from './area-locators.js';
import { alerts, axeViolations, type BrowserStack, press, startBrowserStack, until } from './browser-stack.js';

let bs: BrowserStack;
let page: Page;
let sally: Awaited<ReturnType<typeof relayAs>>;
let listId: string;
let sentId: string;
let abTest: { variants: Array<{ campaignId: string }> };

const area = () => page.locator('.leadfwd-area');
const untilSent = (id: string) => untilCampaign(bs.stack.api, id, 'sent', `${id} sent`, 30_000);
const report = (id: string) => page.goto(`${bs.harness.url}#Home/layout/leadfwd-campaign-report?campaign=${id}`);

beforeAll(async () => {
  bs = await startBrowserStack({ env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  const names = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal'];
  listId = await createListOf(
    bs.sugar,
    'Features',
    names.map((n) => ({ first_name: n, emails: [{ address: `${n}@example.org` }] })),
  );
  sally = await relayAs(bs.stack, 'sally');
  sentId = await createCampaign(
    sally,
    campaignBody([listId], {
      name: 'Autumn offer',
      subject: 'Autumn offer',
      fromName: 'Sally',
      fromEmail: 'sally@example.com',
      html: '<p>Hi {{ first_name }}</p>',
    }),
  );
  await untilSent(sentId);
  const pixel = async (to: string) => {
    const html = (await PostalMime.parse(bs.stack.sink.messages.find((m) => m.envelope.to[0] === to)!.raw)).html ?? '';
    return /src="([^"]*\/t\/o\/[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
  };
  await fetch(await pixel('ann@example.org'), { headers: { 'User-Agent': HUMAN_UA } });
  await fetch(await pixel('ben@example.org'), { headers: { 'User-Agent': 'Mozilla/5.0', 'X-Forwarded-For': '17.58.1.2' } });
  // The A/B test is made before sally's page logs her in: a second session on one platform would end the relay's.
  const t = await sally('POST', '/ab-tests', {
    name: 'Winter',
    subject: 'x',
    fromName: 'Sally',
    fromEmail: 'sally@example.com',
    html: '<p>Hi</p>',
    targetListIds: [listId],
    abTest: { variants: [{ subject: 'Winter A' }, { subject: 'Winter B' }], testShare: 0.9, metric: 'clicks', decideAfterHours: 24 },
  });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  abTest = t.body;
  for (const v of t.body.variants) await untilSent(v.campaignId);
  ({ page } = await bs.open('sally'));
}, 120_000);
afterAll(async () => {
  await bs?.close();
});

describe('the report of a sent campaign', () => {
  it('offers a follow-up to non-openers, with the Apple MPP-only openers as a choice the person makes', async () => {
    await report(sentId);
    const fu = area().locator('.leadfwd-report-follow-up');
    await fu.locator('.leadfwd-fu-counts').waitFor();
    await until(page, 'the counts', () => /Of 8 accepted/.test(document.querySelector('.leadfwd-fu-counts')?.textContent ?? ''), null);
    expect(await fu.locator('.leadfwd-fu-counts').textContent()).toBe(
      'Of 8 accepted messages: opened by people 1; not opened 6; opened only by Apple Mail Privacy Protection 1 (nobody knows whether those were read).',
    );
    expect(await fu.locator('.leadfwd-fu-mpp legend').textContent()).toBe('The 1 opened only by Apple Mail Privacy Protection');
    expect(await fu.locator('.leadfwd-fu-subject').inputValue()).toBe('In case you missed it: Autumn offer');
    expect(await axeViolations(page, '.leadfwd-area')).toEqual([]);
    await bs.shot(page, 'report-follow-up', '.leadfwd-report-follow-up');

    // Not without the choice.
    await press(fu.locator('.leadfwd-fu-create'));
    await until(
      page,
      'the warning',
      () => /Apple Mail Privacy Protection get the follow-up/.test(document.querySelector('.leadfwd-message')?.textContent ?? ''),
      null,
    );
    // Also at the question, far below the page's message.
    expect(await fu.locator('.leadfwd-fu-mpp .leadfwd-fu-mpp-error').textContent()).toMatch(/Apple Mail Privacy Protection get the follow-up/);
    await fu.locator('input.leadfwd-fu-mpp[value="exclude"]').check();
    await fu.locator('.leadfwd-fu-days').fill('2');
    await press(fu.locator('.leadfwd-fu-create'));
    await fu.locator('.leadfwd-fu-link a').waitFor();
    expect(await fu.locator('.leadfwd-fu-mpp-error').count()).toBe(0);
    expect(await fu.locator('.leadfwd-fu-create').isDisabled()).toBe(true); // planned once
    expect((await alerts(page)).pop()).toMatchObject({
      level: 'success',
      messages: expect.stringContaining('The follow-up "Autumn offer – follow-up" goes on'),
    });
    const made = (await bs.stack.api('GET', '/campaigns?q=follow-up')).body.campaigns[0];
    expect(made).toMatchObject({
      name: 'Autumn offer – follow-up',
      subject: 'In case you missed it: Autumn offer',
      followUpOf: { campaignId: sentId, criterion: 'not_opened', mppOnly: 'exclude' },
    });
    expect(await axeViolations(page, '.leadfwd-area')).toEqual([]);
  }, 60_000);
});

describe('the report of an A/B test variant', () => {
  it("shows each variant's people's results side by side and lets sally choose the winner while there is none", async () => {
    await report(abTest.variants[0].campaignId);
    const ab = area().locator('.leadfwd-report-ab-test');
    await ab.locator('table.leadfwd-ab-table').waitFor();
    expect(await ab.locator('tbody tr').count()).toBe(2);
    expect(await ab.locator('tbody tr th').allTextContents()).toEqual(['A', 'B']);
    expect(await ab.locator('.leadfwd-ab-state').textContent()).toMatch(/^The winner is chosen on .* by people's clicks, or by you before\.$/);
    expect(await area().locator('.leadfwd-report-follow-up').isVisible()).toBe(false); // a variant is followed up through its test
    expect(await axeViolations(page, '.leadfwd-area')).toEqual([]);
    await bs.shot(page, 'report-ab-test', '.leadfwd-report-ab-test');

    await press(ab.locator('tbody tr[data-variant="1"] .leadfwd-ab-choose'));
    expect((await alerts(page)).pop()).toMatchObject({ level: 'confirmation', messages: expect.stringContaining('Send variant B to the rest') });
    await page.locator('#alerts .harness-confirm').click();
    await until(page, 'the winner', () => /Variant B won/.test(document.querySelector('.leadfwd-ab-state')?.textContent ?? ''), null);
    expect(await ab.locator('.leadfwd-ab-state').textContent()).toBe('Variant B won (sally); the rest of the audience gets it.');
    expect(await ab.locator('.leadfwd-ab-choose').count()).toBe(0);
    await ab.locator('.leadfwd-ab-rest a').waitFor();
    expect(await axeViolations(page, '.leadfwd-area')).toEqual([]);
    await bs.shot(page, 'report-ab-test-chosen', '.leadfwd-report-ab-test');
  }, 60_000);
});

describe('the send flow', () => {
  it("offers sally's own saved filters and the reports as the audience, and goes on with a saved filter alone", async () => {
    await openSendFlow(page, bs.harness.url, DEMO_IDS.campaigns.spring);
    const drawer = page.locator('.harness-drawer form.leadfwd-send');
    const filter = drawer.locator(`input[name="savedFilter"][value="${DEMO_IDS.filters.emeaContacts}"]`);
    await filter.waitFor();
    const labelOf = async (name: string, id: string) => drawer.locator(`label[for$="-${name}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}"]`).textContent();
    expect(await labelOf('savedFilter', DEMO_IDS.filters.emeaContacts)).toBe('EMEA contacts (saved filter of Contacts)');
    expect(await labelOf('savedReport', DEMO_IDS.reports.goldContacts)).toBe('Gold loyalty contacts (report of Contacts)');
    expect(await drawer.locator(`input[name="savedFilter"][value="${DEMO_IDS.filters.adminOnly}"]`).count()).toBe(0); // not hers
    const ticked = drawer.locator('input[name="targetList"]:checked');
    while ((await ticked.count()) > 0) await ticked.first().uncheck();
    await filter.check();
    expect(await axeViolations(page, '.harness-drawer form.leadfwd-send')).toEqual([]);
    await bs.shot(page, 'send-flow-saved-audiences', '.harness-drawer form.leadfwd-send');
    await press(drawer.locator('section[data-step="audience"] .leadfwd-next'));
    expect(await drawer.locator('.leadfwd-step-tab[aria-current="step"]').getAttribute('data-step')).toBe('content');

    // Content from a Sugar Email Template: its variables become merge fields; what cannot be, is listed first.
    const templates = drawer.locator('.leadfwd-templates');
    await templates.locator(`select[name="sugarTemplate"] option[value="${DEMO_IDS.emailTemplates.welcome}"]`).waitFor({ state: 'attached' });
    await templates.locator('select[name="sugarTemplate"]').selectOption(DEMO_IDS.emailTemplates.welcome);
    await press(templates.locator('.leadfwd-tpl-use'));
    await until(page, 'the template in the form', () => /Welcome/.test(document.querySelector('.leadfwd-tpl-report')?.textContent ?? ''), null);
    expect(await drawer.locator('input[name="subject"]').inputValue()).toBe('Welcome, {{ first_name }}');
    expect(await drawer.locator('textarea[name="content"]').inputValue()).toContain('{{ account_name }}');
    expect(await axeViolations(page, '.harness-drawer form.leadfwd-send')).toEqual([]);
    await bs.shot(page, 'send-flow-template', '.harness-drawer form.leadfwd-send .leadfwd-templates');

    // And back: what is written, saved as sally's own Sugar Email Template.
    await drawer.locator('input[name="subject"]').fill('Autumn for {{ first_name | upcase }}');
    await press(templates.locator('.leadfwd-tpl-save'));
    await until(page, 'the template saved', () => /Saved in Sugar/.test(document.querySelector('.leadfwd-tpl-report')?.textContent ?? ''), null);
    expect(await templates.locator('.leadfwd-tpl-unmapped li').first().textContent()).toContain('{{ first_name | upcase }}');
    const saved = (await bs.sugar.get<{ records: Array<{ subject: string; created_by: string }> }>('/EmailTemplates', { max_num: 100 })).records;
    expect(saved.find((x) => x.subject === 'Autumn for $contact_first_name')).toMatchObject({ created_by: 'seed_sally_id' });

    // Settings: at 09:00 local time; the Review tells how many go when, before anything goes.
    await drawer.locator('input[name="subject"]').fill('Autumn for {{ first_name }}');
    await press(drawer.locator('section[data-step="content"] .leadfwd-next'));
    const settings = drawer.locator('section[data-step="settings"]');
    await settings.locator('input[name="localTime"]').check();
    await settings.locator('input[name="localZone"]').fill('America/New_York');
    expect(await axeViolations(page, '.harness-drawer form.leadfwd-send')).toEqual([]);
    await press(settings.locator('.leadfwd-review-button'));
    const plan = drawer.locator('table.leadfwd-local-times');
    await plan.waitFor({ timeout: 30_000 });
    expect(await drawer.locator('.leadfwd-summary-lists').textContent()).toBe('EMEA contacts');
    const rows = await plan.locator('tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /America\/New_York \(no time zone on the record\)\d{4}-\d\d-\d\d 1[34]:00 UTC\d+$/.test(r))).toBe(true);
    const held = (await bs.stack.api('GET', '/campaigns?held=true')).body.campaigns[0];
    expect(held).toMatchObject({ localTime: { at: '09:00', timeZone: 'America/New_York' }, audiences: [{ kind: 'saved_filter', name: 'EMEA contacts' }] });
    expect(await axeViolations(page, '.harness-drawer form.leadfwd-send')).toEqual([]);
    await bs.shot(page, 'send-flow-local-times', '.harness-drawer form.leadfwd-send');
  }, 90_000);
});
