// Engagement vocabulary shared by the tracking routes and the inbound listener: open classes, bounce kinds and
// IP handling (addresses are personal data, so only truncated prefixes are ever stored).

export type OpenClass = 'human' | 'apple_mpp' | 'gmail_proxy' | 'scanner' | 'unknown';
export type BounceKind = 'hard' | 'soft' | 'block' | 'complaint';
export interface ParsedIp { version: 4 | 6; bytes: number[] }

function parseV4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | null {
  let text = s.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = v4;
    text = text.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 255);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d, as Node reports dual-stack peers) is treated as IPv4. */
export function parseIp(input: string | undefined): ParsedIp | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64) return null;
  const s = input.trim();
  const v4 = parseV4(s);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = parseV6(s);
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 255 && v6[11] === 255;
  return mapped ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 };
}

/** The /24 (IPv4) or /48 (IPv6) network an address belongs to; undefined for anything unparseable. */
export function truncateIp(input: string | undefined): string | undefined {
  const ip = parseIp(input);
  if (!ip) return undefined;
  if (ip.version === 4) return `${ip.bytes[0]}.${ip.bytes[1]}.${ip.bytes[2]}.0/24`;
  const g = (i: number) => ((ip.bytes[i] << 8) | ip.bytes[i + 1]).toString(16);
  return `${g(0)}:${g(2)}:${g(4)}::/48`;
}

interface Cidr { version: 4 | 6; bytes: number[]; bits: number }

function parseCidr(text: string): Cidr {
  const [addr, bitsText, extra] = text.trim().split('/');
  const ip = parseIp(addr);
  const max = ip?.version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!ip || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new Error(`not a CIDR range: "${text}"`);
  }
  return { version: ip.version, bytes: ip.bytes, bits };
}

function contains(c: Cidr, ip: ParsedIp): boolean {
  if (c.version !== ip.version) return false;
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if ((c.bytes[i] & mask) !== (ip.bytes[i] & mask)) return false;
  }
  return true;
}

export type IpMatcher = (ip: string | undefined) => boolean;

/** Builds a matcher over CIDR ranges; throws on a malformed range so bad configuration stops start-up. */
export function cidrMatcher(ranges: readonly string[]): IpMatcher {
  const cidrs = ranges.map(parseCidr);
  const v4 = cidrs.filter((c) => c.version === 4);
  const v6 = cidrs.filter((c) => c.version === 6);
  return (input) => {
    const ip = parseIp(input);
    if (!ip) return false;
    return (ip.version === 4 ? v4 : v6).some((c) => contains(c, ip));
  };
}
