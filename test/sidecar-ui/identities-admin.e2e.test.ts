// Administration → LeadFWD settings → Sender identities in headless Chromium (issue 16), every call through the
// package's relay: an administrator creates an identity whose key the service generates, sees the DNS record to
// publish, checks readiness against a real DNS server on loopback where that record is missing (what to fix is said),
// publishes it, and checks again: ready. The relay test, pause and resume, and a refused delete (the default identity)
// are said in words. A user who is not an administrator has no identities section and asks the service nothing about
// identities. axe-core finds nothing serious in each state.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsRecords, type LocalDns, reverseName, startDnsServer } from '../support/dns-server.js';
import { axeViolations, type BrowserStack, press, startBrowserStack, until } from './browser-stack.js';

let bs: BrowserStack;
let dns: LocalDns;
let admin: { page: Page; errors: string[]; requests: string[] };

// Everything an identity on brand.example.test needs but its DKIM key: the relay (127.0.0.1, the test sink) passes
// the bounce domain's SPF, DMARC enforces and aligns, the relay's address has forward-confirmed reverse DNS.
const zone = (dkimTxt?: string): DnsRecords => ({
  TXT: {
    'bounces.brand.example.test': ['v=spf1 ip4:127.0.0.1 -all'],
    '_dmarc.brand.example.test': ['v=DMARC1; p=reject; adkim=r; aspf=r'],
    ...(dkimTxt ? { 's1._domainkey.brand.example.test': [dkimTxt] } : {}),
  },
  A: { 'relay.brand.example.test': ['127.0.0.1'] },
  PTR: { [reverseName('127.0.0.1')]: ['relay.brand.example.test'] },
});

beforeAll(async () => {
  dns = await startDnsServer(zone());
  bs = await startBrowserStack({ refreshSeconds: 0, env: { LEADFWD_DNS_SERVERS: dns.server } });
  admin = await bs.open('admin', { sugar: '12' });
}, 60_000);
afterAll(async () => {
  await bs?.close();
  await dns?.close();
});

const section = (p: Page) => p.locator('section.leadfwd-identities');
const card = (p: Page, name: string) => section(p).locator('article.leadfwd-identity', { has: p.locator('h3', { hasText: name }) });

