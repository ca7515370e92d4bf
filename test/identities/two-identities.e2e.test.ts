// Issue 16 "Must show": two sender identities with different DKIM keys and relays (two real SMTP servers on
// loopback). Two campaigns send at the same time; each message is signed with its own identity's key (verified
// with mailauth against that identity's public key only), carries its identity's bounce and Message-ID domains,
// and went through its identity's relay; the other relay never saw it. A test send goes the same way.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { approvedIdentity } from '../support/identities.js';
import { makeDkimKey, type Stack, startStack } from '../support/stack.js';
import { addToList, adminClient, createContactList, createList, createPerson, numberedAddresses } from '../support/sugar-seed.js';

let stack: Stack;
const relays: Record<'north' | 'south', SmtpSink> = {} as never;
const keys = { north: makeDkimKey(), south: makeDkimKey() };
const ids: Record<string, string> = {};
let listId: string;
const PEOPLE = 30;

const identityBody = (name: 'north' | 'south') => ({
  name: `${name} identity`,
  fromDomains: [`${name}.example.test`],
  dkim: { domain: `${name}.example.test`, selector: `sel-${name}`, privateKeyPem: keys[name].privatePem },
  relay: { url: `smtp://127.0.0.1:${relays[name].port}`, maxConnections: 3 },
  bounceDomain: `bounces.${name}.example.test`,
});

