// Issue 4 "Must show": real DSN and ARF shapes delivered over SMTP to the real listener, each
// classified; forged reports (bad VERP signature, foreign Message-ID) change nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { verpAddress } from '../../service/src/domain/verp.js';
import { createFactRecorder } from '../../service/src/engagement/facts.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { createInboundIntake, type IntakeOutcome } from '../../service/src/inbound/intake.js';
import { type InboundListener, startInboundListener } from '../../service/src/mail/inbound/listener.js';
import { BOUNCE_DOMAIN, SECRET, type Seeded, seededStore } from './helpers.js';
import { deliver, fixture } from './inbound-support.js';

let s: Seeded;
let listener: InboundListener;
let outcomes: IntakeOutcome[];
let blocked: string[];

async function start(opts: { softBounceLimit?: number; maxBytes?: number } = {}) {
  s = await seededStore({ n: 3 });
  const lookup = createRecipientLookup(s.store);
  blocked = [];
  const facts = createFactRecorder({
    store: s.store,
    lookup,
    softBounceLimit: opts.softBounceLimit ?? 3,
    onBlock: (r, reason) => blocked.push(`${r.email}: ${reason}`),
  });
  const intake = createInboundIntake({ facts, lookup });
  outcomes = [];
  listener = await startInboundListener({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    bounceDomain: BOUNCE_DOMAIN,
    maxBytes: opts.maxBytes,
    handle: async (route, report) => {
      const o = await intake.handle(route, report);
      outcomes.push(o);
      return o;
    },
  });
}

beforeEach(() => start());
afterEach(async () => {
  await listener?.close();
  s?.store.close();
});

const verp = (rowId: number) => verpAddress(SECRET, rowId, BOUNCE_DOMAIN);
function send(name: string, row = s.rows[0], over: Partial<{ verp: string; messageId: string; to: string }> = {}) {
  const v = { verp: over.verp ?? verp(row.rowId), rcpt: row.email, messageId: over.messageId ?? row.messageId };
  return deliver(listener.port, [over.to ?? v.verp], fixture(name, v));
}
const suppression = async (row = s.rows[0]) => await s.store.suppressions.get(row.email.toLowerCase());
const outbox = async () => await s.store.outbox.stats();

describe('DSNs in the shapes real MTAs produce', () => {
  it.each<[string, string, string]>([
    ['postfix-user-unknown.eml', 'hard', 'text.recipient-unknown'],
    ['exim-no-such-user.eml', 'hard', 'text.recipient-unknown'],
    ['gmail-no-account.eml', 'hard', 'status.5.1.x'],
    ['m365-recipient-not-found.eml', 'hard', 'text.ms-recipient-not-found'],
  ])('%s is a hard bounce: suppressed, queued for Sugar', async (name, kind, rule) => {
    expect(await send(name)).toEqual({ ok: true });
    expect(outcomes).toEqual([{ result: 'bounce', rowId: s.rows[0].rowId, kind, rule, recorded: true }]);
    expect(await suppression()).toMatchObject({ reason: 'hard_bounce' });
    expect((await outbox()).pending).toBe(1);
    expect((await s.store.engagement.summary(s.campaignId)).facts.hard_bounce).toBe(1);
  });

  it.each([
    ['postfix-mailbox-full.eml', 'text.mailbox-full'],
    ['exim-retry-timeout.eml', 'default.soft'],
  ])('%s is soft: counted, not suppressed below the limit', async (name, rule) => {
    await send(name);
    expect(outcomes).toEqual([{ result: 'bounce', rowId: s.rows[0].rowId, kind: 'soft', rule, recorded: true }]);
    expect(await suppression()).toBeUndefined();
    expect((await outbox()).pending).toBe(0);
    expect(await s.store.engagement.softBounces(s.rows[0].email.toLowerCase())).toBe(1);
  });

  it("Gmail 5.7.26 is a block: that provider is throttled for the campaign's identity, the recipient is not suppressed, the campaign goes on", async () => {
    await send('gmail-unauthenticated.eml');
    expect(outcomes[0]).toMatchObject({ result: 'bounce', kind: 'block' });
    expect(await suppression()).toBeUndefined();
    expect((await s.store.campaigns.get(s.campaignId))?.status).toBe('sending');
    expect(blocked).toEqual([expect.stringMatching(/5\.7\.26/)]);
  });

  it('an ARF abuse report is a complaint: suppressed and opted out', async () => {
    await send('arf-abuse.eml');
    expect(outcomes).toEqual([{ result: 'complaint', rowId: s.rows[0].rowId, recorded: true }]);
    expect(await suppression()).toMatchObject({ reason: 'complaint' });
    expect((await s.store.engagement.summary(s.campaignId)).facts).toMatchObject({ complaint: 1, opt_out: 1 });
    expect((await outbox()).pending).toBe(1);
  });

  it('an ARF complaint to the feedback-loop mailbox is matched through our Message-ID', async () => {
    await send('arf-abuse.eml', s.rows[1], { to: `fbl@${BOUNCE_DOMAIN}` });
    expect(outcomes).toEqual([{ result: 'complaint', rowId: s.rows[1].rowId, recorded: true }]);
  });

  it.each<[string, string]>([
    ['postfix-delayed.eml', 'delayed'],
    ['vacation-reply.eml', 'auto_reply'],
    ['arf-not-spam.eml', 'feedback_type:not-spam'],
    ['report-missing-parts.eml', 'not_a_report'],
  ])('%s is ignored', async (name, reason) => {
    expect(await send(name)).toEqual({ ok: true });
    expect(outcomes).toEqual([{ result: 'ignored', reason }]);
    expect(await suppression()).toBeUndefined();
    expect((await outbox()).pending).toBe(0);
  });

  it('nested garbage with a foreign Message-ID changes nothing', async () => {
    expect(await send('nested-garbage.eml')).toEqual({ ok: true });
    expect(outcomes).toEqual([{ result: 'forged', reason: 'foreign_message_id' }]);
    expect(await suppression()).toBeUndefined();
    expect((await s.store.engagement.summary(s.campaignId)).facts).toMatchObject({ hard_bounce: 0, soft_bounce: 0, block: 0 });
  });

  it('a replayed DSN records nothing new', async () => {
    await send('postfix-user-unknown.eml');
    await send('postfix-user-unknown.eml');
    expect(outcomes.map((o) => 'recorded' in o && o.recorded)).toEqual([true, false]);
    expect(await s.store.events.list(s.campaignId, { type: 'bounce', limit: 10 })).toHaveLength(1);
  });
});

