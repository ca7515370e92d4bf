// The MIME side of the intake on every fixture, and on truncated and non-UTF-8 input.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { verpAddress } from '../../service/src/domain/verp.js';
import { routeFor } from '../../service/src/mail/inbound/addresses.js';
import { MAX_PARSED_BYTES, MAX_PARSED_PARTS, parsedPrefix, parseInboundReport } from '../../service/src/mail/inbound/report-parser.js';
import { BOUNCE_DOMAIN, SECRET } from './helpers.js';
import { fixture } from './inbound-support.js';

const ID = '<lf.camp-1.7.AbCdEfGhIjKl@news.example.test>';
const vars = { verp: verpAddress(SECRET, 7, BOUNCE_DOMAIN), rcpt: 'ann@example.com', messageId: ID };
const FIXTURES = readdirSync(join(import.meta.dirname, '../fixtures/dsn')).filter((f) => f.endsWith('.eml'));

describe('parseInboundReport', () => {
  it.each<[string, string, string | undefined, boolean]>([
    ['postfix-user-unknown.eml', 'dsn', '5.1.1', true],
    ['postfix-mailbox-full.eml', 'dsn', '5.2.2', true],
    ['postfix-delayed.eml', 'dsn', '4.4.1', true],
    ['exim-no-such-user.eml', 'dsn', '5.0.0', true],
    ['exim-retry-timeout.eml', 'dsn', '5.0.0', true],
    ['gmail-no-account.eml', 'dsn', '5.1.1', true],
    ['gmail-unauthenticated.eml', 'dsn', '5.7.26', true],
    ['m365-recipient-not-found.eml', 'dsn', '5.1.10', true],
    ['arf-abuse.eml', 'arf', undefined, true],
    ['arf-not-spam.eml', 'arf', undefined, true],
    ['vacation-reply.eml', 'other', undefined, true],
    ['report-missing-parts.eml', 'other', undefined, false],
  ])('%s → %s', async (name, kind, status, hasOurId) => {
    const r = await parseInboundReport(fixture(name, vars));
    expect(r.kind).toBe(kind);
    if (status) expect(r.delivery?.recipients[0]?.status).toBe(status);
    expect(r.messageIds.includes(ID)).toBe(hasOurId);
  });

  it('reads a report from its first 256 KB and 100 parts, as the feedback mailbox takes mail from anyone', async () => {
    // The returned message's body at the end, made 900 KB and 300 parts long: the report before it is read whole.
    const dsn = fixture('m365-recipient-not-found.eml', vars);
    const bulky = dsn.replace(
      'Hello from the spring campaign.\n',
      `${'--inner\nContent-Type: text/plain\n\nx\n'.repeat(300)}${'Hello from the spring campaign. '.repeat(30_000)}\n`,
    );
    expect(bulky.length).toBeGreaterThan(900_000);
    const r = await parseInboundReport(bulky);
    expect(r).toMatchObject({ kind: 'dsn', delivery: { recipients: [expect.objectContaining({ status: '5.1.10' })] } });
    expect(r.messageIds).toContain(ID);
    expect(parsedPrefix(bulky).length).toBeLessThanOrEqual(MAX_PARSED_BYTES);
    // Parts past the 100th are not parsed: the boundary line that would start the 101st ends the text parsed.
    const parts = `${'--b\r\n\r\nx\r\n'.repeat(150)}--b--\r\n`;
    const cut = parsedPrefix(`Content-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}`).toString();
    expect(cut.split('\n--b').length - 1).toBe(MAX_PARSED_PARTS);
  });

  it('finds the Message-ID in each place real reports put it', async () => {
    const gmail = await parseInboundReport(fixture('gmail-unauthenticated.eml', vars)); // X-Original-Message-ID + headers part
    const m365 = await parseInboundReport(fixture('m365-recipient-not-found.eml', vars)); // In-Reply-To + rfc822 part
    expect(gmail.messageIds).toContain(ID);
    expect(m365.messageIds).toContain(ID);
  });

  it('reads ARF fields', async () => {
    const r = await parseInboundReport(fixture('arf-abuse.eml', vars));
    expect(r.feedback).toMatchObject({ feedbackType: 'abuse', originalRcptTo: 'ann@example.com', sourceIp: '203.0.113.7' });
  });

  it('never throws on truncated fixtures, random bytes or non-UTF-8 input', async () => {
    for (const name of FIXTURES) {
      const full = Buffer.from(fixture(name, vars));
      for (let cut = 0; cut < full.length; cut += 97) await expect(parseInboundReport(full.subarray(0, cut))).resolves.toBeDefined();
    }
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
    await expect(parseInboundReport(junk)).resolves.toMatchObject({ kind: 'other' });
    const latin1 = Buffer.concat([
      Buffer.from('Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; '),
      Buffer.from([0xe9, 0xff, 0xfe]),
      Buffer.from('\r\nAction: failed\r\n'),
    ]);
    await expect(parseInboundReport(latin1)).resolves.toBeDefined();
  });
});

describe('routeFor', () => {
  it.each<[string, unknown]>([
    [verpAddress(SECRET, 7, BOUNCE_DOMAIN), { type: 'verp', rowId: 7 }],
    [`<${verpAddress(SECRET, 7, BOUNCE_DOMAIN).toUpperCase()}>`, { type: 'verp', rowId: 7 }],
    [`unsubscribe+${signToken(SECRET, { k: 'u', r: 9 })}@${BOUNCE_DOMAIN}`, { type: 'unsubscribe', rowId: 9 }],
    [`FBL@${BOUNCE_DOMAIN.toUpperCase()}`, { type: 'fbl' }],
    [`unsubscribe+${signToken(SECRET, { k: 'o', r: 9 })}@${BOUNCE_DOMAIN}`, null], // an open token is not an unsubscribe token
    [`unsubscribe+garbage@${BOUNCE_DOMAIN}`, null],
    [verpAddress('other-secret', 7, BOUNCE_DOMAIN), null],
    [verpAddress(SECRET, 7, 'elsewhere.example'), null],
    [`postmaster@${BOUNCE_DOMAIN}`, null],
    ['x'.repeat(300), null],
    ['', null],
  ])('%s', (addr, expected) => expect(routeFor(addr, SECRET, BOUNCE_DOMAIN)).toEqual(expected));
});