/** A resolver that knows only one identity's key: a message verifies with it only if that identity signed it. */
const resolverFor = (name: 'north' | 'south') => async (n: string, type: string) => {
  if (type === 'TXT' && n === `sel-${name}._domainkey.${name}.example.test`) return [[`v=DKIM1; k=rsa; p=${keys[name].publicKeyDer.toString('base64')}`]];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

beforeAll(async () => {
  relays.north = await startSmtpSink({ port: 0 });
  relays.south = await startSmtpSink({ port: 0 });
  stack = await startStack({ env: { LEADFWD_SEND_THREADS: '2' } });
  for (const name of ['north', 'south'] as const) ids[name] = await approvedIdentity(stack.api, identityBody(name), 'test relays on loopback');
  const sugar = adminClient(stack.sim.url);
  listId = await createContactList(sugar, 'Both', numberedAddresses('p', PEOPLE));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await relays.north?.close();
  await relays.south?.close();
});

describe('two sender identities', () => {
  it('never answer with a key or a password; they say the key is there, its fingerprint and the record to publish', async () => {
    const view = (await stack.api('GET', `/identities/${ids.north}`)).body;
    expect(view.dkim).toMatchObject({
      hasKey: true,
      selector: 'sel-north',
      fingerprint: expect.stringMatching(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/),
      dnsRecord: { name: 'sel-north._domainkey.north.example.test', type: 'TXT', value: `v=DKIM1; k=rsa; p=${keys.north.publicKeyDer.toString('base64')}` },
    });
    const all = JSON.stringify((await stack.api('GET', '/identities')).body);
    expect(all).not.toContain('PRIVATE KEY');
    expect(all).not.toContain(keys.north.privatePem.split('\n')[1]);
    expect(view.approval).toMatchObject({ how: 'forced' });
    expect(view.audit.map((a: { action: string }) => a.action)).toEqual(['forced', 'created']);
  });

  it('send two campaigns at once, each signed by its own key and carried by its own relay only', async () => {
    const campaign = async (name: 'north' | 'south') => {
      const r = await stack.api(
        'POST',
        '/campaigns',
        campaignBody([listId], {
          name: `From ${name}`,
          subject: `Hello from ${name}`,
          fromName: name,
          fromEmail: `news@${name}.example.test`,
          html: '<p>Hi {{ first_name }} <a href="https://example.org/x">x</a></p>',
          senderIdentityId: ids[name],
        }),
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.senderIdentityId).toBe(ids[name]);
      return r.body.id as string;
    };
    const [north, south] = await Promise.all([campaign('north'), campaign('south')]);
    for (const id of [north, south]) await untilCampaign(stack.api, id, 'sent', `${id} sent`, 30_000);

    for (const name of ['north', 'south'] as const) {
      const other = name === 'north' ? 'south' : 'north';
      const got = relays[name].messages;
      expect(got).toHaveLength(PEOPLE);
      for (const m of got) {
        const raw = m.raw.toString();
        expect(raw).toMatch(new RegExp(`^Subject: Hello from ${name}`, 'm'));
        expect(m.envelope.from).toMatch(new RegExp(`@bounces\\.${name}\\.example\\.test$`));
        expect(raw).toMatch(new RegExp(`^Message-ID: <[^>]+@${name}\\.example\\.test>`, 'm'));
        const mine = await dkimVerify(m.raw, { resolver: resolverFor(name) });
        expect(mine.results[0].status.result, `signed by ${name}`).toBe('pass');
        expect(mine.results[0].signingDomain).toBe(`${name}.example.test`);
        const theirs = await dkimVerify(m.raw, { resolver: resolverFor(other) });
        expect(theirs.results[0].status.result).not.toBe('pass');
      }
    }
    expect(stack.sink.messages).toHaveLength(0); // the default identity's relay carried nothing
  }, 60_000);

  it('a test send goes through the campaign identity relay with its key', async () => {
    const r = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([listId], { name: 'Held south', subject: 'Review me', fromEmail: 'news@south.example.test', senderIdentityId: ids.south, hold: true }),
    );
    const before = { north: relays.north.messages.length, south: relays.south.messages.length };
    const sent = await stack.api('POST', `/campaigns/${r.body.id}/test-send`, { addresses: ['tester@example.org'] });
    expect(sent.body).toMatchObject({ sent: 1 });
    expect(relays.north.messages.length).toBe(before.north);
    const [m] = relays.south.messages.slice(before.south);
    expect((await dkimVerify(m.raw, { resolver: resolverFor('south') })).results[0].status.result).toBe('pass');
    await stack.api('POST', `/campaigns/${r.body.id}/cancel`);
  });

  it("sends as each record's assigned user where the identity allows that address, else from the campaign's From", async () => {
    const team = await approvedIdentity(stack.api, {
      ...identityBody('north'),
      name: 'Sales team',
      fromDomains: ['north.example.test'],
      fromAddresses: ['sally@example.com'],
    });
    const sugar = adminClient(stack.sim.url);
    const bySally = await createPerson(sugar, {
      module: 'Contacts',
      first_name: 'Sal',
      emails: [{ address: 'of-sally@example.org' }],
      fields: { assigned_user_id: 'seed_sally_id' },
    });
    const byMax = await createPerson(sugar, {
      module: 'Contacts',
      first_name: 'Mac',
      emails: [{ address: 'of-max@example.org' }],
      fields: { assigned_user_id: 'seed_max_id' },
    });
    const list = await createList(sugar, 'Owned');
    await addToList(sugar, list, 'Contacts', [bySally, byMax]);
    const before = relays.north.messages.length;
    const r = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([list], {
        name: 'From your account manager',
        fromName: 'Sales',
        fromEmail: 'sales@north.example.test',
        senderIdentityId: team,
        sendAsAssignedUser: true,
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await untilCampaign(stack.api, r.body.id, 'sent', 'sent');
    const from = (to: string) =>
      /^From: (.*)$/m
        .exec(
          relays.north.messages
            .slice(before)
            .find((m) => m.envelope.to[0] === to)!
            .raw.toString(),
        )![1]
        .trim();
    expect(from('of-sally@example.org')).toMatch(/^"?Sally [^<]*"? <sally@example\.com>$/);
    expect(from('of-max@example.org')).toBe('"Sales" <sales@north.example.test>'); // max@example.com is not the identity's
  });

  it("the deliverability view counts each identity's own messages, per provider group and day", async () => {
    const d = (await stack.api('GET', `/identities/${ids.north}/deliverability?days=7`)).body;
    expect(d.totals).toMatchObject({ accepted: PEOPLE, complaints: 0, hardBounces: 0 });
    expect(d.days).toEqual([expect.objectContaining({ day: new Date().toISOString().slice(0, 10), provider: 'other', accepted: PEOPLE })]);
  });
});
