// Issue 16 "Must show": readiness checks of an identity against a real DNS server on loopback with good and broken
// records. Good: the published DKIM key is the identity's, the relay's address passes the bounce domain's SPF,
// DMARC exists and aligns, the relay's address has forward-confirmed reverse DNS, messages carry one-click
// unsubscribe, DMARC enforces enough for BIMI; the identity may then send. Broken: each check says what is wrong
// and what to publish, and no campaign can be created with the identity until it passes or an administrator forces
// it (audited). Strict alignment is judged strictly (mailauth 4.13.3 would call a subdomain aligned).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody } from '../support/campaigns.js';
import { type DnsRecords, type LocalDns, reverseName, startDnsServer } from '../support/dns-server.js';
import { makeDkimKey, type Stack, startStack } from '../support/stack.js';
import { adminClient, createContactList } from '../support/sugar-seed.js';

let stack: Stack;
let dns: LocalDns;
let listId: string;
const key = makeDkimKey();
const otherKey = makeDkimKey();
const pub = (k: ReturnType<typeof makeDkimKey>) => k.publicKeyDer.toString('base64');

const GOOD: DnsRecords = {
  TXT: {
    's1._domainkey.good.example.test': [`v=DKIM1; k=rsa; p=${pub(key)}`],
    'bounces.good.example.test': ['v=spf1 ip4:127.0.0.1 -all'],
    '_dmarc.good.example.test': ['v=DMARC1; p=reject; adkim=s; aspf=r; rua=mailto:dmarc@good.example.test'],
    'mail.strict.example.test': [],
    's1._domainkey.mail.strict.example.test': [`v=DKIM1; k=rsa; p=${pub(key)}`],
    'bounces.strict.example.test': ['v=spf1 ip4:127.0.0.1 -all'],
    '_dmarc.strict.example.test': ['v=DMARC1; p=quarantine; adkim=s; aspf=s; pct=50'],
  },
  A: { 'relay.good.example.test': ['127.0.0.1'] },
  PTR: { [reverseName('127.0.0.1')]: ['relay.good.example.test'] },
};

const BROKEN: DnsRecords = {
  TXT: {
    's1._domainkey.good.example.test': [`v=DKIM1; k=rsa; p=${pub(otherKey)}`], // someone else's key
    'bounces.good.example.test': ['v=spf1 ip4:10.1.2.3 -all'], // not the relay
    // no DMARC at all
  },
  A: { 'relay.good.example.test': ['127.0.0.9'] }, // the PTR name does not point back
  PTR: { [reverseName('127.0.0.1')]: ['relay.good.example.test'] },
};

const identity = (name: string, domain: string, dkimDomain = domain) => ({
  name,
  fromDomains: [domain],
  dkim: { domain: dkimDomain, selector: 's1', privateKeyPem: key.privatePem },
  relay: { url: 'smtp://127.0.0.1:2599' },
  bounceDomain: `bounces.${domain}`,
});

beforeAll(async () => {
  dns = await startDnsServer(GOOD);
  stack = await startStack({ env: { LEADFWD_DNS_SERVERS: dns.server } });
  const sugar = adminClient(stack.sim.url);
  listId = await createContactList(sugar, 'One', ['one@example.org']);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await dns?.close();
});

const checks = (r: { checks: Array<{ id: string; ok: boolean }> }) => Object.fromEntries(r.checks.map((c) => [c.id, c.ok]));

