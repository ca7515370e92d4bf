// Real SMTP: createSmtpTransport -> startSmtpSink on port 0, then what arrived is parsed and checked.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerp } from '../../service/src/domain/verp.js';
import { type BuiltMessage, buildMessage } from '../../service/src/mail/message.js';
import { mailFileName, type SinkBehaviour, type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { createSmtpTransport, type SmtpTransport } from '../../service/src/mail/smtp-transport.js';
import { type CompiledCampaign, compileCampaign } from '../../service/src/mail/template.js';
import { ctx, dkimResolver, testKeys } from './helpers.js';

const DOMAIN = 'acme.example';
const SELECTOR = 'lf2026';
const behaviours: Record<string, SinkBehaviour> = {
  'full@example.org': { code: 552, message: '5.2.2 Mailbox full' },
  'unknown@example.org': { code: 550, message: '5.1.1 No such user here' },
  'later@example.org': { code: 451, message: '4.3.0 Try again later' },
  'spam@example.org': { code: 554, message: '5.7.1 Message rejected as spam', at: 'data' },
  'drop@example.org': 'drop-after-data',
};

let sink: SmtpSink;
let transport: SmtpTransport;
let campaign: CompiledCampaign;
let dir: string;
let row = 1000;

const message = (email: string, fields: Record<string, string> = {}, trackingConsent = true): BuiltMessage =>
  buildMessage(campaign, { rowId: row++, email, fields, trackingConsent }, ctx);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lf-sink-'));
  sink = await startSmtpSink({ port: 0, dir, behaviour: (rcpt) => behaviours[rcpt] ?? 'accept' });
  transport = createSmtpTransport({
    smtpUrl: `smtp://127.0.0.1:${sink.port}`,
    maxConnections: 2,
    dkim: { domainName: DOMAIN, keySelector: SELECTOR, privateKeyPem: testKeys().pem },
  });
  campaign = await compileCampaign({
    campaignId: 'smtp-test',
    subject: 'News for {{ first_name | default: "you" }}',
    fromName: 'ACME News',
    fromEmail: `news@${DOMAIN}`,
    mjml: '<mjml><mj-body><mj-section><mj-column><mj-text><h1>Hello {{ first_name }}</h1><p>Your company: {{ account_name }}</p><a href="https://acme.example/deal?utm_source=lf">Deal</a></mj-text></mj-column></mj-section></mj-body></mjml>',
  });
});

