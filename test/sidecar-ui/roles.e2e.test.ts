// Issue 11 in headless Chromium: every user acts with the rights Sugar gives them, and the UI says so once instead of
// failing later. dana (views Campaigns, cannot create) follows campaigns but gets no "Send via LeadFWD"; chris (no
// Campaigns) is told LeadFWD is not for him; max (owner-only edit) is offered no action on sally's campaign, and is
// refused by Sugar if its rights change under an offered one; a campaign of sally's not in Sugar yet is hers alone. And nothing a user typed becomes HTML in Sugar's alerts
// (which render HTML): a campaign named like markup stays text everywhere.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { untilCampaign } from '../support/campaigns.js';
import { relayAs } from '../support/relay.js';
import { alerts, axeViolations, type BrowserStack, cspViolations, press, startBrowserStack } from './browser-stack.js';

const EVIL = '<img src=x onerror="window.__xss=1">';
let bs: BrowserStack;
let evilId = '';
let sugarBackedId = '';

beforeAll(async () => {
  bs = await startBrowserStack({ refreshSeconds: 0 });
  const sally = await relayAs(bs.stack, 'sally');
  const markupNamed = async (extra: object = {}) => {
    const created = await sally('POST', '/campaigns', {
      name: EVIL,
      subject: 'Hello',
      fromName: 'Acme',
      fromEmail: 'news@news.example.test',
      html: '<p>Hi</p>',
      targetListIds: [DEMO_IDS.lists.newsletter],
      sendAt: '2999-01-01T00:00:00Z',
      ...extra,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  evilId = await markupNamed();
  // The same, started from a Sugar Campaign (so Sugar's record rights apply to it from the start).
  sugarBackedId = await markupNamed({ sugarCampaignId: DEMO_IDS.campaigns.spring });
  await untilCampaign(bs.stack.api, evilId, 'pending', 'the campaign counted');
  await untilCampaign(bs.stack.api, sugarBackedId, 'pending', 'the campaign counted');
}, 60_000);
afterAll(async () => {
  await bs?.close();
});

const cardOf = (p: Page, id: string) => p.locator(`.leadfwd-campaign[data-campaign-id="${id}"]`);
/** Sally's campaign started from a Sugar Campaign: Sugar's rights on that record decide who sees and changes it. */
const card = (p: Page) => cardOf(p, sugarBackedId);
/** Sally's campaign not in Sugar yet (scheduled for later): hers alone, as a record she has not saved in Sugar. */
const notInSugarYet = async (p: Page) => expect(await cardOf(p, evilId).count()).toBe(0);
const xss = (p: Page) => p.evaluate(() => (window as unknown as { __xss?: number }).__xss);
const noMarkupInAlerts = async (p: Page) => {
  expect(await p.locator('#alerts img').count()).toBe(0);
  expect(await xss(p)).toBeUndefined();
};

describe('max (may change only his own Campaigns)', () => {
  it('sees the markup-named campaign as text, with no action Sugar would refuse; an offered one Sugar then refuses is said as text', async () => {
    // Without his owner-only limit for now: Sugar lets him change sally's Campaign, so the dashlet offers Cancel.
    bs.stack.sim.setRole('max', { denied: {} });
    const { page, errors, requests, context } = await bs.open('max');
    await card(page).waitFor();
    expect(await card(page).locator('.leadfwd-campaign-name').textContent()).toBe(EVIL);
    await notInSugarYet(page);
    const offered = card(page);
    await press(offered.locator('.leadfwd-action-cancel'));
    const confirm = (await alerts(page)).pop()!;
    expect(confirm).toMatchObject({ level: 'confirmation', messages: `Cancel ${EVIL}? Messages not sent yet will not be sent.` });
    expect(confirm.html).toContain('&lt;img src&#x3D;x');
    await noMarkupInAlerts(page);
    // His role changes in Sugar meanwhile: owner-only again. Sugar refuses, and the refusal names the campaign as text.
    bs.stack.sim.setRole('max', undefined);
    await page.locator('#alerts .harness-confirm').click();
    await page.waitForFunction(() => (window as any).__leadfwdAlerts.some((a: { level: string }) => a.level === 'error'));
    const refused = (await alerts(page)).filter((a) => a.level === 'error').pop()!;
    expect(refused.messages).toContain(`Sugar does not let you change the campaign "${EVIL}" (created by sally)`);
    expect(refused.messages).toContain('Your Sugar role decides what you can do in LeadFWD');
    await noMarkupInAlerts(page);
    expect((await bs.stack.api('GET', `/campaigns/${sugarBackedId}`)).body.status).toBe('pending');
    expect(bs.offSugar(requests)).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('dana (views Campaigns and Target Lists, creates nothing)', () => {
  it('follows campaigns in the dashlet, without "Send via LeadFWD" or actions, and is told why once', async () => {
    const { page, errors, context } = await bs.open('dana');
    await card(page).waitFor();
    await notInSugarYet(page);
    const dashlet = page.locator('.leadfwd-dashlet');
    expect(await dashlet.locator('.leadfwd-new').isHidden()).toBe(true);
    expect(await dashlet.locator('.leadfwd-message').textContent()).toMatch(/Your Sugar role does not let you create campaigns/);
    expect(await dashlet.locator('.leadfwd-message').getAttribute('class')).toContain('alert-info');
    expect(await page.locator('.harness-dashlet').evaluate((d) => (d.textContent!.match(/does not let you create campaigns/g) ?? []).length)).toBe(1);
    expect(await card(page).locator('.leadfwd-actions button').count()).toBe(0);
    expect(await axeViolations(page, '.harness-dashlet')).toEqual([]);
    await bs.shot(page, 'dashlet-view-only', '.harness-dashlet');

    // The record-view button is metadata (always there); the flow it opens says what dana cannot do, once.
    await page.goto(`${bs.harness.url}#ProspectLists/${DEMO_IDS.lists.newsletter}`);
    await page.locator('.harness-record-buttons button[name="leadfwd_send"]').click();
    const note = page.locator('.harness-drawer .leadfwd-no-access');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/does not let you create campaigns, so you cannot send one through LeadFWD/);
    expect(await page.locator('.harness-drawer section.leadfwd-step:visible').count()).toBe(0);
    expect(await page.locator('.harness-drawer .leadfwd-stepper').isHidden()).toBe(true);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('chris (no access to Campaigns)', () => {
  it('is told once that LeadFWD is not for his role, with nothing to act on; the drawer loads no Campaigns (fetch: false)', async () => {
    const { page, errors, requests, context } = await bs.open('chris');
    const dashlet = page.locator('.leadfwd-dashlet');
    await page.waitForFunction(() =>
      /does not give you access to Campaigns/.test(document.querySelector('.leadfwd-dashlet .leadfwd-message')?.textContent ?? ''),
    );
    // One message: not repeated in an alert or in the automations section, no "No campaigns here yet", Send disabled.
    expect(await page.locator('.harness-dashlet').evaluate((d) => (d.textContent!.match(/does not give you access to Campaigns/g) ?? []).length)).toBe(1);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
    expect(await dashlet.locator('.leadfwd-campaigns-section').isHidden()).toBe(true);
    expect(await dashlet.locator('.leadfwd-automations').isHidden()).toBe(true);
    expect(await page.locator('.harness-dashlet').textContent()).not.toContain('No LeadFWD campaigns here yet');
    expect(await dashlet.locator('.leadfwd-new').isDisabled()).toBe(true);
    expect(await axeViolations(page, '.harness-dashlet')).toEqual([]);
    await bs.shot(page, 'dashlet-no-access', '.harness-dashlet');
    await page.goto(`${bs.harness.url}#ProspectLists/${DEMO_IDS.lists.newsletter}`);
    const button = page.locator('.harness-record-buttons button[name="leadfwd_send"]');
    await button.waitFor();
    const before = requests.length;
    await button.click();
    await page.waitForFunction(() =>
      /does not give you access to Campaigns/.test(document.querySelector('.harness-drawer .leadfwd-message')?.textContent ?? ''),
    );
    // Sidecar would have fetched a Campaigns collection for the drawer's context and shown Sugar's 403 alert.
    expect(requests.slice(before).filter((u) => /\/rest\/v11_1\/Campaigns(\?|$)/.test(u))).toEqual([]);
    expect(requests.slice(before).filter((u) => u.includes('/leadfwd/api/me')).length).toBe(1);
    expect((await alerts(page)).filter((a) => a.key === 'server-error')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('sally (her own campaign)', () => {
  it('cancels it; the confirmation names it as text', async () => {
    const { page, errors, context } = await bs.open('sally');
    await press(cardOf(page, evilId).locator('.leadfwd-action-cancel'));
    await page.locator('#alerts .harness-confirm').click();
    await page.waitForFunction(() => (window as any).__leadfwdAlerts.some((a: { level: string }) => a.level === 'success'));
    expect((await alerts(page)).filter((a) => a.level === 'success').pop()?.messages).toBe(`${EVIL} is cancelled.`);
    await noMarkupInAlerts(page);
    expect((await bs.stack.api('GET', `/campaigns/${evilId}`)).body.status).toBe('cancelled');
    expect(errors).toEqual([]);
    await context.close();
  });
});
