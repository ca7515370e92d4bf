// Issue 4 "Must show", end to end: a campaign sent to the SMTP sink; real headless Chromium opens the
// delivered message's HTML (the pixel is recorded), clicks the tracked link and lands on the original
// URL with its UTM parameters; an RFC 8058 POST as Gmail sends it opts the target out; a DSN to the
// service's own inbound listener records a hard bounce. The report shows all of it.
import { createServer, type Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { deliver, fixture } from './inbound-support.js';

let stack: Stack;
let browser: Browser;
let landing: Server;
let landingUrl: string;
const landingHits: string[] = [];
let mailHtml = '';
let campaignId: string;

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

beforeAll(async () => {
  // A shop landing page and a "webmail" page showing the delivered HTML, both on loopback.
  landing = createServer((req, res) => {
    if (req.url === '/mail.html') return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(mailHtml);
    landingHits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Spring shop</title><h1>Spring shop</h1>');
  });
  await new Promise<void>((r) => landing.listen(0, '127.0.0.1', r));
  landingUrl = `http://127.0.0.1:${(landing.address() as { port: number }).port}`;

  // Timing windows shortened so a test-speed reader is not mistaken for a link scanner.
  stack = await startStack({
    env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_SENDER_NAME: 'Spring Team' },
    // The relay refuses one recipient at RCPT: a synchronous hard bounce.
    sink: {
      behaviour: (rcpt) =>
        rcpt === 'carl@example.net' ? { code: 550, message: '5.1.1 <carl@example.net>: Recipient address rejected: User unknown' } : 'accept',
    },
  });
  const sugar = adminClient(stack.sim.url);
  const list = await createListOf(sugar, 'Spring list', [
    { first_name: 'Ann', emails: [{ address: 'ann@example.com' }] },
    { module: 'Leads', first_name: 'Bob', emails: [{ address: 'bob@example.org' }] },
    { first_name: 'Carl', emails: [{ address: 'carl@example.net' }] },
  ]);
  const html = `<h1>Hello {{ first_name }}</h1><p><a href="${landingUrl}/spring?utm_source=leadfwd&amp;utm_campaign=spring#top">Shop the spring sale</a></p>`;
  const created = await stack.api(
    'POST',
    '/campaigns',
    campaignBody([list], { subject: 'Spring is here', fromName: 'Spring Team', html, sendAt: new Date().toISOString() }),
  );
  expect(created.status).toBe(201);
  campaignId = created.body.id;
  await untilCampaign(stack.api, campaignId, 'sent', 'campaign sent');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise<void>((r) => (landing ? landing.close(() => r()) : r()));
});

const messageTo = (addr: string) => stack.sink.messages.find((m) => m.envelope.to[0] === addr)!;
const rowOf = (raw: Buffer) => Number(/Message-ID: <lf\.[^.]+\.(\d+)\./i.exec(raw.toString())![1]);

describe('engagement end to end with a real browser', () => {
  it('records the pixel when Chromium renders the delivered HTML, and lands a click on the original URL with its UTM parameters', async () => {
    const msg = messageTo('ann@example.com');
    const parsed = await PostalMime.parse(msg.raw);
    mailHtml = parsed.html!;
    expect(mailHtml).toMatch(/\/t\/o\//);
    expect(mailHtml).not.toContain(`${landingUrl}/spring`); // only the tracked redirect is in the mail
    const row = rowOf(msg.raw);

    const context = await browser.newContext({ userAgent: HUMAN_UA });
    const page = await context.newPage();
    const pixel = page.waitForResponse((r) => r.url().includes('/t/o/'));
    await page.goto(`${landingUrl}/mail.html`);
    const pixelResponse = await pixel;
    expect(pixelResponse.status()).toBe(200);
    expect(pixelResponse.headers()['content-type']).toBe('image/gif');
    // The pixel answers only after the open is committed, so it is in the store now.
    expect(stack.service.store.engagement.forRecipient(row)).toEqual([expect.objectContaining({ kind: 'open', humanHits: 1 })]);

    await page.$eval('a', (a) => a.removeAttribute('target'));
    await Promise.all([page.waitForURL(`${landingUrl}/spring**`), page.click('a')]);
    expect(page.url()).toBe(`${landingUrl}/spring?utm_source=leadfwd&utm_campaign=spring#top`);
    expect(landingHits).toContain('/spring?utm_source=leadfwd&utm_campaign=spring');
    expect(await page.title()).toBe('Spring shop');
    expect(stack.service.store.engagement.forRecipient(row)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'click', linkIndex: 0, humanHits: 1 })]),
    );
    await context.close();
  });

  it('opts the target out on an RFC 8058 POST sent the way Gmail sends it', async () => {
    const msg = messageTo('ann@example.com');
    const parsed = await PostalMime.parse(msg.raw);
    const header = parsed.headers.find((h) => h.key === 'list-unsubscribe')!.value;
    const url = /<(https?:[^>]+)>/.exec(header)![1];
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Google-Unsubscribe' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(stack.service.store.suppressions.get('ann@example.com')).toMatchObject({ reason: 'unsubscribe' });
  });

  it('records a hard bounce sent to the VERP return path on the inbound listener', async () => {
    const msg = messageTo('bob@example.org');
    const messageId = /^Message-ID: (<[^>]+>)/im.exec(msg.raw.toString())![1];
    const res = await deliver(
      stack.service.bouncePort,
      [msg.envelope.from],
      fixture('postfix-user-unknown.eml', { verp: msg.envelope.from, rcpt: 'bob@example.org', messageId }),
    );
    expect(res).toEqual({ ok: true });
    expect(stack.service.store.suppressions.get('bob@example.org')).toMatchObject({ reason: 'hard_bounce' });
  });

  it("turns the relay's 550 5.1.1 at RCPT into a hard bounce", () => {
    expect(stack.service.store.suppressions.get('carl@example.net')).toMatchObject({ reason: 'hard_bounce', source: 'smtp:' + campaignId });
  });

  it('reports it all', async () => {
    const { status, body } = await stack.api('GET', `/campaigns/${campaignId}/report`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sent: 3,
      accepted: 2,
      recipients: { failed: 1 },
      bounced: { hard: 2, soft: 0 },
      optedOut: 1,
      opened: { people: 1 },
      clicked: { people: 1, botOnly: 0 },
      links: [{ index: 0, url: `${landingUrl}/spring?utm_source=leadfwd&utm_campaign=spring#top`, people: 1, clicks: 1 }],
    });
  });
});
