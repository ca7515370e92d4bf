import { describe, expect, it } from 'vitest';
import { clickTokens, isPerson, messageTokens, personCheck, signToken, type TokenPayload, verifyToken } from '../../service/src/domain/tokens.js';

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

  // Content with Liquid tags may show a link to some readers only (a private offer in an `{% if %}`): editing the
  // index of a link one has reached the others (an attacker review); each index now carries a check of its own.
  describe('each link checked, for content where a link may be in some messages only', () => {
    const ann = { campaignId: 'c-1', email: 'ann@example.org' };
    const mine = messageTokens(SECRET, 77, ann, { eachLink: true }).click;

    it('verifies every link it signed, and no other index of the same message', () => {
      expect([0, 1, 35, 36, 1_999_999_999].map((l) => verifyToken(SECRET, mine(l), 'c'))).toEqual(
        [0, 1, 35, 36, 1_999_999_999].map((l) => ({ k: 'c', r: 77, l, p: personCheck(SECRET, ann) })),
      );
      const shown = mine(3);
      expect(shown).toMatch(/-3_[0-9a-f]{12}\./);
      for (const other of ['-0', '-2', '-4', '-z']) expect(verifyToken(SECRET, shown.replace('-3_', `${other}_`), 'c')).toBeNull();
      // Without its check the MAC (which says it must have one) fails; with a wrong one the check does.
      expect(verifyToken(SECRET, shown.replace(/_[0-9a-f]{12}\./, '.'), 'c')).toBeNull();
      expect(verifyToken(SECRET, shown.replace(/_[0-9a-f]{12}\./, '_000000000000.'), 'c')).toBeNull();
      expect(verifyToken('other-secret', shown, 'c')).toBeNull();
      // Nor may a check be added to a token signed without: its MAC did not say so.
      const plain = signToken(SECRET, { k: 'c', r: 77, l: 3 }, ann);
      expect(verifyToken(SECRET, plain.replace('-3.', `-3_${shown.match(/_([0-9a-f]{12})\./)![1]}.`), 'c')).toBeNull();
    });

    it('keeps working after a rotation, fits in 64 characters, and leaves the other tokens as they were', () => {
      expect(verifyToken(['new-secret-0123456789abc', SECRET], mine(5), 'c')).toMatchObject({ l: 5 });
      expect(clickTokens(SECRET, Number.MAX_SAFE_INTEGER, ann, { eachLink: true })(1_999_999_999).length).toBeLessThanOrEqual(64);
      const t = messageTokens(SECRET, 77, ann, { eachLink: true });
      expect([t.open, t.unsubscribe]).toEqual([signToken(SECRET, { k: 'o', r: 77 }, ann), signToken(SECRET, { k: 'u', r: 77 }, ann)]);
    });
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

  describe('person check', () => {
    const ann = { campaignId: 'c-1', email: 'ann@example.org' };
    const u = signToken(SECRET, { k: 'u', r: 9 }, ann);

    it('carries a keyed check of the campaign and address, inside the MAC', () => {
      expect(verifyToken(SECRET, u, 'u')).toEqual({ k: 'u', r: 9, p: personCheck(SECRET, ann) });
      const other = personCheck(SECRET, { ...ann, email: 'bob@example.org' });
      expect(verifyToken(SECRET, u.replace(/_[0-9a-f]{8}/, `_${other}`), 'u')).toBeNull();
      expect(verifyToken(SECRET, u.replace(/_[0-9a-f]{8}/, ''), 'u')).toBeNull();
      // Keyed: a guessed address cannot be tried against a token without the secret.
      expect(personCheck('another-secret-0123456789', ann)).not.toBe(personCheck(SECRET, ann));
    });

    it('names only its person: another address, or the same address in another campaign, fails', () => {
      const p = verifyToken(SECRET, u, 'u')!.p;
      expect(isPerson(SECRET, p, ann)).toBe(true);
      expect(isPerson(SECRET, p, { ...ann, email: 'bob@example.org' })).toBe(false);
      expect(isPerson(SECRET, p, { ...ann, campaignId: 'c-2' })).toBe(false);
      // A token from before the check (mail already sent) names its row as it always did.
      expect(isPerson(SECRET, undefined, { ...ann, email: 'bob@example.org' })).toBe(true);
    });

    it('keeps working after a rotation: the previous key still checks its person', () => {
      const p = verifyToken(SECRET, u, 'u')!.p;
      expect(isPerson(['new-secret-0123456789abc', SECRET], p, ann)).toBe(true);
      expect(isPerson(['new-secret-0123456789abc'], p, ann)).toBe(false);
    });

    it("signs a message's tokens, its person checked once, as each would be signed alone", () => {
      const t = messageTokens(SECRET, 9, ann);
      expect([t.open, t.unsubscribe, t.click(3)]).toEqual([signToken(SECRET, { k: 'o', r: 9 }, ann), u, signToken(SECRET, { k: 'c', r: 9, l: 3 }, ann)]);
    });

    it('fits a click token with its link index and a mailto local part', () => {
      const c = clickTokens(SECRET, Number.MAX_SAFE_INTEGER, ann)(1_999_999_999);
      expect(verifyToken(SECRET, c, 'c')).toMatchObject({ l: 1_999_999_999, p: personCheck(SECRET, ann) });
      const longest = signToken(SECRET, { k: 'u', r: Number.MAX_SAFE_INTEGER }, ann);
      expect(`unsubscribe+${longest}`.length).toBeLessThanOrEqual(64); // RFC 5321 §4.5.3.1.1
    });
  });
});
