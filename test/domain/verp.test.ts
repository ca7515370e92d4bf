import { describe, expect, it } from 'vitest';
import { parseVerp, verpAddress } from '../../service/src/domain/verp.js';

const SECRET = 'verp-secret';
const DOMAIN = 'bounces.example.com';

describe('verpAddress / parseVerp', () => {
  it.each([0, 1, 42, 123456789, Number.MAX_SAFE_INTEGER])('round-trips row %i within 64 octets', (id) => {
    const addr = verpAddress(SECRET, id, DOMAIN);
    const local = addr.split('@')[0];
    expect(addr).toBe(addr.toLowerCase());
    expect(local.length).toBeLessThanOrEqual(64);
    expect(addr.endsWith('@' + DOMAIN)).toBe(true);
    expect(parseVerp(SECRET, addr, DOMAIN)).toBe(id);
  });

  const good = verpAddress(SECRET, 4242, DOMAIN);

  it('accepts upper-cased and angle-bracketed forms that MTAs produce', () => {
    expect(parseVerp(SECRET, good.toUpperCase(), DOMAIN)).toBe(4242);
    expect(parseVerp(SECRET, `<${good}>`, DOMAIN.toUpperCase())).toBe(4242);
  });

  it.each<[string, string]>([
    ['another id with a copied signature', good.replace('b-39u-', 'b-39v-')],
    ['a tampered signature', good.replace(/-([a-z2-7])/, (_m, c: string) => '-' + (c === 'a' ? 'b' : 'a'))],
    ['a truncated signature', good.replace(/.@/, '@')],
    ['another domain', good.replace(DOMAIN, 'evil.example')],
    ['a plain address', 'alice@' + DOMAIN],
    ['no domain', good.split('@')[0]],
    ['a huge string', 'b-1-' + 'a'.repeat(10_000) + '@' + DOMAIN],
    ['empty', ''],
  ])('rejects %s', (_name, addr) => {
    expect(parseVerp(SECRET, addr, DOMAIN)).toBeNull();
  });

  it('rejects an address signed with another secret', () => {
    expect(parseVerp('other', good, DOMAIN)).toBeNull();
  });

  it('refuses a negative or fractional id', () => {
    expect(() => verpAddress(SECRET, -1, DOMAIN)).toThrow();
    expect(() => verpAddress(SECRET, 2.5, DOMAIN)).toThrow();
  });
});