afterAll(async () => {
  transport?.close();
  await sink?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sendAndReceive(m: BuiltMessage) {
  const before = sink.messages.length;
  const result = await transport.send(m);
  expect(result).toMatchObject({ outcome: 'accepted', code: 250 });
  expect(sink.messages.length).toBe(before + 1);
  return sink.messages[before];
}

describe('createSmtpTransport -> startSmtpSink', () => {
  it('delivers a signed multipart/alternative message with every required header', async () => {
    const m = message('ann@example.org', { first_name: 'Ann', account_name: '<b>Acme</b> & "Co"' });
    const received = await sendAndReceive(m);
    expect(received.envelope.to).toEqual(['ann@example.org']);
    expect(parseVerp(ctx.secret, received.envelope.from, ctx.bounceDomain)).toBe(row - 1);

    const raw = received.raw.toString('utf8');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    const topContentType = /^Content-Type: (.*)$/m.exec(head)![1];
    expect(topContentType).toMatch(/^multipart\/alternative; boundary=/);
    const parsed = await PostalMime.parse(received.raw);
    expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
    expect(parsed.to).toEqual([{ address: 'ann@example.org', name: '' }]);
    expect(parsed.messageId).toBe(m.messageId);
    const h = (name: string) => parsed.headers.filter((x) => x.key === name).map((x) => x.value);
    expect(h('list-unsubscribe')).toHaveLength(1);
    expect(h('list-unsubscribe')[0].replace(/\s+/g, ' ')).toMatch(
      /^<https:\/\/t\.acme\.example\/u\/[^>]+>, <mailto:unsubscribe\+[^@>]+@bounces\.acme\.example>$/,
    );
    expect(h('list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(h('feedback-id')).toEqual(['smtp-test:campaign:leadfwd']);
    expect(parsed.html).toContain('Your company: &lt;b&gt;Acme&lt;/b&gt; &amp; &#34;Co&#34;');
    expect(parsed.text).toContain('Your company: <b>Acme</b> & "Co"');

    const dkim = await dkimVerify(received.raw, { resolver: dkimResolver(SELECTOR, DOMAIN) });
    expect(dkim.results).toHaveLength(1);
    expect(dkim.results[0].status.result).toBe('pass');
    const signed = /\bh=([^;]+)/
      .exec(raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' '))![1]
      .split(':')
      .map((s) => s.trim());
    expect(signed).toEqual(
      expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'feedback-id', 'content-type']),
    );
  });

  it('fails DKIM verification when a signed header is altered in transit', async () => {
    const received = await sendAndReceive(message('tamper@example.org', { first_name: 'T' }));
    const altered = Buffer.from(
      received.raw.toString('utf8').replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: List-Unsubscribe=Two-Click'),
    );
    const dkim = await dkimVerify(altered, { resolver: dkimResolver(SELECTOR, DOMAIN) });
    expect(dkim.results[0].status.result).toBe('fail');
  });

  it('sends a target without consent a message with no pixel and untouched links', async () => {
    const received = await sendAndReceive(message('private@example.org', { first_name: 'P' }, false));
    const parsed = await PostalMime.parse(received.raw);
    expect(parsed.html).not.toMatch(/\/t\/[oc]\//);
    expect(parsed.html).toContain('href="https://acme.example/deal?utm_source=lf"');
  });

  it('writes each received message as an .eml file named after its time, recipient and number', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBe(sink.messages.length);
    const first = files.find((f) => f.endsWith('_1.eml'))!;
    expect(first).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}_${sink.messages[0].envelope.to[0].replace(/[.+]/g, '\\$&')}_1\\.eml$`));
    expect(readFileSync(join(dir, first))).toEqual(sink.messages[0].raw);
    expect(mailFileName(new Date('2026-12-03T10:01:02Z'), 'a/b c@x.org', 3)).toBe('2026-12-03T10-01-02_a_b_c@x.org_3.eml');
  });

  it.each<[string, object]>([
    ['full@example.org', { outcome: 'retryable', code: 552, enhanced: '5.2.2' }],
    ['unknown@example.org', { outcome: 'permanent', code: 550, enhanced: '5.1.1' }],
    ['later@example.org', { outcome: 'retryable', code: 451, enhanced: '4.3.0' }],
    ['spam@example.org', { outcome: 'permanent', code: 554, enhanced: '5.7.1', policy: true }],
    ['drop@example.org', { outcome: 'uncertain' }],
  ])('classifies what the server does to %s', async (email, expected) => {
    const before = sink.messages.length;
    const result = await transport.send(message(email));
    expect(result).toMatchObject(expected);
    expect(result.text.length).toBeGreaterThan(0);
    expect(sink.messages.length).toBe(before); // nothing was kept for these recipients
  });

  it('keeps delivering over the pool after a dropped connection', async () => {
    await sendAndReceive(message('after-drop@example.org'));
  });

  it('reports a refused connection as retryable without throwing', async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    const t = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${port}` });
    try {
      expect(await t.send(message('x@example.org'))).toMatchObject({ outcome: 'retryable' });
    } finally {
      t.close();
    }
  });

  it('signs on worker threads with the same result as inline signing', async () => {
    const pooled = createSmtpTransport({
      smtpUrl: `smtp://127.0.0.1:${sink.port}`,
      dkimWorkers: 2,
      dkim: { domainName: DOMAIN, keySelector: SELECTOR, privateKeyPem: testKeys().pem },
    });
    try {
      const before = sink.messages.length;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pooled.send(message(`pool${i}@example.org`))));
      expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
      for (const received of sink.messages.slice(before)) {
        const dkim = await dkimVerify(received.raw, { resolver: dkimResolver(SELECTOR, DOMAIN) });
        expect(dkim.results[0].status.result).toBe('pass');
      }
    } finally {
      pooled.close();
    }
  });

  it('refuses a bad DKIM key or SMTP URL at creation, not at send time', () => {
    expect(() => createSmtpTransport({ smtpUrl: 'smtp://127.0.0.1:25', dkim: { domainName: DOMAIN, keySelector: 's', privateKeyPem: 'not a key' } })).toThrow(
      /DKIM private key/,
    );
    expect(() => createSmtpTransport({ smtpUrl: 'http://127.0.0.1:25' })).toThrow(/smtp:\/\//);
    expect(() => createSmtpTransport({ smtpUrl: 'smtp://127.0.0.1:25?bogus=1' })).toThrow(/bogus/);
  });
});
