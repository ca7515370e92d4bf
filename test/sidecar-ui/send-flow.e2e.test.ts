// Issue 6 "Must show", end to end in headless Chromium: a Sugar user opens a legacy (BWC) Campaign, clicks
// "Send via LeadFWD", picks lists and a merge field, previews, reviews the service's audit, sends a test,
// confirms; the campaign goes to the SMTP sink and the dashlet shows its progress, audit and results,
// which update when a recipient opens the message.
// Issue 11: all of it under Sugar 12's Content-Security-Policy (connect-src 'self'), every call through Sugar's relay
// (the package's PHP, which calls the service with cURL): the page never asks the service's origin for anything.
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { waitFor } from '../support/stack.js';
import { alerts, cspViolations, press, startBrowserStack, until, type BrowserStack } from './browser-stack.js';

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
let bs: BrowserStack;
let page: Page;
let errors: string[];
let requests: string[];

beforeAll(async () => {
  // Opens within the bot window would count as machine opens; a test reads mail faster than a person.
  bs = await startBrowserStack({ env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' } });
  ({ page, errors, requests } = await bs.open('sally'));
}, 60_000);
afterAll(async () => { await bs?.close(); });

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');

describe('Send via LeadFWD from a legacy Campaign detail view', () => {
  let campaignId = '';
  let reviewedId = '';

  it('adds the button inside the BWC page and opens the send flow in the parent app, lists preselected', async () => {
    await page.goto(`${bs.harness.url}#Campaigns/${DEMO_IDS.campaigns.spring}`);
    const frame = page.frameLocator('iframe.harness-bwc');
    await frame.locator('input.leadfwd-bwc-send').waitFor();
    await bs.shot(page, 'bwc-send-button', 'iframe.harness-bwc');
    await frame.locator('input.leadfwd-bwc-send').click();
    await drawer().waitFor();
    // The drawer's heading has focus, so keyboard users start at the top of the flow.
    await page.waitForFunction(() => document.activeElement?.classList.contains('leadfwd-title'));
    const newsletter = drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`);
    await newsletter.waitFor();
    expect(await newsletter.isChecked()).toBe(true);
    expect(await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.tradeShow}"]`).isChecked()).toBe(true);
    // Test and exempt lists are not offered as recipients; the exempt ones linked to the campaign are named.
    expect(await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.test}"]`).count()).toBe(0);
    expect(await drawer().locator('.leadfwd-exempt-note').textContent()).toMatch(/Exempt lists linked to this campaign apply automatically/);
    expect(await drawer().locator('input[name="name"]').inputValue()).toBe('Spring Newsletter');
  });

  it('previews the message as the service renders it, with merge fields filled', async () => {
    await drawer().locator('input[name="mergeField"][value="region_c"]').check();
    await drawer().locator('input[name="subject"]').fill('Spring news for {{ first_name | default: "you" }}');
    await press(drawer().locator('.leadfwd-preview-button'));
    const frame = drawer().locator('iframe.leadfwd-preview-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('Hello Sam');
    // Rendered, not only set: the page's Content-Security-Policy lets the sandboxed srcdoc frame show.
    await page.frameLocator('iframe.leadfwd-preview-frame').locator('h1', { hasText: 'Hello Sam' }).waitFor();
    expect(await drawer().locator('.leadfwd-preview').textContent()).toContain('Spring news for Sam');
    await page.setViewportSize({ width: 1280, height: 2200 });
    await bs.shot(page, 'send-flow-compose', '.harness-drawer form.leadfwd-send');
  });

  it('shows the audit the service computed before anything is sent, and sends a test outside the campaign', async () => {
    await press(drawer().locator('.leadfwd-review-button'));
    const queued = drawer().locator('.leadfwd-audit-queued');
    await queued.waitFor();
    const { body } = await bs.stack.api('GET', '/campaigns');
    const rehearsal = body.campaigns.find((c: { held: boolean }) => c.held);
    expect(rehearsal.status).toBe('pending');
    reviewedId = rehearsal.id;
    expect(Number(await queued.textContent())).toBe(rehearsal.audit.queued);
    expect(Number(await drawer().locator('.leadfwd-audit-candidates').textContent())).toBe(rehearsal.audit.candidates);
    expect(rehearsal.audit.queued).toBeGreaterThan(10);
    expect(await drawer().locator('.leadfwd-audit').textContent()).toMatch(/Skipped: opted out/);
    expect(bs.stack.sink.messages).toHaveLength(0);

    await drawer().locator('input[name="testAddresses"]').fill('proof.reader@example.com');
    await press(drawer().locator('.leadfwd-test-button'));
    await drawer().locator('.leadfwd-test-result p').waitFor();
    expect(await drawer().locator('.leadfwd-test-result').textContent()).toMatch(/Test sent to 1 of 1 addresses/);
    expect(bs.stack.sink.messages.map((m) => m.envelope.to).flat()).toEqual(['proof.reader@example.com']);
    await bs.shot(page, 'send-flow-review', '.harness-drawer form.leadfwd-send');
  });

  it('confirms: the reviewed campaign itself is released, from the Sugar Campaign, nothing extracted twice', async () => {
    await press(drawer().locator('.leadfwd-confirm-button'));
    await drawer().locator('.leadfwd-done:not([hidden])').waitFor();
    expect(await drawer().locator('.leadfwd-done-text').textContent()).toMatch(/Spring Newsletter starts sending/);
    const { body } = await bs.stack.api('GET', '/campaigns');
    expect(body.campaigns).toHaveLength(1);
    expect(body.campaigns[0]).toMatchObject({ id: reviewedId, held: false, name: 'Spring Newsletter', sugarCampaignId: DEMO_IDS.campaigns.spring, customFields: ['region_c'] });
    expect(body.campaigns[0].targetListIds.sort()).toEqual([DEMO_IDS.lists.newsletter, DEMO_IDS.lists.tradeShow].sort());
    expect(body.campaigns[0].history.filter((h: { status: string }) => h.status === 'extracting')).toHaveLength(1);
    campaignId = reviewedId;
    await page.setViewportSize({ width: 1280, height: 1000 });
    await press(drawer().locator('.leadfwd-done .leadfwd-close'));
    expect(await page.locator('.harness-drawer').count()).toBe(0);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
  });

  it('shows the campaign in the dashlet with live progress, audit and results that update on an open', async () => {
    await page.goto(`${bs.harness.url}#Home`);
    const card = page.locator(`.leadfwd-campaign[data-campaign-id="${campaignId}"]`);
    await card.waitFor();
    await waitFor(async () => (await bs.stack.api('GET', `/campaigns/${campaignId}`)).body.status === 'sent' || undefined, 'campaign sent', 30_000);
    await page.locator(`.leadfwd-campaign[data-campaign-id="${campaignId}"][data-status="sent"]`).waitFor();
    const view = (await bs.stack.api('GET', `/campaigns/${campaignId}`)).body;
    const sent = view.progress.accepted + view.progress.failed + view.progress.uncertain;
    expect(bs.stack.sink.messages.length).toBe(sent + 1);
    await until(page, `Sent ${sent} of ${sent}`, ([id, n]) => document.querySelector(`.leadfwd-campaign[data-campaign-id="${id}"] .leadfwd-progress-text`)?.textContent?.includes(`Sent ${n} of ${n}`), [campaignId, sent] as const);
    expect(await card.locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
    expect(await card.locator('.leadfwd-audit').textContent()).toContain(`${view.audit.queued} to receive`);
    await card.locator('.leadfwd-results').waitFor();
    expect(await card.locator('svg.leadfwd-chart').getAttribute('aria-label')).toMatch(/Delivered \d+, Opened 0/);

    // A recipient opens the message: a later refresh (every 6 s once nothing is sending) shows one person opening.
    const mail = bs.stack.sink.messages.find((m) => m.envelope.to[0] !== 'proof.reader@example.com')!;
    const html = (await PostalMime.parse(mail.raw)).html ?? '';
    const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9._~-]+/.exec(html)![0];
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => (await bs.stack.api('GET', `/campaigns/${campaignId}/report`)).body.opened.people === 1 || undefined, 'the open in the report');
    await until(page, 'the dashlet to show the open', (id) => /Opened 1/.test(document.querySelector(`.leadfwd-campaign[data-campaign-id="${id}"] svg.leadfwd-chart`)?.getAttribute('aria-label') ?? ''), campaignId, 45_000);
    expect(await card.locator('.leadfwd-results').textContent()).toMatch(/Opened \(people\)1 \(/);
    await bs.shot(page, 'dashlet', '.harness-dashlet');
    expect(errors).toEqual([]);
  }, 90_000);
});

describe('no browser call leaves Sugar', () => {
  it('everything above went to Sugar (the relay), nothing to the service\'s origin, and no policy was violated', async () => {
    expect(bs.offSugar(requests)).toEqual([]);
    const service = [bs.serviceUrl, bs.stack.service.url].map((u) => new URL(u).origin);
    expect(requests.filter((u) => service.includes(new URL(u).origin))).toEqual([]);
    expect(requests.filter((u) => u.includes('/rest/v11_1/leadfwd/api/')).length).toBeGreaterThan(10);
    expect(await cspViolations(page)).toEqual([]);
  });

  it('would notice a UI that called the service directly: the policy blocks it and the page reports it', async () => {
    const outcome = await page.evaluate((url) => fetch(`${url}/api/v1/campaigns`).then(() => 'reached', () => 'blocked'), bs.serviceUrl);
    expect(outcome).toBe('blocked');
    // Blocked before it left the browser: the violation is what tells (the request check above catches a page
    // served without the policy).
    expect(await cspViolations(page)).toEqual([`connect-src ${bs.serviceUrl}/api/v1/campaigns`]);
    expect(bs.offSugar(requests)).toEqual([]);
  });
});