describe('sender identities in the LeadFWD settings', () => {
  it('an administrator sees every identity, the default one from the service settings included', async () => {
    const p = admin.page;
    await p.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-config`);
    await section(p).locator('article.leadfwd-identity').first().waitFor();
    expect(await section(p).locator('h3').first().textContent()).toMatch(/\(default\)/);
    expect(await card(p, 'default').textContent()).toMatch(/May send\./);
    expect(await axeViolations(p, 'section.leadfwd-identities')).toEqual([]);
  });

  it('creates an identity with a generated key and sees the DNS record to publish', async () => {
    const p = admin.page;
    await press(section(p).locator('.leadfwd-identity-new'));
    const form = section(p).locator('form.leadfwd-identity-form');
    await form.waitFor();
    await form.locator('input[name="name"]').fill('Brand');
    await form.locator('input[name="fromDomains"]').fill('brand.example.test');
    await form.locator('input[name="dkimDomain"]').fill('brand.example.test');
    await form.locator('input[name="dkimSelector"]').fill('s1');
    expect(await form.locator('input[name="keySource"][value="generate"]').isChecked()).toBe(true);
    await form.locator('input[name="relayUrl"]').fill(`smtp://127.0.0.1:${bs.stack.sink.port}`);
    await form.locator('input[name="relayPassword"]').fill('s3cret-relay');
    await form.locator('input[name="bounceDomain"]').fill('bounces.brand.example.test');
    expect(await axeViolations(p, 'section.leadfwd-identities')).toEqual([]);
    await press(form.locator('.leadfwd-identity-save'));
    await card(p, 'Brand').waitFor();
    expect(await form.count()).toBe(0);
    const brand = card(p, 'Brand');
    expect(await brand.textContent()).toMatch(/is created\. Publish its DNS record/);
    expect(await brand.textContent()).toMatch(/Does not send yet/);
    expect(await brand.textContent()).toContain(`smtp://127.0.0.1:${bs.stack.sink.port}`);
    expect(await brand.locator('.leadfwd-dns-record').textContent()).toMatch(/^s1\._domainkey\.brand\.example\.test TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+"$/);
    // The relay password is write-only: it never comes back to a browser.
    expect(await p.content()).not.toContain('s3cret-relay');
  });

  it('checks readiness against DNS without the record: the DKIM problem and what to publish', async () => {
    const p = admin.page;
    const brand = card(p, 'Brand');
    await press(brand.locator('.leadfwd-identity-check'));
    await until(p, 'readiness shown', () => /is not ready: see what to fix/.test(document.body.textContent ?? ''), null);
    const dkim = brand.locator('li[data-check="dkim"]');
    expect(await dkim.textContent()).toMatch(/^Problem DKIM: /);
    const record = (await brand.locator('.leadfwd-dns-record').textContent())!;
    expect(await dkim.locator('.leadfwd-check-fix').textContent()).toContain(record.replace(/^(\S+) TXT /, '$1 TXT '));
    for (const ok of ['spf', 'dmarc', 'rdns']) expect(await brand.locator(`li[data-check="${ok}"]`).textContent(), ok).toMatch(/^OK /);
    expect(await brand.textContent()).toMatch(/not ready\. Fix what is listed/);
    expect(await axeViolations(p, 'section.leadfwd-identities')).toEqual([]);
    await bs.shot(p, 'identities-not-ready', 'section.leadfwd-identities');
  });

  it('after the record is published, checks again: ready, and the identity may send', async () => {
    const p = admin.page;
    const brand = card(p, 'Brand');
    const record = (await brand.locator('.leadfwd-dns-record').textContent())!;
    dns.set(zone(/TXT "(.*)"$/.exec(record)![1]));
    await press(brand.locator('.leadfwd-identity-check'));
    await until(p, 'readiness passed', () => /passed its readiness check and may send/.test(document.body.textContent ?? ''), null);
    expect(await brand.locator('li.leadfwd-check-problem').count()).toBe(0);
    expect(await brand.locator('.leadfwd-identity-state').textContent()).toBe('May send.');
    expect(await axeViolations(p, 'section.leadfwd-identities')).toEqual([]);
  });

  it('tests the relay, pauses and resumes the identity, and says why the default one cannot be deleted', async () => {
    const p = admin.page;
    const brand = card(p, 'Brand');
    await press(brand.locator('.leadfwd-identity-test'));
    await brand.locator('.leadfwd-identity-note', { hasText: 'accepted the connection' }).waitFor();
    await press(brand.locator('.leadfwd-identity-pause'));
    await brand.locator('.leadfwd-identity-state', { hasText: /^Paused since .* by admin: paused by admin$/ }).waitFor();
    // In the administrator's Sugar time zone (UTC), not the browser's.
    const pausedAt = (await bs.stack.api('GET', '/identities')).body.identities.find((i: { name: string }) => i.name === 'Brand').paused.at;
    const inUtc = await p.evaluate(
      (iso) => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
      pausedAt,
    );
    expect(await brand.locator('.leadfwd-identity-state').textContent()).toContain(`Paused since ${inUtc} by admin`);
    await press(brand.locator('.leadfwd-identity-resume'));
    await brand.locator('.leadfwd-identity-state', { hasText: 'May send.' }).waitFor();

    const byDefault = section(p).locator('article.leadfwd-identity').first();
    await press(byDefault.locator('.leadfwd-identity-delete'));
    await p.locator('#alerts .harness-confirm').click();
    const message = section(p).locator('.leadfwd-message').first();
    await message.filter({ hasText: 'Not deleted' }).waitFor();
    expect(await message.textContent()).toMatch(/is the default sender identity; make another one the default first/);
    expect(await section(p).locator('article.leadfwd-identity').count()).toBe(2);
    expect(await axeViolations(p, 'section.leadfwd-identities')).toEqual([]);
    expect(admin.errors).toEqual([]);
    expect(bs.offSugar(admin.requests)).toEqual([]);
  });

  it('edits the identity to add a warm-up plan, keeping its key; the send flow offers it and the Review step shows the schedule', async () => {
    const p = admin.page;
    const brand = card(p, 'Brand');
    const fingerprint = await brand.locator('code').first().textContent();
    await press(brand.locator('.leadfwd-identity-edit'));
    const form = section(p).locator('form.leadfwd-identity-form');
    await form.waitFor();
    expect(await form.locator('input[name="keySource"][value="keep"]').isChecked()).toBe(true);
    expect(await form.locator('input[name="relayPassword"]').inputValue()).toBe('');
    await form.locator('input[name="warmupStart"]').fill(new Date().toISOString().slice(0, 10));
    await form.locator('input[name="warmupFirst"]').fill('5');
    await form.locator('input[name="warmupGrowth"]').fill('2');
    await form.locator('input[name="warmupTarget"]').fill('1000');
    await press(form.locator('.leadfwd-identity-save'));
    await brand.locator('.leadfwd-identity-note', { hasText: 'Brand is saved.' }).waitFor();
    expect(await brand.textContent()).toMatch(/: 5 a day per mailbox provider, times 2 each day, up to 1,000/);
    expect(await brand.locator('code').first().textContent()).toBe(fingerprint);
    expect(await brand.locator('.leadfwd-identity-state').textContent()).toBe('May send.');

    // The send flow as a page: the administrator may pick either identity.
    await p.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-send`);
    const flow = p.locator('form.leadfwd-send');
    const newsletter = flow.locator('input[name="targetList"]').first();
    await newsletter.waitFor();
    await newsletter.check();
    await press(flow.locator('section[data-step="audience"] .leadfwd-next'));
    await flow.locator('input[name="subject"]').fill('Brand news');
    await press(flow.locator('section[data-step="content"] .leadfwd-next'));
    const picker = flow.locator('select[name="senderIdentityId"]');
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).toEqual([expect.stringMatching(/\(default\) \(@/), 'Brand (@brand.example.test)']);
    expect(await flow.locator('.leadfwd-as-assigned').isVisible()).toBe(true);
    await picker.selectOption({ label: 'Brand (@brand.example.test)' });
    await flow.locator('input[name="name"]').fill('Brand launch');
    await flow.locator('input[name="fromEmail"]').fill('news@brand.example.test');
    expect(await axeViolations(p, 'form.leadfwd-send')).toEqual([]);
    await press(flow.locator('.leadfwd-review-button'));
    const schedule = flow.locator('.leadfwd-schedule table');
    await schedule.waitFor({ timeout: 20_000 });
    expect(await schedule.locator('caption').textContent()).toMatch(/^The sender identity is warming up: this campaign goes out over [2-9] days\.$/);
    const counts = (await schedule.locator('tbody td').allTextContents()).map(Number);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(Number(await flow.locator('.leadfwd-audit-queued').textContent()));
    await expect.poll(() => flow.locator('.leadfwd-confirm-button').isEnabled(), { timeout: 20_000 }).toBe(true);
    expect(await axeViolations(p, 'form.leadfwd-send')).toEqual([]);
    await bs.shot(p, 'send-flow-warmup-schedule', 'form.leadfwd-send');
  });

  it('a user who is not an administrator has no identities section and asks nothing about identities', async () => {
    const sally = await bs.open('sally');
    await sally.page.goto(`${bs.harness.url}#Home/layout/leadfwd-config`);
    await sally.page.waitForFunction(() => /Paired/.test(document.querySelector('.leadfwd-pairing-state')?.textContent ?? ''));
    expect(await sally.page.locator('section.leadfwd-identities').count()).toBe(0);
    expect(sally.requests.filter((u) => u.includes('identities'))).toEqual([]);
    expect(sally.errors).toEqual([]);
    await sally.context.close();
  });

  it('opened while the service is away: says so, not "Loading..." for good, and lists the identities once it is back', async () => {
    const p = admin.page;
    await bs.setServiceUp(false);
    await p.goto(`${bs.harness.url}?sugar=12#Home/layout/leadfwd-config`);
    await section(p).locator('.leadfwd-message').filter({ hasText: 'cannot reach the LeadFWD service' }).waitFor();
    expect(await section(p).locator('.leadfwd-identity-list').textContent()).toBe('');
    await bs.setServiceUp(true);
    // Asked again by itself, 5 s after the failure.
    await section(p).locator('article.leadfwd-identity').first().waitFor({ timeout: 15_000 });
    expect(await section(p).locator('.leadfwd-message').isHidden()).toBe(true);
  });
});
