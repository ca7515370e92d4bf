// Issue 16 "Must show": a warm-up plan spreads a campaign over two (fake-clock) days. The held campaign's review
// shows the schedule per day before anything is sent; the first day sends what each provider's allowance lets
// through (Google 5, Yahoo 3 of its 5), the rest waits for the next UTC day with the reason, the campaign stays
// sending and says when the rest goes; the next day sends it and the campaign ends.
import { beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { campaignBody, createCampaign, untilCampaign } from '../support/campaigns.js';
import { type LocalDns, mxOf, startDnsServer } from '../support/dns-server.js';
import { approvedIdentity, identityBody } from '../support/identities.js';
import { closeAfterAll } from '../support/per-file.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';

const DAY = 86_400_000;
let clock = new Date();
const today = clock.toISOString().slice(0, 10);
const tomorrow = new Date(clock.getTime() + DAY).toISOString().slice(0, 10);
let stack: Stack;
let dns: LocalDns;
let relay: SmtpSink;
let identityId: string;
let listId: string;
let campaignId: string;

const closing = closeAfterAll();

beforeAll(async () => {
  dns = closing(await startDnsServer(mxOf({ 'acme-on-google.test': 'aspmx.l.google.com', 'acme-on-yahoo.test': 'mta5.am0.yahoodns.net' })));
  relay = closing(await startSmtpSink({ port: 0 }));
  stack = closing(await startStack({ now: () => clock, env: { LEADFWD_DNS_SERVERS: dns.server } }), (s) => s.stop());
  identityId = await approvedIdentity(
    stack.api,
    identityBody('fresh', relay.port, { name: 'New domain', warmup: { startDate: today, startPerDay: 5, growth: 2, targetPerDay: 1000 } }),
  );
  const sugar = adminClient(stack.sim.url);
  const google = numberedAddresses('g', 8, 'acme-on-google.test');
  listId = await createContactList(sugar, 'Warm-up', [...google, ...numberedAddresses('y', 3, 'acme-on-yahoo.test')]);
}, 60_000);

describe('a warm-up plan', () => {
  it('shows the schedule over two days in the review, before anything is sent', async () => {
    campaignId = await createCampaign(
      stack.api,
      campaignBody([listId], { name: 'First send from a new domain', fromEmail: 'hello@fresh.example.test', senderIdentityId: identityId, hold: true }),
    );
    const held = await untilCampaign(stack.api, campaignId, 'pending', 'extracted');
    expect(held.schedule).toEqual({
      days: [
        { date: today, count: 8 },
        { date: tomorrow, count: 3 },
      ],
      fits: true,
      limitedBy: ['warmup'],
    });
    expect(relay.messages).toHaveLength(0);
  });

  it("sends each provider's allowance today; the rest waits for tomorrow with the reason, and the campaign says when", async () => {
    expect((await stack.api('POST', `/campaigns/${campaignId}/confirm`, {})).status).toBe(200);
    await waitFor(() => (relay.messages.length === 8 ? true : undefined), "today's eight");
    const v = await untilCampaign(stack.api, campaignId, (x) => x.progress.accepted === 8 && x.progress.sending === 0, 'settled');
    expect(v.status).toBe('sending');
    expect(v.schedule).toMatchObject({ days: [{ date: tomorrow, count: 3 }], fits: true, nextSendAt: `${tomorrow}T00:00:00.000Z` });
    const byDomain = (d: string) => relay.messages.filter((m) => m.envelope.to[0].endsWith(d)).length;
    expect([byDomain('acme-on-google.test'), byDomain('acme-on-yahoo.test')]).toEqual([5, 3]);
    const waiting = await stack.service.store.recipients.list(campaignId, { state: 'queued', limit: 100, offset: 0 });
    expect(waiting).toHaveLength(3);
    for (const r of waiting) {
      expect(r.retryAt).toBe(`${tomorrow}T00:00:00.000Z`);
      expect(r.lastError).toMatch(/warm-up: google had its 5 messages for today/);
    }
    await new Promise((r) => setTimeout(r, 1500)); // still nothing more today
    expect(relay.messages).toHaveLength(8);
  });

  it('sends the rest the next day, and the campaign ends', async () => {
    clock = new Date(Date.parse(`${tomorrow}T08:00:00.000Z`));
    const done = await untilCampaign(stack.api, campaignId, 'sent', 'sent on day two', 15_000);
    expect(done.progress).toMatchObject({ accepted: 11, queued: 0 });
    expect(relay.messages).toHaveLength(11);
    const d = (await stack.api('GET', `/identities/${identityId}/deliverability?days=7`)).body;
    expect(d.days.map((x: { day: string; provider: string; accepted: number }) => [x.day, x.provider, x.accepted])).toEqual([
      [today, 'google', 5],
      [today, 'yahoo', 3],
      [tomorrow, 'google', 3],
    ]);
  }, 30_000);
});
