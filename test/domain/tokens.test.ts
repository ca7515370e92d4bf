import { describe, expect, it } from 'vitest';
import { clickTokens, signToken, type TokenPayload, verifyToken } from '../../service/src/domain/tokens.js';

const SECRET = 'test-secret-0123456789';

describe('signToken / verifyToken', () => {
  it.each<[string, TokenPayload]>([
    ['open', { k: 'o', r: 1 }],
    ['click', { k: 'c', r: 123456789, l: 0 }],
    ['click with high link index', { k: 'c', r: 42, l: 999 }],
    ['unsubscribe', { k: 'u', r: Number.MAX_SAFE_INTEGER }],
  ])('round-trips a %s token, URL-safe and compact', (_name, payload) => {
    const token = signToken(SECRET, payload);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token.length).toBeLessThanOrEqual(45);
    expect(verifyToken(SECRET, token, payload.k)).toEqual(payload);
  });

  const good = signToken(SECRET, { k: 'c', r: 77, l: 3 });
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

  it.each<[string, string]>([
    ['tampered recipient', good.replace(/^c[0-9a-z]+/, 'c2a')],
    ['tampered tag', flip(good, good.length - 5)],
    ['truncated tag', good.slice(0, -1)],
    ['truncated to payload', good.split('.')[0]],
    ['empty', ''],
    ['huge', 'c1-1.' + 'A'.repeat(100_000)],
    ['garbage', '../../etc/passwd'],
    ['non-UTF-8 after decoding', Buffer.from([0xc3, 0x28, 0xff, 0xfe]).toString('latin1')],
    ['replacement characters', '\ufffd\ufffd.\ufffd'],
    ['padding added', good + '='],
    ['whitespace', ` ${good}`],
  ])('rejects a %s token without throwing', (_name, token) => {
    expect(verifyToken(SECRET, token, 'c')).toBeNull();
  });

  it('binds kind and recipient, not the link: another index is another link of the same recipient', () => {
    expect(verifyToken(SECRET, good.replace('-3.', '-4.'), 'c')).toEqual({ k: 'c', r: 77, l: 4 });
    expect(verifyToken(SECRET, good.replace('-3.', '.'), 'c')).toBeNull();
    // Outside the MAC, so only the canonical index is accepted: one token per link.
    expect(verifyToken(SECRET, good.replace('-3.', '-03.'), 'c')).toBeNull();
    expect(verifyToken(SECRET, good.replace('-3.', '-zzzzzz.'), 'c')).toBeNull();
    const forMessage = clickTokens(SECRET, 77);
    expect(forMessage(3)).toBe(good);
    expect([0, 1, 35, 36].map((l) => verifyToken(SECRET, forMessage(l), 'c'))).toEqual([0, 1, 35, 36].map((l) => ({ k: 'c', r: 77, l })));
  });

  it('rejects a token of another kind, even with a valid signature', () => {
    const open = signToken(SECRET, { k: 'o', r: 5 });
    expect(verifyToken(SECRET, open, 'u')).toBeNull();
    expect(verifyToken(SECRET, open, 'c')).toBeNull();
    expect(verifyToken(SECRET, open, 'o')).toEqual({ k: 'o', r: 5 });
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyToken('other-secret', good, 'c')).toBeNull();
  });

  it('rejects a non-canonical tag encoding of the same bytes', () => {
    const tag = good.split('.')[1];
    // The last base64url char carries 2 unused bits; changing only those keeps the bytes equal.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(tag[tag.length - 1]);
    const sibling = alphabet[last ^ 1];
    const forged = good.slice(0, -1) + sibling;
    expect(Buffer.from(forged.split('.')[1], 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    expect(verifyToken(SECRET, forged, 'c')).toBeNull();
  });

  it.each<[string, () => unknown]>([
    ['negative row', () => signToken(SECRET, { k: 'o', r: -1 })],
    ['fractional row', () => signToken(SECRET, { k: 'o', r: 1.5 })],
    ['link index on an open token', () => signToken(SECRET, { k: 'o', r: 1, l: 0 })],
    ['empty secret', () => signToken('', { k: 'o', r: 1 })],
  ])('refuses to sign a %s', (_name, fn) => {
    expect(fn).toThrow();
  });

  it('treats non-string input as invalid', () => {
    expect(verifyToken(SECRET, undefined as unknown as string, 'o')).toBeNull();
    expect(verifyToken(SECRET, 12 as unknown as string, 'o')).toBeNull();
  });
});
