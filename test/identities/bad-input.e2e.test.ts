// Issue 16 "Bad input": each refused with a clear error before anything is sent, and nothing ever goes through
// the wrong identity. A From outside the identity; deleting an identity in use; a relay that refuses the
// identity's login ("test connection" says so, and a send pauses the identity instead of failing recipients);
// a warm-up plan that cannot fit the campaign (the review says so, confirm refuses, an unheld campaign fails
// before sending); malformed identities; and who may see, pick and manage identities through Sugar's relay.
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { approvedIdentity, identityBody } from '../support/identities.js';
import { expectProblems } from '../support/refusals.js';
import { pairSugar, type RelayCall, relayAs } from '../support/relay.js';
import { makeDkimKey, type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';

let stack: Stack;
let relay: SmtpSink;
let locked: SMTPServer;
let lockedPort: number;
let lockedAccepted = 0;
let listId: string;
let bigListId: string;
const ids: Record<string, string> = {};

const body = (name: string, over: Record<string, unknown> = {}) => identityBody(name, relay.port, { fromAddresses: [], ...over });
const newIdentity = (name: string, over: Record<string, unknown> = {}) => approvedIdentity(stack.api, body(name, over));
const campaign = (over: Record<string, unknown>) =>
  stack.api('POST', '/campaigns', { name: 'C', subject: 'Hi', fromName: 'A', html: '<p>Hi</p>', targetListIds: [listId], ...over });
const view = async (id: string) => (await stack.api('GET', `/campaigns/${id}`)).body;

beforeAll(async () => {
  relay = await startSmtpSink({ port: 0 });
  // A relay that wants a login and refuses ours.
  locked = new SMTPServer({
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (_auth, _session, cb) => cb(new Error('5.7.8 Authentication credentials invalid')),
    onData: (stream, _s, cb) => {
      stream.resume();
      stream.on('end', () => {
        lockedAccepted++;
        cb();
      });
    },
  });
  await new Promise<void>((r) => locked.listen(0, '127.0.0.1', () => r()));
  lockedPort = (locked.server.address() as { port: number }).port;
  stack = await startStack({ env: { LEADFWD_SEND_THREADS: '0' } });
  await pairSugar(stack);
  const sugar = adminClient(stack.sim.url);
  listId = await createContactList(sugar, 'Few', numberedAddresses('few', 3));
  bigListId = await createContactList(sugar, 'Seventy', numberedAddresses('m', 70));
  ids.brand = await newIdentity('brand', { fromAddresses: ['ceo@corp.example.test'] });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await relay?.close();
  await new Promise((r) => locked?.close(() => r(undefined)));
});

describe('bad input', () => {
  it('a From outside the identity is refused, naming what the identity allows', async () => {
    const r = await campaign({ fromEmail: 'news@elsewhere.example.test', senderIdentityId: ids.brand });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      error: 'sender_not_allowed',
      message: 'fromEmail news@elsewhere.example.test is not an address sender identity "brand" may send as (brand.example.test, ceo@corp.example.test)',
    });
    // One exact address outside its domains is allowed; its neighbour is not.
    expect((await campaign({ fromEmail: 'ceo@corp.example.test', senderIdentityId: ids.brand, hold: true })).status).toBe(201);
    expect((await campaign({ fromEmail: 'cfo@corp.example.test', senderIdentityId: ids.brand })).status).toBe(422);
    expect((await campaign({ fromEmail: 'news@brand.example.test', senderIdentityId: 'no-such-identity' })).body.error).toBe('unknown_identity');
    // The default identity (from LEADFWD_SENDER_DOMAINS) keeps the old rule and the old code.
    expect((await campaign({ fromEmail: 'news@brand.example.test' })).body.error).toBe('sender_not_allowed');
    expect(relay.messages).toHaveLength(0);
  });

  it('deleting an identity in use is refused (409) with what uses it; the default too; an unused one goes', async () => {
    const held = (await campaign({ fromEmail: 'news@brand.example.test', senderIdentityId: ids.brand, hold: true })).body.id;
    const r = await stack.api('DELETE', `/identities/${ids.brand}`);
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('identity_in_use');
    expect(r.body.details.campaigns).toContain(held);
    const def = (await stack.api('GET', '/identities')).body.identities.find((i: { isDefault: boolean }) => i.isDefault);
    expect((await stack.api('DELETE', `/identities/${def.id}`)).body).toMatchObject({ error: 'identity_in_use', message: expect.stringMatching(/default/) });
    const spare = await newIdentity('spare');
    expect((await stack.api('DELETE', `/identities/${spare}`)).status).toBe(204);
    expect((await stack.api('GET', `/identities/${spare}`)).status).toBe(404);
  });

  it('a relay that refuses the login: "test connection" says so, and a send pauses the identity without failing anyone', async () => {
    const id = await newIdentity('locked', { relay: { url: `smtp://127.0.0.1:${lockedPort}`, username: 'leadfwd', password: 'wrong-password' } });
    const test = (await stack.api('POST', `/identities/${id}/test`)).body;
    expect(test).toMatchObject({ ok: false, relay: `smtp://127.0.0.1:${lockedPort}`, error: expect.stringMatching(/535.*Authentication credentials invalid/) });
    expect(JSON.stringify(test)).not.toContain('wrong-password');
    expect((await stack.api('POST', `/identities/${ids.brand}/test`)).body).toEqual({ ok: true, relay: `smtp://127.0.0.1:${relay.port}` });

    const c = (await campaign({ fromEmail: 'news@locked.example.test', senderIdentityId: id })).body.id;
    const paused = await waitFor(async () => {
      const v = await view(c);
      return v.status === 'paused' ? v : undefined;
    }, 'paused by the relay');
    expect(paused.history.at(-1).reason).toMatch(/^sender identity "locked" paused: the relay refused it: the relay refused the identity's login: 535/);
    const identity = (await stack.api('GET', `/identities/${id}`)).body;
    expect(identity.paused).toMatchObject({ by: 'relay' });
    expect(identity.relay).toEqual({ url: `smtp://127.0.0.1:${lockedPort}`, username: 'leadfwd', hasPassword: true, maxConnections: 5 });
    const rows = await stack.service.store.recipients.list(c, { limit: 10, offset: 0 });
    expect(rows.every((r) => r.state === 'queued')).toBe(true); // nobody failed, nobody suppressed
    expect((await stack.service.store.engagement.summary(c)).facts).toMatchObject({ hard_bounce: 0, block: 0 });
    expect(lockedAccepted).toBe(0);
  });

  it('a warm-up plan that cannot fit: the review says so, confirm refuses, and an unheld campaign fails before sending', async () => {
    const id = await newIdentity('slow', { warmup: { startDate: new Date().toISOString().slice(0, 10), startPerDay: 1, growth: 1, targetPerDay: 2 } });
    const held = (await campaign({ fromEmail: 'news@slow.example.test', senderIdentityId: id, targetListIds: [bigListId], hold: true })).body.id;
    const v = await waitFor(async () => {
      const x = await view(held);
      return x.status === 'pending' ? x : undefined;
    }, 'held and counted');
    expect(v.schedule).toMatchObject({ fits: false, limitedBy: ['warmup'] });
    expect(v.schedule.days).toHaveLength(60);
    const confirm = await stack.api('POST', `/campaigns/${held}/confirm`, {});
    expect(confirm.status).toBe(422);
    expect(confirm.body).toMatchObject({
      error: 'schedule_does_not_fit',
      message: expect.stringMatching(/can send only 60 of this campaign's messages within 60 days/),
    });

    const unheld = (await campaign({ fromEmail: 'news@slow.example.test', senderIdentityId: id, targetListIds: [bigListId] })).body.id;
    const failed = await waitFor(async () => {
      const x = await view(unheld);
      return x.status === 'failed' ? x : undefined;
    }, 'failed');
    expect(failed.history.at(-1).reason).toMatch(/^nothing was sent: sender identity "slow" can send only 60/);
    expect(relay.messages).toHaveLength(0);
  });

  it('malformed identities are refused with every problem', async () => {
    const r = await stack.api('POST', '/identities', {
      name: '',
      fromDomains: ['not a domain'],
      relay: { url: 'http://relay.example.test?fast=1' },
      bounceDomain: 'bounces',
      rate: { perSecond: 0 },
    });
    expectProblems(r, 'invalid_identity', [
      'name is required (at most 100 characters)',
      'fromDomains[] must be a domain name',
      'relay.url must start with smtp:// or smtps://',
      'bounceDomain must be a domain name',
      'rate.perSecond must be a whole number from 1 to 100000',
    ]);
    const key = await stack.api('POST', '/identities', body('badkey', { dkim: { domain: 'badkey.example.test', selector: 's1', privateKeyPem: 'not a key' } }));
    expect(key.body.details.problems).toEqual(['dkim.privateKeyPem cannot be read as an RSA private key (PEM)']);
    const plan = await stack.api('POST', '/identities', body('badplan', { warmup: { startDate: 'soon', startPerDay: 10, growth: 0, targetPerDay: 5 } }));
    expect(plan.body.details.problems).toEqual(['warmup.startDate must be a date (YYYY-MM-DD)', 'warmup.growth must be a number from 1 to 10']);
    // The relay URL's encoding was refused on its own, before the problems found with it.
    const both = await stack.api('POST', '/identities', {
      ...body('badurl', { warmup: { startDate: 'soon', startPerDay: 10, growth: 2, targetPerDay: 50 } }),
      relay: { url: `smtp://%ff@127.0.0.1:${relay.port}` },
    });
    expect(both.body.details.problems).toEqual([
      "The relay URL's user name is not valid percent-encoding (write a '%' as %25)",
      'warmup.startDate must be a date (YYYY-MM-DD)',
    ]);
    const another = makeDkimKey();
    expect(
      (await stack.api('POST', '/identities', body('brand', { dkim: { domain: 'x.example.test', selector: 's', privateKeyPem: another.privatePem } }))).body,
    ).toMatchObject({ error: 'invalid_identity', message: 'A sender identity is already called "brand"' });
  });
});

describe('who may see, pick and manage identities (through Sugar)', () => {
  let sally: RelayCall;
  let admin: RelayCall;

  beforeAll(async () => {
    sally = await relayAs(stack, 'sally');
    admin = await relayAs(stack, 'admin');
    ids.maxOnly = await newIdentity('maxonly', { users: ['max'] });
    ids.sallyCased = await newIdentity('sallycased', { users: ['Sally'] });
  });

  it('names users as Sugar finds them, whatever the case an administrator typed', async () => {
    const names = (await sally('GET', 'identities')).body.identities.map((i: { name: string }) => i.name);
    expect(names).toContain('sallycased');
  });

  it('users list the identities they may pick, without relay, key or settings', async () => {
    const mine = (await sally('GET', 'identities')).body.identities;
    const names = mine.map((i: { name: string }) => i.name);
    expect(names).toContain('brand');
    expect(names).not.toContain('maxonly');
    expect(Object.keys(mine.find((i: { name: string }) => i.name === 'brand')).sort()).toEqual(['fromAddresses', 'fromDomains', 'id', 'isDefault', 'name']);
  });

  it('only administrators manage them', async () => {
    expect((await sally('POST', 'identities', body('sallys'))).body.error).toBe('admin_only');
    expect((await sally('GET', `identities/${ids.brand}/readiness`)).status).toBe(403);
    expect((await sally('POST', `identities/${ids.brand}/pause`, {})).status).toBe(403);
    const full = (await admin('GET', `identities/${ids.brand}`)).body;
    expect(full.dkim.hasKey).toBe(true);
  });

  it('a user may not send as an identity that is not theirs', async () => {
    const r = await sally('POST', 'campaigns', {
      name: 'Not mine',
      subject: 'Hi',
      fromName: 'S',
      fromEmail: 'news@maxonly.example.test',
      html: '<p>Hi</p>',
      targetListIds: [listId],
      senderIdentityId: ids.maxOnly,
    });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: 'identity_not_allowed', message: 'You may not send as the sender identity "maxonly"' });
  });
});
