// The send path hashes built message bodies as they are (BuiltMessage.canonicalBody). That is
// only right if message.ts really emits bodies in DKIM relaxed form, whatever the merge values:
// checked here against the canonicaliser, and end to end against mailauth's verifier.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { createDkimSigner, relaxedBody } from '../../service/src/mail/dkim.js';
import { acmeCampaign, dkimResolver, messageTo, testKeys } from './helpers.js';

const awkward = [
  'plain',
  '  two leading',
  'trailing  ',
  'tab\there',
  'tabs\t\t\tend\t',
  'many     spaces',
  'Zoë  Ünïcødé  ',
  '😀 emoji  ',
  'x'.repeat(300),
  `${' '.repeat(80)}.`,
  'line\nbreak  \n',
  '=3D already',
  '',
  '.dot start',
];

describe('built message bodies', () => {
  it('are already in DKIM relaxed form, and the fast path signs what the slow path signs', async () => {
    const c = await acmeCampaign({
      campaignId: 'canon',
      subject: 'Hi {{ first_name }}',
      fromName: 'ACME',
      html: '<html><body><p>Hello {{ first_name }},  {{ account_name | default: "friend" }}</p>\t<a href="https://acme.example/x?q={{ first_name }}">x</a>  </body></html>',
    });
    const sign = createDkimSigner({ domainName: 'acme.example', keySelector: 'lf2026', privateKeyPem: testKeys().pem });
    for (const [i, value] of awkward.entries()) {
      const m = messageTo(c, { rowId: i + 1, email: `p${i}@example.org`, fields: { first_name: value, account_name: value }, trackingConsent: i % 2 === 0 });
      expect(m.canonicalBody).toBe(true);
      const bytes = Buffer.from(m.raw);
      const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
      expect(relaxedBody(body.toString())).toBe(body.toString());

      const signed = Buffer.concat([Buffer.from(sign(m.raw, body), 'latin1'), bytes]);
      const bh = (s: string) => /bh=([^;]+);/.exec(s.replace(/\r\n\s+/g, ''))![1];
      expect(bh(signed.toString())).toBe(bh(sign(m.raw)));
      const result = await dkimVerify(signed, { resolver: dkimResolver('lf2026', 'acme.example') });
      expect(result.results[0].status.result).toBe('pass');
    }
  });
});
