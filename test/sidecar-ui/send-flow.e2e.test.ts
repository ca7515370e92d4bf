// Issue 13, in headless Chromium as a marketer would: from a legacy (BWC) Campaign, "Send via LeadFWD" opens the send
// flow as four steps. Audience (the Campaign's lists preselected), Content (a merge field inserted from Sugar's labels
// with a default, the format switched to MJML and back, each time converted, a sample preview at desktop and mobile
// width), Settings, Review (the service's audit, the real message of a recipient chosen from it with their merge
// values and tracking links, the rendered subject, a test send), Confirm. The campaign goes to the SMTP sink; real
// clicks and opens on the sink's mail show in the dashlet's figures and chart and on the report page's per-link table.
// Under Sugar 12's Content-Security-Policy, every call through Sugar's relay; axe-core finds nothing serious.

import type { Page, Request } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { untilCampaign } from '../support/campaigns.js';
import { waitFor } from '../support/stack.js';
import { openSendFlow } from './area-locators.js';
import { alerts, axeViolations, type BrowserStack, cspViolations, press, startBrowserStack, until } from './browser-stack.js';

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let bs: BrowserStack;
let page: Page;
let errors: string[];
let requests: string[];

beforeAll(async () => {
  // Opens and clicks within the bot windows would count as machines; a test reads mail faster than a person.
  bs = await startBrowserStack({ env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' } });
  ({ page, errors, requests } = await bs.open('sally'));
}, 60_000);
afterAll(async () => {
  await bs?.close();
});

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');
const step = (name: string) => drawer().locator(`section.leadfwd-step[data-step="${name}"]`);
const current = () => drawer().locator('.leadfwd-step-tab[aria-current="step"]').getAttribute('data-step');
const content = () => drawer().locator('textarea[name="content"]');
const noSerious = async (what: string) => expect(await axeViolations(page, '.harness-drawer form.leadfwd-send'), what).toEqual([]);

describe('Send via LeadFWD, step by step', () => {
  let campaignId = '';
  let chosen = { email: '', name: '' };

  it('Audience: opens from the legacy Campaign in the parent app, its lists preselected, on a step indicator', async () => {
    await openSendFlow(page, bs.harness.url, DEMO_IDS.campaigns.spring);
    await drawer().waitFor();
    await page.waitForFunction(() => document.activeElement?.classList.contains('leadfwd-title'));
    const newsletter = drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`);
    await newsletter.waitFor();
    expect(await current()).toBe('audience');
    expect(await drawer().locator('.leadfwd-step-tab').allTextContents()).toEqual(['1 Audience (current step)', '2 Content', '3 Settings', '4 Review']);
    expect(await newsletter.isChecked()).toBe(true);
    expect(await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.tradeShow}"]`).isChecked()).toBe(true);
    expect(await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.test}"]`).count()).toBe(0);
    expect(await step('audience').locator('.leadfwd-exempt-note').textContent()).toMatch(/Exempt lists linked to this campaign apply automatically/);
    expect(await step('content').isHidden()).toBe(true);
    await noSerious('audience step');
    await bs.shot(page, 'send-flow-audience', '.harness-drawer form.leadfwd-send');
    await press(step('audience').locator('.leadfwd-next'));
    expect(await current()).toBe('content');
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.id?.endsWith('-content-title'));
  });

  it('Content: inserts a merge field by its Sugar label with a default, where the cursor was', async () => {
    const field = drawer().locator('select[name="insertField"]');
    await page.waitForFunction(() => !!document.querySelector('.harness-drawer select[name="insertField"] option[value="region_c"]'));
    expect(await field.locator('option[value="region_c"]').textContent()).toBe('Region (region_c)');
    expect(await field.locator('optgroup').first().getAttribute('label')).toBe('Custom fields');
    // The subject last: the tag goes there, at the caret.
    await drawer().locator('input[name="subject"]').fill('Spring news for {{ first_name | default: "you" }} in ');
    await field.selectOption('region_c');
    await drawer().locator('input[name="insertDefault"]').fill('your region');
    await drawer().locator('input[name="subject"]').focus();
    await drawer().locator('input[name="subject"]').press('End');
    await press(drawer().locator('.leadfwd-insert-button'));
    expect(await drawer().locator('input[name="subject"]').inputValue()).toBe(
      'Spring news for {{ first_name | default: "you" }} in {{ region_c | default: "your region" }}',
    );
    // Then the content.
    await content().fill(
      '<h1>Hello {{ first_name | default: "there" }}</h1>\n<p>Region: </p>\n<p><a href="https://example.com/spring?utm_source=lf">See the spring offer</a></p>',
    );
    await content().evaluate((t: HTMLTextAreaElement) => {
      const at = t.value.indexOf('</p>');
      t.setSelectionRange(at, at);
      t.focus();
    });
    await drawer().locator('input[name="insertDefault"]').fill('');
    await press(drawer().locator('.leadfwd-insert-button'));
    expect(await content().inputValue()).toContain('<p>Region: {{ region_c }}</p>');
  });

  it('Content: previews a sample, custom fields showing their defaults, at desktop and mobile width with the text part', async () => {
    await press(drawer().locator('.leadfwd-preview-button'));
    const panel = step('content').locator('.leadfwd-sample-preview .leadfwd-preview-panel');
    await panel.waitFor();
    expect(await panel.locator('.leadfwd-preview-subject').textContent()).toBe('Spring news for Sam in your region');
    const frame = panel.locator('iframe.leadfwd-preview-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('.leadfwd-sample-preview iframe').locator('h1', { hasText: 'Hello Sam' }).waitFor();
    expect(await frame.getAttribute('srcdoc')).not.toContain('[region_c]');
    const desktop = await frame.evaluate((f) => f.getBoundingClientRect().width);
    await press(panel.locator('.leadfwd-width-mobile'));
    const mobileFrame = step('content').locator('.leadfwd-preview-mobile iframe');
    await mobileFrame.waitFor();
    expect(await step('content').locator('.leadfwd-width-mobile').getAttribute('aria-pressed')).toBe('true');
    const mobile = await mobileFrame.evaluate((f) => f.getBoundingClientRect().width);
    expect(mobile).toBeLessThan(400);
    expect(desktop).toBeGreaterThan(mobile + 200);
    await step('content').locator('.leadfwd-preview-text summary').click();
    expect(await step('content').locator('.leadfwd-preview-text-body').textContent()).toMatch(/HELLO SAM|Hello Sam/);
    await noSerious('content step');
    await bs.shot(page, 'send-flow-content', '.harness-drawer form.leadfwd-send', { viewport: { width: 1280, height: 1700 } });
  });

  it('Content: switching the format converts the content, both ways, and never keeps the wrong source', async () => {
    await drawer().locator('input[name="format"][value="mjml"]').check();
    await page.waitForFunction(() => /^<mjml>/.test((document.querySelector('.harness-drawer textarea[name="content"]') as HTMLTextAreaElement).value));
    expect(await content().inputValue()).toContain('<mj-text>\n<h1>Hello {{ first_name | default: "there" }}</h1>');
    expect(await drawer().locator('.leadfwd-format-note').textContent()).toMatch(/your HTML now sits in one MJML text block/);
    await drawer().locator('input[name="format"][value="html"]').check();
    await page.waitForFunction(() =>
      /^<!doctype html>/i.test((document.querySelector('.harness-drawer textarea[name="content"]') as HTMLTextAreaElement).value),
    );
    const html = await content().inputValue();
    expect(html).toContain('Hello {{ first_name | default: "there" }}');
    expect(html).toContain('{{ region_c }}');
    expect(html).not.toContain('<mj-');
    expect(await drawer().locator('.leadfwd-format-note').textContent()).toMatch(/MJML compiled your content to HTML; your merge tags are kept/);
    await press(step('content').locator('.leadfwd-next'));
    expect(await current()).toBe('settings');
  });

  it("Settings: the Campaign's name and the user's address are filled; the schedule field names the Sugar time zone", async () => {
    expect(await drawer().locator('input[name="name"]').inputValue()).toBe('Spring Newsletter');
    expect(await drawer().locator('input[name="fromEmail"]').inputValue()).toBe('sally@example.com');
    expect(await step('settings').locator('label[for$="-sendAtLocal"]').textContent()).toContain('(Europe/Berlin)');
    await noSerious('settings step');
  });

  it("Review: the service's audit, a chosen recipient's real message and subject, before anything is sent", async () => {
    await press(step('settings').locator('.leadfwd-review-button'));
    const queued = drawer().locator('.leadfwd-audit-queued');
    await queued.waitFor();
    expect(await current()).toBe('review');
    const { body } = await bs.stack.api('GET', '/campaigns');
    const held = body.campaigns.find((c: { held: boolean }) => c.held);
    expect(held.status).toBe('pending');
    campaignId = held.id;
    expect(held.customFields).toEqual(['region_c']);
    expect(Number(await queued.textContent())).toBe(held.audit.queued);
    expect(await drawer().locator('.leadfwd-audit').textContent()).toMatch(/Skipped: opted out/);
    expect(await drawer().locator('.leadfwd-summary-from').textContent()).toBe('Sally Bronsen <sally@example.com>');
    expect(await drawer().locator('.leadfwd-summary-lists').textContent()).toBe('Newsletter Subscribers, Trade Show Leads');
    expect(await drawer().locator('.leadfwd-summary-schedule').textContent()).toBe('Send as soon as the targets are counted');

    // The recipients the audit queued; the second one is previewed on request.
    const select = drawer().locator('select[name="recipient"]');
    await page.waitForFunction(
      () => ((document.querySelector('.harness-drawer select[name="recipient"]') as HTMLSelectElement | null)?.options.length ?? 0) > 1,
    );
    await drawer().locator('.leadfwd-recipient-preview .leadfwd-preview-panel').waitFor();
    const second = await select.locator('option').nth(1).getAttribute('value');
    const label = (await select.locator('option').nth(1).textContent())!;
    await select.selectOption(second!);
    chosen = { name: label.replace(/ <.*$/, ''), email: /<([^>]+)>/.exec(label)?.[1] ?? label };
    await until(
      page,
      "the chosen recipient's preview",
      (email) => (document.querySelector('.harness-drawer .leadfwd-preview-to')?.textContent ?? '').includes(email),
      chosen.email,
    );
    // The first recipient chosen again, its preview held back until the second's, chosen after it, was answered: the
    // late answer does not replace the preview of the recipient chosen last.
    const firstRow = (await select.locator('option').nth(0).getAttribute('value'))!;
    // The relay carries the body as Sugar's app.api.call sends it: {"lf_body": "<the JSON>"}.
    const rowOf = (r: Request) => (/\/preview$/.test(r.url()) ? String(JSON.parse(JSON.parse(r.postData() ?? '{}').lf_body ?? '{}').rowId) : undefined);
    const previewOf = (row: string) => (r: Request) => rowOf(r) === row;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await page.route(/leadfwd/, async (route) => {
      if (previewOf(firstRow)(route.request())) await released;
      await route.continue();
    });
    const secondAnswered = page.waitForResponse((r) => previewOf(second!)(r.request()));
    await select.selectOption(firstRow);
    await select.selectOption(second!);
    await secondAnswered;
    const late = page.waitForResponse((r) => previewOf(firstRow)(r.request()));
    release();
    await late;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    expect(await drawer().locator('.leadfwd-preview-to').textContent()).toContain(chosen.email);
    await page.unroute(/leadfwd/);
    const srcdoc = (await drawer().locator('.leadfwd-recipient-preview iframe').getAttribute('srcdoc'))!;
    const first = chosen.name.split(' ')[0];
    expect(srcdoc).toContain(`Hello ${first}`);
    expect(srcdoc).not.toContain('{{');
    // Links lead straight where they go: none of the person's click, pixel or unsubscribe tokens, which a link copied
    // out of the preview would record against them.
    expect(srcdoc).toMatch(/href="https:\/\/[^"]+"/);
    expect(srcdoc).not.toMatch(/\/(?:t\/[oc]|u)\/[\w.-]{16,}/);
    expect(srcdoc).toContain('<base target="_blank">');
    // The subject as this recipient gets it, in the summary and with the preview.
    const subject = (await drawer().locator('.leadfwd-recipient-preview .leadfwd-preview-subject').textContent())!;
    expect(subject).toMatch(new RegExp(`^Spring news for ${first} in \\S+`));
    expect(await drawer().locator('.leadfwd-summary-subject').textContent()).toBe(`${subject} (for ${chosen.name})`);
    expect(bs.stack.sink.messages).toHaveLength(0);
    await noSerious('review step');
  });

  it('Review: a test send goes outside the campaign', async () => {
    await drawer().locator('input[name="testAddresses"]').fill('proof.reader@example.com');
    await press(drawer().locator('.leadfwd-test-button'));
    await drawer().locator('.leadfwd-test-result p').waitFor();
    expect(await drawer().locator('.leadfwd-test-result').textContent()).toMatch(/Test sent to 1 of 1 addresses/);
    expect(bs.stack.sink.messages.flatMap((m) => m.envelope.to)).toEqual(['proof.reader@example.com']);
    await bs.shot(page, 'send-flow-review', '.harness-drawer form.leadfwd-send', { viewport: { width: 1280, height: 2000 } });
  });

  it('Confirm: the reviewed campaign itself goes, and the recipient gets the message the preview showed', async () => {
    await press(drawer().locator('.leadfwd-confirm-button'));
    await drawer().locator('.leadfwd-done:not([hidden])').waitFor();
    expect(await drawer().locator('.leadfwd-done-text').textContent()).toMatch(/Spring Newsletter starts sending/);
    const { body } = await bs.stack.api('GET', '/campaigns');
    expect(body.campaigns).toHaveLength(1);
    expect(body.campaigns[0]).toMatchObject({ id: campaignId, held: false, sugarCampaignId: DEMO_IDS.campaigns.spring });
    expect(body.campaigns[0].history.filter((h: { status: string }) => h.status === 'extracting')).toHaveLength(1);
    await press(drawer().locator('.leadfwd-done .leadfwd-close'));
    expect(await page.locator('.harness-drawer').count()).toBe(0);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
    await untilCampaign(bs.stack.api, campaignId, 'sent', 'campaign sent', 30_000);
    const mail = bs.stack.sink.messages.find((m) => m.envelope.to[0] === chosen.email)!;
    const parsed = await PostalMime.parse(mail.raw);
    expect(parsed.subject).toMatch(new RegExp(`^Spring news for ${chosen.name.split(' ')[0]} in `));
    expect(parsed.html).toContain(`Hello ${chosen.name.split(' ')[0]}`);
  });

  it('Dashlet: the sent campaign with its date and figures; real clicks and opens show in figures, chart and report', async () => {
    await page.goto(`${bs.harness.url}#Home`);
    const card = page.locator(`.leadfwd-campaign[data-campaign-id="${campaignId}"][data-status="sent"]`);
    await card.waitFor();
    expect(await card.locator('.leadfwd-status-label').textContent()).toBe('Sent');
    expect(await card.locator('.leadfwd-date').textContent()).toMatch(/^Sent \S/);
    const view = (await bs.stack.api('GET', `/campaigns/${campaignId}`)).body;
    // In sally's Sugar time zone, as the area's pages say it, not the browser's (a new operator saw them an hour apart).
    const sentAt = [...view.history].reverse().find((x: { status: string }) => x.status === 'sent').at;
    const [browserZone, inBerlin] = await page.evaluate(
      (iso) => [
        Intl.DateTimeFormat().resolvedOptions().timeZone,
        new Intl.DateTimeFormat(undefined, { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
      ],
      sentAt,
    );
    expect(browserZone).not.toBe('Europe/Berlin');
    expect(await card.locator('.leadfwd-date').textContent()).toContain(inBerlin);
    // "Updated at …" too: a time of sally's in the last two minutes, as a clock in Berlin showed it.
    const updated = (await page.locator('.leadfwd-status').first().textContent()) ?? '';
    const berlinClocks = await page.evaluate(() =>
      Array.from({ length: 121 }, (_, s) => new Date(Date.now() - s * 1000).toLocaleTimeString(undefined, { timeZone: 'Europe/Berlin' })),
    );
    expect(updated).toMatch(/^Updated at /);
    expect(berlinClocks, updated).toContain(updated.replace(/^Updated at /, ''));
    await until(
      page,
      'accepted figure',
      ([id, n]) => document.querySelector(`.leadfwd-campaign[data-campaign-id="${id}"] .leadfwd-fig-accepted strong`)?.textContent === String(n),
      [campaignId, view.progress.accepted] as const,
    );

    // Two recipients act on the mail the sink holds: one clicks the tracked link (a click implies an open), one opens.
    const received = bs.stack.sink.messages.filter((m) => m.envelope.to[0] !== 'proof.reader@example.com');
    const htmlOf = async (i: number) => (await PostalMime.parse(received[i].raw)).html ?? '';
    const click = /https?:\/\/[^"'\s>]+\/t\/c\/[A-Za-z0-9._~-]+/.exec(await htmlOf(0))![0].replace(/&amp;/g, '&');
    const redirect = await fetch(click, { headers: { 'User-Agent': HUMAN_UA }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://example.com/spring?utm_source=lf');
    const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9._~-]+/.exec(await htmlOf(1))![0];
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => {
      const r = (await bs.stack.api('GET', `/campaigns/${campaignId}/report`)).body;
      return (r.opened.people === 2 && r.clicked.people === 1) || undefined;
    }, 'the click and the open in the report');
    await press(page.locator('.leadfwd-refresh'));
    await until(
      page,
      'the figures to update',
      (id) => /^2 /.test(document.querySelector(`.leadfwd-campaign[data-campaign-id="${id}"] .leadfwd-fig-opened`)?.textContent ?? ''),
      campaignId,
    );
    expect(await card.locator('.leadfwd-fig-clicked').textContent()).toMatch(/^1 \(/);
    // The chart shows the hours; its numbers are a table for screen readers, not a repeat of the figures.
    const chart = card.locator('figure.leadfwd-chart');
    await chart.waitFor();
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    expect(await chart.locator('.leadfwd-chart-plot').getAttribute('aria-hidden')).toBe('true');
    expect(await chart.locator('table thead th').allTextContents()).toEqual(['Hour', 'Opens', 'Clicks']);
    const cells = await chart.locator('table tbody tr').first().locator('td').allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(await axeViolations(page, '.harness-dashlet')).toEqual([]);
    await bs.shot(page, 'dashlet', '.harness-dashlet');

    // The name opens the campaign's page in the LeadFWD area: per-link clicks of people (bots apart).
    await card.locator('a.leadfwd-campaign-name').click();
    await page.waitForFunction(() => location.hash.startsWith('#Home/layout/leadfwd-campaign-report?campaign='));
    const links = page.locator('.leadfwd-page table.leadfwd-links');
    await links.waitFor();
    expect(await links.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['https://example.com/spring?utm_source=lf', '1', '1', '0']);
    expect(await page.locator('.leadfwd-page .leadfwd-title').textContent()).toBe('Spring Newsletter');
    expect(errors).toEqual([]);
  }, 90_000);

  it("Dashlet on a Sugar Campaign: asks the service for that Campaign's sends only, as many as it shows", async () => {
    const asked: string[] = [];
    const seen = (r: { url(): string }) => {
      const q = new URL(r.url()).searchParams.get('lf_query');
      if (r.url().includes('leadfwd/api/campaigns?') && q) asked.push(q);
    };
    page.on('request', seen);
    try {
      await page.goto(`${bs.harness.url}#Campaigns/${DEMO_IDS.campaigns.spring}/record`);
      await page.locator(`.leadfwd-campaign[data-campaign-id="${campaignId}"]`).waitFor();
      await page.goto(`${bs.harness.url}#Campaigns/${DEMO_IDS.campaigns.autumn}/record`);
      await page.locator('.leadfwd-dashlet .leadfwd-empty').waitFor();
      expect(await page.locator('.leadfwd-dashlet .leadfwd-campaign').count()).toBe(0);
    } finally {
      page.off('request', seen);
    }
    // Before, 50 full views (a count of each campaign's rows apiece) for the 5 it showed, filtered in the browser.
    expect(asked).toEqual([
      `limit=5&held=false&automation=none&sugarCampaignId=${DEMO_IDS.campaigns.spring}`,
      `limit=5&held=false&automation=none&sugarCampaignId=${DEMO_IDS.campaigns.autumn}`,
    ]);
  });

  it("Dark mode: Sugar's dark appearance (a class on the body) carries through; nothing serious for axe", async () => {
    await bs.login(page, 'sally', { theme: 'dark', hash: '#Home' });
    await page.locator(`.leadfwd-campaign[data-campaign-id="${campaignId}"] figure.leadfwd-chart canvas`).first().waitFor();
    expect(await page.evaluate(() => document.body.classList.contains('sugar-dark-theme'))).toBe(true);
    const colors = await page.evaluate(() => ({
      page: getComputedStyle(document.querySelector('.harness-dashlet')!).backgroundColor,
      text: getComputedStyle(document.querySelector('.leadfwd-dashlet')!).color,
    }));
    expect(colors.page).not.toBe('rgb(255, 255, 255)');
    expect(colors.text).not.toBe('rgb(29, 37, 48)');
    expect(await axeViolations(page, '.harness-dashlet')).toEqual([]);
    await bs.shot(page, 'dashlet-dark', '.harness-dashlet');
  });
});

describe('no browser call leaves Sugar', () => {
  it("everything above went to Sugar (the relay), nothing to the service's origin, and no policy was violated", async () => {
    expect(bs.offSugar(requests)).toEqual([]);
    const service = [bs.serviceUrl, bs.stack.service.url].map((u) => new URL(u).origin);
    expect(requests.filter((u) => service.includes(new URL(u).origin))).toEqual([]);
    expect(requests.filter((u) => u.includes('/rest/v11_1/leadfwd/api/')).length).toBeGreaterThan(10);
    expect(await cspViolations(page)).toEqual([]);
  });

  it('would notice a UI that called the service directly: the policy blocks it and the page reports it', async () => {
    const outcome = await page.evaluate(
      (url) =>
        fetch(`${url}/api/v1/campaigns`).then(
          () => 'reached',
          () => 'blocked',
        ),
      bs.serviceUrl,
    );
    expect(outcome).toBe('blocked');
    expect(await cspViolations(page)).toEqual([`connect-src ${bs.serviceUrl}/api/v1/campaigns`]);
    expect(bs.offSugar(requests)).toEqual([]);
  });
});
