// Client addresses in engagement data. They are personal data, so only the /24 (IPv4) or /48 (IPv6) network is
// ever stored. Addresses are validated by node:net (isIP: no leading zeros, no short forms) and ranges are
// matched with node:net's BlockList, which also matches IPv4-mapped IPv6 peers (::ffff:a.b.c.d) against IPv4
// ranges, as Node reports dual-stack clients.
import { BlockList, isIP } from 'node:net';
import type { IpMatcher } from '../domain/engagement.js';

export interface ParsedIp {
  version: 4 | 6;
  bytes: number[];
}

/** The 16 bytes of an address isIP accepted (zone id dropped, an embedded IPv4 tail as its 4 bytes). */
function v6Bytes(valid: string): number[] {
  const [address] = valid.toLowerCase().split('%');
  const lastColon = address.lastIndexOf(':');
  const v4Tail = address.includes('.')
    ? address
        .slice(lastColon + 1)
        .split('.')
        .map(Number)
    : [];
  const hex = v4Tail.length ? address.slice(0, lastColon + 1) + '0:0' : address;
  const [head, tail] = hex.split('::') as [string, string | undefined];
  const groups = (h: string) => (h ? h.split(':') : []);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
  if (v4Tail.length) bytes.splice(12, 4, ...v4Tail);
  return bytes;
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d, as Node reports dual-stack peers) is treated as IPv4. */
export function parseIp(input: string | undefined): ParsedIp | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64) return null;
  const s = input.trim();
  const version = isIP(s);
  if (version === 4) return { version: 4, bytes: s.split('.').map(Number) };
  if (version !== 6) return null;
  const bytes = v6Bytes(s);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  return mapped ? { version: 4, bytes: bytes.slice(12) } : { version: 6, bytes };
}

/** The /24 (IPv4) or /48 (IPv6) network an address belongs to (one already cut stays as it is); undefined for anything unparseable. */
export function truncateIp(input: string | undefined): string | undefined {
  const [address, bits] = input?.split('/') ?? [];
  if (bits !== undefined) {
    const network = truncateIp(address);
    return network?.endsWith(`/${bits}`) ? network : undefined;
  }
  const ip = parseIp(input);
  if (!ip) return undefined;
  if (ip.version === 4) return `${ip.bytes[0]}.${ip.bytes[1]}.${ip.bytes[2]}.0/24`;
  const g = (i: number) => ((ip.bytes[i] << 8) | ip.bytes[i + 1]).toString(16);
  return `${g(0)}:${g(2)}:${g(4)}::/48`;
}

/** Builds a matcher over CIDR ranges (or single addresses); throws on a malformed range so bad configuration stops start-up. */
export function cidrMatcher(ranges: readonly string[]): IpMatcher {
  const list = new BlockList();
  for (const text of ranges) {
    const [addr, bitsText, extra] = text.trim().split('/');
    const version = isIP(addr);
    const max = version === 4 ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!version || extra !== undefined || !/^\d{1,3}$/.test(bitsText ?? String(max)) || bits > max) throw new Error(`not a CIDR range: "${text}"`);
    list.addSubnet(addr, bits, version === 4 ? 'ipv4' : 'ipv6');
  }
  return (input) => {
    if (typeof input !== 'string' || input.length > 64) return false;
    const version = isIP(input);
    return version !== 0 && list.check(input, version === 4 ? 'ipv4' : 'ipv6');
  };
}