describe('readiness of a sender identity', () => {
  let good: string;

  it('a new identity may not send before its readiness passed', async () => {
    good = (await stack.api('POST', '/identities', identity('Good', 'good.example.test'))).body.id;
    const r = await stack.api('POST', '/campaigns', campaignBody([listId], { name: 'Too early', fromEmail: 'news@good.example.test', senderIdentityId: good }));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'identity_not_ready', message: expect.stringMatching(/has not passed its readiness check/) });
  });

  it('good records: every check passes, and passing approves the identity', async () => {
    const r = (await stack.api('GET', `/identities/${good}/readiness`)).body;
    expect(checks(r)).toEqual({ dkim: true, spf: true, dmarc: true, alignment: true, bimi: true, rdns: true, unsubscribe: true });
    expect(r.ok).toBe(true);
    expect(r.approved).toBe(true);
    expect(r.checks.find((c: { id: string }) => c.id === 'rdns').detail).toBe('127.0.0.1 → relay.good.example.test → 127.0.0.1');
    // http:// tracking links in tests: fine for one-click, but the check says Gmail and Yahoo want https.
    expect(r.checks.find((c: { id: string }) => c.id === 'unsubscribe').fix).toMatch(/LEADFWD_PUBLIC_URL to an https/);
    const view = (await stack.api('GET', `/identities/${good}`)).body;
    expect(view.approval).toMatchObject({ how: 'readiness' });
    expect(view.readiness.ok).toBe(true);
  });

  it('broken records: each check says what is wrong and what to publish', async () => {
    dns.set(BROKEN);
    const other = (await stack.api('POST', '/identities', identity('Good again', 'good.example.test'))).body.id;
    const r = (await stack.api('GET', `/identities/${other}/readiness`)).body;
    expect(r.ok).toBe(false);
    expect(r.approved).toBe(false);
    const by = Object.fromEntries(r.checks.map((c: { id: string }) => [c.id, c]));
    expect(by.dkim).toMatchObject({
      ok: false,
      detail: "the key published at s1._domainkey.good.example.test is not this identity's key",
      fix: expect.stringContaining(`s1._domainkey.good.example.test TXT "v=DKIM1; k=rsa; p=${pub(key)}"`),
    });
    expect(by.spf).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/bounces\.good\.example\.test does not let the relay send \(127\.0\.0\.1: fail\)/),
    });
    expect(by.spf.fix).toContain('ip4:127.0.0.1');
    expect(by.dmarc).toMatchObject({
      ok: false,
      detail: 'no DMARC record at _dmarc.good.example.test',
      fix: expect.stringContaining('_dmarc.good.example.test TXT "v=DMARC1; p=none'),
    });
    expect(by.rdns).toMatchObject({ ok: false, detail: '127.0.0.1 → relay.good.example.test, which does not point back to 127.0.0.1' });
    expect(by.bimi.ok).toBe(false);

    // A key that does not match its DNS record: refused before anything is sent, naming what fails.
    const refused = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([listId], { name: 'Mismatched key', fromEmail: 'news@good.example.test', senderIdentityId: other }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('identity_not_ready');
    expect(refused.body.message).toContain("is not this identity's key");
    expect(refused.body.details.failing.map((f: { id: string }) => f.id)).toEqual(['dkim', 'spf', 'dmarc', 'alignment']);

    // An administrator may still let it send; that is recorded with what was failing.
    const forced = (await stack.api('POST', `/identities/${other}/approve`, { force: true, reason: 'DNS change is on its way' })).body;
    expect(forced.approval).toMatchObject({ how: 'forced', by: 'api-key' });
    expect(forced.audit[0]).toMatchObject({ action: 'forced', detail: 'DNS change is on its way; failing checks: dkim, spf, dmarc, alignment' });
    expect((await stack.api('POST', `/identities/${other}/approve`, { force: false })).status).toBe(422);
  });

  it('strict alignment is strict: a DKIM subdomain and a bounce subdomain do not align with adkim=s / aspf=s; BIMI needs pct=100', async () => {
    dns.set(GOOD);
    const strict = (await stack.api('POST', '/identities', identity('Strict', 'strict.example.test', 'mail.strict.example.test'))).body.id;
    const r = (await stack.api('GET', `/identities/${strict}/readiness`)).body;
    const by = Object.fromEntries(r.checks.map((c: { id: string }) => [c.id, c]));
    expect(by.dkim.ok).toBe(true);
    expect(by.dmarc.ok).toBe(true);
    expect(by.alignment).toMatchObject({
      ok: false,
      detail: 'strict.example.test aligns with neither DKIM d=mail.strict.example.test (strict) nor the bounce domain bounces.strict.example.test (strict)',
      fix: 'sign with d=strict.example.test',
    });
    expect(by.bimi).toMatchObject({ ok: false, detail: 'strict.example.test: p=quarantine, pct=50' });
    // Relaxed, the same records align.
    dns.set({ ...GOOD, TXT: { ...GOOD.TXT, '_dmarc.strict.example.test': ['v=DMARC1; p=quarantine'] } });
    const relaxed = (await stack.api('GET', `/identities/${strict}/readiness`)).body;
    expect(checks(relaxed)).toMatchObject({ alignment: true, bimi: true });
  });
});
