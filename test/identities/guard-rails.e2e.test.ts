// Issue 16 "Must show": a complaint burst pauses the identity. Complaints arrive through the ESP webhook for a
// campaign's messages; once the campaign's complaint rate passes LEADFWD_GUARD_MAX_COMPLAINT_RATE (with at least
// LEADFWD_GUARD_MIN_SAMPLE messages accepted) the identity pauses, every campaign sending through it pauses with
// the reason, nothing more is sent through it, and the other identity goes on. An administrator resumes it and
// its campaigns go on where they were.
import { beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { campaignBody, createCampaign, untilCampaign } from '../support/campaigns.js';
import { approvedIdentity, identityBody } from '../support/identities.js';
import { closeAfterAll } from '../support/per-file.js';
import { randomSecret } from '../support/secrets.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';

let stack: Stack;
let relay: SmtpSink;
let otherRelay: SmtpSink;
const WEBHOOK = randomSecret('webhook-');
const ids: Record<string, string> = {};
let bigList: string;
let smallList: string;

const campaign = (name: string, identityName: string, list: string) =>
  createCampaign(stack.api, campaignBody([list], { name, subject: name, fromEmail: `news@${identityName}.example.test`, senderIdentityId: ids[identityName] }));

const view = async (id: string) => (await stack.api('GET', `/campaigns/${id}`)).body;
const complain = (messageId: string) =>
  fetch(`${stack.service.url}/webhooks/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${WEBHOOK}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: [{ type: 'complaint', messageId, feedbackType: 'abuse' }] }),
  });

const closing = closeAfterAll();

beforeAll(async () => {
  relay = closing(await startSmtpSink({ port: 0 }));
  otherRelay = closing(await startSmtpSink({ port: 0 }));
  stack = closing(
    await startStack({ env: { LEADFWD_WEBHOOK_SECRET: WEBHOOK, LEADFWD_GUARD_MIN_SAMPLE: '10', LEADFWD_GUARD_MAX_COMPLAINT_RATE: '0.1%' } }),
    (s) => s.stop(),
  );
  ids.promo = await approvedIdentity(stack.api, identityBody('promo', relay.port));
  ids.service = await approvedIdentity(stack.api, identityBody('service', otherRelay.port));
  const sugar = adminClient(stack.sim.url);
  smallList = await createContactList(sugar, 'Small', numberedAddresses('p', 20));
  bigList = await createContactList(sugar, 'Big', numberedAddresses('q', 40, 'example.net'), 'Q');
}, 60_000);

describe('guard rails', () => {
  let first: string;
  let second: string;

  it('a complaint burst pauses the identity and every campaign sending through it, with the reason', async () => {
    first = await campaign('Promo one', 'promo', smallList);
    await untilCampaign(stack.api, first, 'sent', 'first sent');
    const messageIds = (await stack.service.store.recipients.list(first, { limit: 100, offset: 0 })).map((r) => r.messageId!);
    // A second campaign of the same identity waits for its time, so the pause finds it pending.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    second = await createCampaign(
      stack.api,
      campaignBody([bigList], { name: 'Promo two', subject: 'Later', fromEmail: 'news@promo.example.test', senderIdentityId: ids.promo, sendAt: later }),
    );
    await untilCampaign(stack.api, second, 'pending', 'second pending');

    for (const id of messageIds.slice(0, 3)) expect((await complain(id)).status).toBe(200);
    const promo = (await stack.api('GET', `/identities/${ids.promo}`)).body;
    expect(promo.paused).toMatchObject({
      by: 'guard rail',
      reason: expect.stringMatching(/^guard rail: campaign "Promo one": complaint rate 5 % \(1 of 20\) is over 0\.1 %$/),
    });
    const v2 = await view(second);
    expect(v2.status).toBe('paused');
    expect(v2.history.at(-1).reason).toMatch(/^sender identity "promo" paused: guard rail/);
    expect(v2.sender.paused.reason).toMatch(/complaint rate/);
    expect(promo.audit[0]).toMatchObject({ action: 'paused', by: 'guard rail' });
    // The first complaint breached it; the later ones changed nothing more.
    expect(promo.audit.filter((a: { action: string }) => a.action === 'paused')).toHaveLength(1);
  });

  it('nothing more goes through the paused identity; another identity sends on', async () => {
    const blocked = await campaign('Promo three', 'promo', bigList);
    const other = await campaign('Service notice', 'service', bigList);
    await untilCampaign(stack.api, other, 'sent', 'other identity sent');
    const v = await untilCampaign(stack.api, blocked, 'paused', 'refused at start');
    expect(v.history.at(-1).reason).toMatch(/^sender identity "promo" paused: guard rail/);
    expect(relay.messages).toHaveLength(20); // only the first campaign's
    expect(otherRelay.messages).toHaveLength(40);
  });

  it('an administrator resumes it; the campaigns its pause stopped go on where they were', async () => {
    const resumed = await stack.api('POST', `/identities/${ids.promo}/resume`, {});
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBeUndefined();
    expect(resumed.body.resumedCampaigns).toHaveLength(2); // the pending one and the one refused at start
    expect(resumed.body.resumedCampaigns).toContain(second);
    expect(resumed.body.audit[0]).toMatchObject({ action: 'resumed', by: 'api-key' });
    expect((await view(second)).status).toBe('pending'); // back to waiting for its time
    await waitFor(async () => (relay.messages.length === 60 ? true : undefined), 'promo three sent after the resume');
  });
});
