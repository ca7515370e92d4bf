import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { createDkimSigner, parseDkimKey, relaxedBody } from '../../service/src/mail/dkim.js';
import { dkimResolver, testKeys } from './helpers.js';

describe('relaxedBody', () => {
  it.each<[string, string, string]>([
    ['already canonical', 'a b\r\nc\r\n', 'a b\r\nc\r\n'],
    ['blank runs and tabs', 'a  \t b\r\n', 'a b\r\n'],
    ['trailing blanks', 'a \r\nb\t\r\n', 'a\r\nb\r\n'],
    ['trailing empty lines', 'a\r\n\r\n\r\n', 'a\r\n'],
    ['missing final CRLF', 'a', 'a\r\n'],
    ['empty body', '', ''],
    ['only empty lines', '\r\n\r\n', ''],
  ])('%s', (_name, input, expected) => {
    expect(relaxedBody(input)).toBe(expected);
  });
});

describe('createDkimSigner', () => {
  const raw =
    'From: "A" <a@acme.example>\r\nTo: <b@example.org>\r\nSubject: folded\r\n  subject   line\r\nFeedback-ID: x:y:leadfwd\r\nX-Not-Signed: 1\r\n\r\nbody  with\tblanks \r\n\r\n';

  it('produces a signature mailauth verifies, over the explicit header list only', async () => {
    const sign = createDkimSigner({ domainName: 'acme.example', keySelector: 'sel', privateKeyPem: testKeys().pem });
    const header = sign(raw);
    expect(header).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=acme\.example; s=sel;/);
    expect(header.replace(/\r\n\s+/g, ' ')).toMatch(/h=from:to:subject:feedback-id;/);
    const result = await dkimVerify(Buffer.from(header + raw), { resolver: dkimResolver('sel', 'acme.example') });
    expect(result.results[0].status.result).toBe('pass');
  });

  it('accepts only RSA keys of at least 1024 bits', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseDkimKey(ed)).toThrow(/RSA/);
    expect(() => parseDkimKey('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----')).toThrow(/cannot be read/);
    expect(parseDkimKey(testKeys().pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});
