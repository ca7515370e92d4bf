// The deliverability page (#Home/layout/leadfwd-deliverability, issue 16) in headless Chromium, through Sugar's
// relay: a campaign sends to two mailbox providers known from MX (a real DNS server on loopback); Google answers
// 421 4.7.0, so it is shown as slowed or paused for the identity in its own words, while the other provider's mail
// is counted as accepted per day; a paused identity shows why. Administrators reach it from the area's tabs; other
// users get no tab and are told the page is for administrators. axe-core finds nothing serious.
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, createCampaign } from '../support/campaigns.js';
import { type LocalDns, mxOf, startDnsServer } from '../support/dns-server.js';
import { closeAfterAll } from '../support/per-file.js';
import { waitFor } from '../support/stack.js';
import { adminClient, createContactList } from '../support/sugar-seed.js';
import { axeViolations, type BrowserStack, startBrowserStack } from './browser-stack.js';

let bs: BrowserStack;
let dns: LocalDns;
let identityId: string;

const closing = closeAfterAll();

beforeAll(async () => {
  dns = closing(await startDnsServer(mxOf({ 'on-google.test': 'aspmx.l.google.com', 'small-isp.test': 'mx1.mail.small-isp.test' })));
  bs = closing(
    await startBrowserStack({
      refreshSeconds: 0,
      env: { LEADFWD_DNS_SERVERS: dns.server },
      sink: {
        behaviour: (rcpt) => (rcpt.endsWith('@on-google.test') ? { code: 421, message: '4.7.0 Try again later, closing connection.', at: 'rcpt' } : 'accept'),
      },
    }),
  );
  const sugar = adminClient(bs.stack.sim.url);
  const addresses = Array.from({ length: 4 }, (_, i) => ['on-google.test', 'small-isp.test'].map((d) => `d${i}@${d}`)).flat();
  const list = await createContactList(sugar, 'Two providers', addresses, 'D');
  identityId = (await bs.stack.api('GET', '/identities')).body.identities[0].id;
  const from = (await bs.stack.api('GET', `/identities/${identityId}`)).body.fromDomains[0];
  await createCampaign(bs.stack.api, campaignBody([list], { name: 'Two providers', subject: 'Hi', fromEmail: `news@${from}` }));
  await waitFor(async () => {
    const view = (await bs.stack.api('GET', `/identities/${identityId}`)).body;
    const d = (await bs.stack.api('GET', `/identities/${identityId}/deliverability`)).body;
    return view.throttles.length && d.totals.accepted >= 4 ? true : undefined;
  }, 'Google throttled and the other provider accepted');
}, 90_000);

describe('deliverability per sender identity and mailbox provider', () => {
  it('an administrator reaches it from the area and sees accepted mail per day and provider, and Google pushing back in its words', async () => {
    const admin = await bs.open('admin', { sugar: '12' });
    const p = admin.page;
    await p.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-campaigns`);
    await p.locator('.leadfwd-area-nav a', { hasText: 'Deliverability' }).click();
    const page = p.locator('.leadfwd-deliverability');
    const section = page.locator(`section[data-identity-id="${identityId}"]`);
    await section.waitFor();
    expect(await p.evaluate(() => location.hash)).toBe('#Home/layout/leadfwd-deliverability');
    const google = section.locator('.leadfwd-deliv-throttles li[data-provider="google"]');
    expect(await google.textContent()).toMatch(
      /^Google: (slowed to \d+\.\d % of the rate, recovering as mail is accepted|paused until .*, then it resumes by itself)\. It said: .*4\.7\.0 Try again later/,
    );
    const today = new Date().toISOString().slice(0, 10);
    const other = section.locator(`tbody tr[data-day="${today}"][data-provider="other"]`);
    expect(await other.locator('td').allTextContents()).toEqual(['Other providers', '4', '0 (0.0 %)', '0 (0.0 %)', '0 (0.0 %)']);
    expect(await section.locator('.leadfwd-deliv-sending').textContent()).toBe('Sending is not paused.');
    expect(await axeViolations(p, '.leadfwd-deliverability')).toEqual([]);
    await bs.shot(p, 'deliverability', '.leadfwd-deliverability');

    // A pause (a guard rail's, or an administrator's) is shown with its reason.
    expect((await bs.stack.api('POST', `/identities/${identityId}/pause`, { reason: 'complaint rate too high' })).status).toBe(200);
    await page.locator('.leadfwd-deliv-refresh').click();
    await section.locator('.leadfwd-deliv-paused', { hasText: 'complaint rate too high' }).waitFor();
    expect(await axeViolations(p, '.leadfwd-deliverability')).toEqual([]);
    expect(admin.errors).toEqual([]);
    expect(bs.offSugar(admin.requests)).toEqual([]);
    await admin.context.close();
  });

  it('other users get no tab, and the page tells them it is for administrators without asking the service', async () => {
    const sally = await bs.open('sally');
    await sally.page.goto(`${bs.harness.url}#Home/layout/leadfwd-campaigns`);
    await sally.page.locator('.leadfwd-area-nav a').first().waitFor();
    expect(await sally.page.locator('.leadfwd-area-nav a', { hasText: 'Deliverability' }).count()).toBe(0);
    await sally.page.goto(`${bs.harness.url}#Home/layout/leadfwd-deliverability`);
    await sally.page.locator('.leadfwd-deliverability .leadfwd-message', { hasText: 'Only Sugar administrators see deliverability.' }).waitFor();
    expect(sally.requests.filter((u) => u.includes('identities'))).toEqual([]);
    expect(await axeViolations(sally.page, '.leadfwd-deliverability')).toEqual([]);
    await sally.context.close();
  });

  it('opened while the service is away: says so, and shows the figures by itself once it is back', async () => {
    const admin = await bs.open('admin', { sugar: '12' });
    await bs.setServiceUp(false);
    await admin.page.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-deliverability`);
    const page = admin.page.locator('.leadfwd-deliverability');
    await page.locator('.leadfwd-message', { hasText: 'cannot reach the LeadFWD service' }).waitFor();
    await bs.setServiceUp(true);
    // Nobody presses Refresh: it asks again 5 s after the failure.
    await page.locator(`section[data-identity-id="${identityId}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator('.leadfwd-message').isHidden()).toBe(true);
    await admin.context.close();
  });
});
