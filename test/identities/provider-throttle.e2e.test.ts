// Issue 16 "Must show": recipients are grouped by mailbox provider from their domains' MX records (a real DNS
// server on loopback), and a provider answering 421 4.7.0 is slowed, then paused for that identity, with its own
// words on the campaign, while the other providers' mail goes on and finishes. When the pause is over (a fake
// clock moves on) sending to that provider resumes by itself and the campaign ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type LocalDns, startDnsServer } from '../support/dns-server.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList } from '../support/sugar-seed.js';

let stack: Stack;
let dns: LocalDns;
let clock = new Date();
let googleRefuses = true;
let identityId: string;
let campaignId: string;

const DOMAINS = { google: 'acme-on-google.test', microsoft: 'acme-on-microsoft.test', yahoo: 'acme-on-yahoo.test', other: 'small-isp.test' };
const PER_DOMAIN = 10;

beforeAll(async () => {
  dns = await startDnsServer({
    MX: {
      [DOMAINS.google]: [{ exchange: 'aspmx.l.google.com', priority: 1 }, { exchange: 'alt1.aspmx.l.google.com' }],
      [DOMAINS.microsoft]: [{ exchange: 'acme-on-microsoft-test.mail.protection.outlook.com' }],
      [DOMAINS.yahoo]: [{ exchange: 'mta5.am0.yahoodns.net' }],
      [DOMAINS.other]: [{ exchange: 'mx1.mail.small-isp.test' }],
    },
  });
  stack = await startStack({
    now: () => clock,
    env: { LEADFWD_DNS_SERVERS: dns.server },
    sink: {
      behaviour: (rcpt) =>
        googleRefuses && rcpt.endsWith(`@${DOMAINS.google}`) ? { code: 421, message: '4.7.0 Try again later, closing connection.', at: 'rcpt' } : 'accept',
    },
  });
  // The default identity (from the environment) sends to Google two at a time, so the refusals come one after another.
  identityId = (await stack.api('GET', '/identities')).body.identities[0].id;
  const view = (await stack.api('GET', `/identities/${identityId}`)).body;
  const edited = await stack.api('PUT', `/identities/${identityId}`, {
    name: view.name,
    fromDomains: view.fromDomains,
    relay: { url: view.relay.url, maxConnections: 4 },
    bounceDomain: view.bounceDomain,
    rate: { perSecond: 1000 },
    providerLimits: { google: { concurrency: 2 } },
  });
  expect(edited.status, JSON.stringify(edited.body)).toBe(200);

  const addresses = Array.from({ length: PER_DOMAIN }, (_, i) => Object.values(DOMAINS).map((d) => `p${i}@${d}`)).flat();
  const list = await createContactList(adminClient(stack.sim.url), 'Four providers', addresses);
  const created = await stack.api('POST', '/campaigns', campaignBody([list], { name: 'Four providers', subject: 'Hi' }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  campaignId = created.body.id;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await dns?.close();
});

const ledger = () => stack.service.store.recipients.list(campaignId, { limit: 1000, offset: 0 });
const delivered = (domain: string) => stack.sink.messages.filter((m) => m.envelope.to[0].endsWith(`@${domain}`)).length;

describe('a provider pushing back', () => {
  it('each recipient has the provider its MX says, looked up once per domain', async () => {
    await waitFor(async () => ((await ledger()).length === 4 * PER_DOMAIN ? true : undefined), 'extraction');
    const byDomain = new Map((await ledger()).map((r) => [r.email.split('@')[1], r.provider]));
    expect(Object.fromEntries(byDomain)).toEqual({
      [DOMAINS.google]: 'google',
      [DOMAINS.microsoft]: 'microsoft',
      [DOMAINS.yahoo]: 'yahoo',
      [DOMAINS.other]: 'mx:small-isp.test',
    });
    for (const d of Object.values(DOMAINS)) expect(dns.queries.filter((q) => q.name === d && q.type === 'MX')).toHaveLength(1);
  });

  it("is slowed, then paused with its own words, while the other providers' mail all goes", async () => {
    await waitFor(
      () => (['microsoft', 'yahoo', 'other'].every((k) => delivered(DOMAINS[k as keyof typeof DOMAINS]) === PER_DOMAIN) ? true : undefined),
      'the other providers finished',
      20_000,
    );
    const paused = (v: any) => v.sender.providers.some((p: { level: string }) => p.level === 'paused') && v.progress.sending === 0;
    const view = await untilCampaign(stack.api, campaignId, paused, 'google paused');
    expect(view.status).toBe('sending');
    expect(view.sender.providers).toEqual([
      expect.objectContaining({ provider: 'google', level: 'paused', reason: '421 4.7.0 Try again later, closing connection.', resumeAt: expect.any(String) }),
    ]);
    expect(Date.parse(view.sender.providers[0].resumeAt)).toBeGreaterThan(clock.getTime());
    expect(view.schedule.nextSendAt).toBeDefined();
    const google = (await ledger()).filter((r) => r.provider === 'google');
    expect(google.every((r) => r.state === 'queued' && r.retryAt && Date.parse(r.retryAt) > clock.getTime())).toBe(true);
    // Two strikes (two at a time, then one while slowed); the rest were held back without being tried.
    expect(google.filter((r) => r.attempts > 0)).toHaveLength(3);
    expect(google.filter((r) => r.attempts === 0).every((r) => /google paused: 421 4\.7\.0/.test(r.lastError ?? ''))).toBe(true);
    expect(delivered(DOMAINS.google)).toBe(0);
    expect((await ledger()).filter((r) => r.provider !== 'google').every((r) => r.state === 'accepted')).toBe(true);
    // The identity as a whole keeps sending: nothing paused it.
    expect((await stack.api('GET', `/identities/${identityId}`)).body).toMatchObject({ throttles: [expect.objectContaining({ provider: 'google' })] });
    expect((await stack.api('GET', `/identities/${identityId}`)).body.paused).toBeUndefined();
  }, 40_000);

  it('resumes by itself once the pause is over, and the campaign finishes', async () => {
    googleRefuses = false;
    clock = new Date(clock.getTime() + 3 * 60_000); // past the pause and the first retry's minute
    const done = await untilCampaign(stack.api, campaignId, 'sent', 'the campaign sent');
    expect(done.progress).toMatchObject({ accepted: 4 * PER_DOMAIN, queued: 0 });
    expect(delivered(DOMAINS.google)).toBe(PER_DOMAIN);
    const d = (await stack.api('GET', `/identities/${identityId}/deliverability`)).body;
    expect(d.days.find((x: { provider: string }) => x.provider === 'google')).toMatchObject({ accepted: PER_DOMAIN, deferred: 3 });
    // The report's results by mailbox provider group the company domains by their MX, as the ledger has them.
    const report = (await stack.api('GET', `/campaigns/${campaignId}/report`)).body;
    expect(Object.fromEntries(report.providers.map((p: { provider: string; recipients: number }) => [p.provider, p.recipients]))).toEqual({
      google: PER_DOMAIN,
      microsoft: PER_DOMAIN,
      yahoo: PER_DOMAIN,
      apple: 0,
      other: PER_DOMAIN,
    });
  }, 40_000);
});