describe('forged reports', () => {
  it('refuses a VERP address with a bad signature at RCPT', async () => {
    const bad = verp(s.rows[0].rowId).replace(/-([a-z2-7])([a-z2-7]{15})@/, (_m, c: string, rest: string) => `-${c === 'a' ? 'b' : 'a'}${rest}@`);
    const res = await send('postfix-user-unknown.eml', s.rows[0], { verp: bad });
    expect(res).toMatchObject({ ok: false, code: 550 });
    expect(outcomes).toEqual([]);
    expect(await suppression()).toBeUndefined();
  });

  it('refuses strangers and plain addresses', async () => {
    expect(await deliver(listener.port, [`postmaster@${BOUNCE_DOMAIN}`], 'Subject: hi\r\n\r\nhello')).toMatchObject({ ok: false, code: 550 });
    expect(await deliver(listener.port, ['someone@elsewhere.example'], 'Subject: hi\r\n\r\nhello')).toMatchObject({ ok: false, code: 550 });
  });

  it('a signed VERP with a foreign Message-ID changes nothing', async () => {
    await send('postfix-user-unknown.eml', s.rows[0], { messageId: '<lf.camp-1.1.forgedforged00@news.example.test>' });
    expect(outcomes).toEqual([{ result: 'forged', reason: 'foreign_message_id' }]);
    expect(await suppression()).toBeUndefined();
    expect((await outbox()).pending).toBe(0);
  });

  it("a VERP of one row carrying another row's Message-ID changes nothing", async () => {
    await send('gmail-no-account.eml', s.rows[0], { messageId: s.rows[1].messageId });
    expect(outcomes).toEqual([{ result: 'forged', reason: 'foreign_message_id' }]);
    expect(await suppression(s.rows[0])).toBeUndefined();
    expect(await suppression(s.rows[1])).toBeUndefined();
  });
});

describe('mailto unsubscribe and limits', () => {
  it('a message to the advertised mailto address opts the recipient out', async () => {
    const to = `unsubscribe+${signToken(SECRET, { k: 'u', r: s.rows[2].rowId })}@${BOUNCE_DOMAIN}`;
    const res = await deliver(listener.port, [to], `From: ${s.rows[2].email}\r\nTo: ${to}\r\nSubject: unsubscribe\r\n\r\nunsubscribe`, s.rows[2].email);
    expect(res).toEqual({ ok: true });
    expect(outcomes).toEqual([{ result: 'optout', rowId: s.rows[2].rowId, recorded: true }]);
    expect(await suppression(s.rows[2])).toMatchObject({ reason: 'unsubscribe' });
  });

  it('refuses a tampered mailto token', async () => {
    const token = signToken(SECRET, { k: 'u', r: s.rows[2].rowId });
    const to = `unsubscribe+${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}@${BOUNCE_DOMAIN}`;
    expect(await deliver(listener.port, [to], 'Subject: x\r\n\r\ny')).toMatchObject({ ok: false, code: 550 });
  });

  it('refuses a message over the size cap with 552 and records nothing', async () => {
    await listener.close();
    s.store.close();
    await start({ maxBytes: 50_000 });
    const big =
      fixture('postfix-user-unknown.eml', { verp: verp(s.rows[0].rowId), rcpt: s.rows[0].email, messageId: s.rows[0].messageId }) +
      '\n' +
      'x'.repeat(76).concat('\n').repeat(2000);
    const res = await deliver(listener.port, [verp(s.rows[0].rowId)], big);
    expect(res).toMatchObject({ ok: false, code: 552 });
    expect(outcomes).toEqual([]);
  });

  it('suppresses after the configured number of soft bounces', async () => {
    await listener.close();
    s.store.close();
    await start({ softBounceLimit: 1 });
    await send('postfix-mailbox-full.eml');
    expect(await suppression()).toMatchObject({ reason: 'soft_bounce_limit' });
    expect((await outbox()).pending).toBe(1);
  });
});

describe('a taken port', () => {
  it('does not fail start-up: the listener keeps trying and takes the port once it is free', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    const port = (squatter.address() as { port: number }).port;
    const errors: object[] = [];
    const late = await startInboundListener({
      port,
      host: '127.0.0.1',
      secret: SECRET,
      bounceDomain: BOUNCE_DOMAIN,
      retryBindMs: 50,
      handle: () => undefined,
      logger: { info: () => undefined, warn: () => undefined, error: (o) => errors.push(o) },
    });
    try {
      expect(late.port).toBe(0);
      expect(errors[0]).toMatchObject({ event: 'inbound.port_in_use', port });
      await new Promise<void>((r) => squatter.close(() => r()));
      for (let i = 0; i < 100 && late.port === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(late.port).toBe(port);
      expect(await deliver(port, [`postmaster@${BOUNCE_DOMAIN}`], 'Subject: x\r\n\r\ny')).toMatchObject({ ok: false, code: 550 }); // it answers SMTP now
    } finally {
      await late.close();
    }
  });
});
