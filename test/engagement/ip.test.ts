import { describe, expect, it } from 'vitest';
import { outboxKey } from '../../service/src/domain/outbox.js';
import { cidrMatcher, parseIp, truncateIp } from '../../service/src/engagement/ip.js';

describe('truncateIp', () => {
  it.each<[string | undefined, string | undefined]>([
    ['192.0.2.77', '192.0.2.0/24'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'], // dual-stack peer as Node reports it
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['::1', '0:0:0::/48'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0::/48'],
    ['', undefined],
    [undefined, undefined],
    ['256.1.1.1', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['gggg::1', undefined],
    ['x'.repeat(100), undefined],
  ])('%s → %s', (input, expected) => {
    expect(truncateIp(input)).toBe(expected);
  });

  it('never returns the full address', () => {
    expect(truncateIp('203.0.113.199')).not.toContain('199');
  });
});

describe('cidrMatcher', () => {
  const m = cidrMatcher(['17.0.0.0/8', '2a02:26f7:b3c0::/44', '198.51.100.7']);
  it.each<[string, boolean]>([
    ['17.58.1.2', true],
    ['18.0.0.1', false],
    ['::ffff:17.0.0.1', true],
    ['2a02:26f7:b3c8::1', true],
    ['2a02:26f7:b3d0::1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['not an ip', false],
  ])('%s → %s', (ip, expected) => {
    expect(m(ip)).toBe(expected);
  });

  it('rejects malformed ranges so bad configuration stops start-up', () => {
    expect(() => cidrMatcher(['17.0.0.0/33'])).toThrow(/CIDR/);
    expect(() => cidrMatcher(['nonsense/8'])).toThrow(/CIDR/);
    expect(() => cidrMatcher(['1.2.3.4/8/9'])).toThrow(/CIDR/);
  });

  it('parses IPv4 and IPv6 into bytes', () => {
    expect(parseIp('1.2.3.4')).toEqual({ version: 4, bytes: [1, 2, 3, 4] });
    expect(parseIp('::2')?.bytes).toEqual([...Array(15).fill(0), 2]);
  });
});

describe('outbox keys', () => {
  it('are deterministic per fact', () => {
    expect(outboxKey.open(7)).toBe('open:7');
    expect(outboxKey.click(7, 2)).toBe('click:7:2');
    expect(outboxKey.optout(7)).toBe('optout:7');
    expect(outboxKey.bounce(7)).toBe('bounce:7');
  });
});
