import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { personCheck, verifyToken } from '../../service/src/domain/tokens.js';
import { parseVerp } from '../../service/src/domain/verp.js';
import { acmeCampaign, ctx, messageTo } from './helpers.js';

const html =
  '<html><body><h1>Hi {{ first_name }}</h1><p><a href="https://acme.example/offer?utm_source=lf&amp;utm_medium=email">Offer</a> <a href="https://acme.example/more">More</a> <a href="https://acme.example/offer?utm_source=lf&amp;utm_medium=email">Again</a> <a href="mailto:sales@acme.example">Mail us</a></p></body></html>';
const campaign = await acmeCampaign({
  campaignId: 'msg-test',
  subject: 'Offer for {{ first_name }}',
  fromName: 'ACME News',
  replyTo: 'sales@acme.example',
  html,
});
const headerLines = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).split(/\r\n(?![ \t])/);

describe('buildMessage', () => {
  const built = messageTo(campaign, { rowId: 321, email: 'Ann@Example.org', fields: { first_name: 'Ann' } });

  it('sets a signed VERP envelope sender and the single recipient, spelled as stored', () => {
    expect(parseVerp(ctx.secret, built.envelope.from, ctx.bounceDomain)).toBe(321);
    expect(built.envelope.to).toEqual(['Ann@Example.org']);
  });

  it('writes each required header exactly once, with one List-Unsubscribe holding https then mailto', () => {
    const lines = headerLines(built.raw);
    const count = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':')).length;
    for (const name of [
      'From',
      'To',
      'Subject',
      'Date',
      'Message-ID',
      'MIME-Version',
      'List-Unsubscribe',
      'List-Unsubscribe-Post',
      'Feedback-ID',
      'Reply-To',
      'Content-Type',
    ]) {
      expect(count(name), name).toBe(1);
    }
    expect(count('Return-Path')).toBe(0);
    const lu = lines.find((l) => l.startsWith('List-Unsubscribe:'))!.replace(/\r\n /g, ' ');
    const m = /^List-Unsubscribe: <(https:\/\/t\.acme\.example\/u\/([^>]+))>, <mailto:unsubscribe\+([^@]+)@bounces\.acme\.example>$/.exec(lu);
    expect(m).not.toBeNull();
    // Every token names the person too (the row's campaign and address, keyed), as a row id alone may not after a failover.
    const p = personCheck(ctx.secret, { campaignId: 'msg-test', email: 'Ann@Example.org' });
    expect(verifyToken(ctx.secret, m![2], 'u')).toEqual({ k: 'u', r: 321, p });
    expect(m![3]).toBe(m![2]);
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines).toContain('Feedback-ID: msg-test:campaign:leadfwd');
    expect(built.messageId).toMatch(/^<lf\.msg-test\.321\.[A-Za-z0-9_-]+@acme\.example>$/);
    expect(lines).toContain(`Message-ID: ${built.messageId}`);
  });

  it('keeps lines short and the message 7-bit clean', () => {
    for (const line of built.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(built.raw).toMatch(/^[\x00-\x7f]*$/);
    expect(built.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('parses as multipart/alternative with text first, tracked links and a pixel', async () => {
    const parsed = await PostalMime.parse(built.raw);
    expect(built.raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(built.raw.indexOf('Content-Type: text/plain')).toBeLessThan(built.raw.indexOf('Content-Type: text/html'));
    expect(parsed.subject).toBe('Offer for Ann');
    expect(parsed.from).toMatchObject({ name: 'ACME News', address: 'news@acme.example' });
    expect(parsed.to).toEqual([{ address: 'Ann@Example.org', name: '' }]);
    const clicks = [...parsed.html!.matchAll(/href="https:\/\/t\.acme\.example\/t\/c\/([^"]+)"/g)].map((m) => verifyToken(ctx.secret, m[1], 'c'));
    const p = personCheck(ctx.secret, { campaignId: 'msg-test', email: 'Ann@Example.org' });
    expect(clicks).toEqual([
      { k: 'c', r: 321, l: 0, p },
      { k: 'c', r: 321, l: 1, p },
      { k: 'c', r: 321, l: 0, p },
    ]);
    expect(campaign.links).toEqual(['https://acme.example/offer?utm_source=lf&utm_medium=email', 'https://acme.example/more']);
    expect(parsed.html).toContain('href="mailto:sales@acme.example"');
    const pixel = /<img src="https:\/\/t\.acme\.example\/t\/o\/([^"]+)"/.exec(parsed.html!);
    expect(verifyToken(ctx.secret, pixel![1], 'o')).toEqual({ k: 'o', r: 321, p });
    expect(parsed.text).toContain('Offer [https://t.acme.example/t/c/');
    expect(parsed.text).not.toContain('/t/o/');
    expect(parsed.html).toContain(ctx.senderPostalAddress);
  });

  it('gives a target without tracking consent no pixel and no per-person click tokens', async () => {
    const plain = messageTo(campaign, { rowId: 322, email: 'bob@example.org', fields: { first_name: 'Bob' }, trackingConsent: false });
    const parsed = await PostalMime.parse(plain.raw);
    expect(parsed.html).not.toContain('/t/o/');
    expect(parsed.html).not.toContain('/t/c/');
    expect(parsed.text).not.toContain('/t/c/');
    expect(parsed.html).toContain('href="https://acme.example/offer?utm_source=lf&amp;utm_medium=email"');
    expect(parsed.html).toContain('href="https://acme.example/more"');
    expect(parsed.html).toMatch(/href="https:\/\/t\.acme\.example\/u\/[^"]+"/); // unsubscribe always works
  });

  it('gives each message its own Message-ID, even for the same recipient', () => {
    const again = messageTo(campaign, { rowId: 321, email: 'Ann@Example.org', fields: { first_name: 'Ann' } });
    expect(again.messageId).not.toBe(built.messageId);
  });

  it('neutralises header injection from merge values and display names', async () => {
    const c = await acmeCampaign({ campaignId: 'inj', subject: '{{ first_name }}', fromName: 'ACME\r\nBcc: spy@evil.example', html: '<p>x</p>' });
    const m = messageTo(c, { rowId: 1, email: 'victim@example.org', fields: { first_name: 'Hi\r\nBcc: spy@evil.example\r\n\r\n<h1>body' } });
    const lines = headerLines(m.raw);
    expect(lines.filter((l) => /^bcc:/i.test(l))).toEqual([]);
    const parsed = await PostalMime.parse(m.raw);
    expect(parsed.subject).toBe('Hi Bcc: spy@evil.example <h1>body');
    expect(parsed.from?.name).toBe('ACME Bcc: spy@evil.example');
    expect(parsed.bcc ?? []).toEqual([]);
  });

  it('encodes non-ASCII subjects, names and IDN recipient domains', async () => {
    const c = await acmeCampaign({
      campaignId: 'intl',
      subject: 'Grüße, {{ first_name }} 🎉',
      fromName: 'Müller & Söhne',
      html: '<p>Schöne Grüße {{ first_name }}</p>',
    });
    const m = messageTo(c, { rowId: 2, email: 'zoe@bücher.de', fields: { first_name: 'Zoë' } });
    const parsed = await PostalMime.parse(m.raw);
    expect(parsed.subject).toBe('Grüße, Zoë 🎉');
    expect(parsed.from?.name).toBe('Müller & Söhne');
    expect(parsed.to?.[0].address).toBe('zoe@xn--bcher-kva.de');
    expect(parsed.html).toContain('Schöne Grüße Zoë');
  });
});
