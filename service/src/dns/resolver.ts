// Adapter: DNS through node's resolver (c-ares), on the system's servers or LEADFWD_DNS_SERVERS (tests point it at a
// real DNS server they start on loopback). MX look-ups for mailbox providers are cached per domain (failures for a
// shorter time), at most a few run at once, each with a short timeout, so extraction never waits long on DNS.
import { Resolver } from 'node:dns/promises';
import { spf } from 'mailauth/lib/spf/index.js';
import PQueue from 'p-queue';
import { DnsError, type DnsReader, type MxLookup } from '../ports/dns.js';

export interface DnsOptions {
  /** IP[:port] entries; empty: the system's resolvers. */
  servers: string[];
  timeoutMs: number;
}

/** "No such record" answers: a fact about the domain, not a failure. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

export function createResolver(o: DnsOptions): Resolver {
  const r = new Resolver({ timeout: o.timeoutMs, tries: 1 });
  if (o.servers.length) r.setServers(o.servers);
  return r;
}

/** The raw answer of a lookup, in the form mailauth's resolver functions take (node's resolve(name, type)). */
export type ResolveFn = (name: string, type: string) => Promise<unknown[]>;
export const resolveFn =
  (r: Resolver): ResolveFn =>
  (name, type) =>
    r.resolve(name, type) as Promise<unknown[]>;

export interface MxLookupOptions {
  /** How long an answer is kept (LEADFWD_MX_CACHE_MS). */
  ttlMs: number;
  /** How long a failed look-up is remembered (so a dead resolver costs one timeout per domain, not per page). */
  negativeTtlMs?: number;
  concurrency?: number;
  maxEntries?: number;
  now?: () => number;
}

export function createMxLookup(resolver: Pick<Resolver, 'resolveMx'>, o: MxLookupOptions): MxLookup {
  const now = o.now ?? Date.now;
  const negativeTtl = o.negativeTtlMs ?? Math.min(o.ttlMs, 5 * 60_000);
  const maxEntries = o.maxEntries ?? 100_000;
  const cache = new Map<string, { hosts: string[] | undefined; until: number }>();
  const pending = new Map<string, Promise<string[] | undefined>>();
  const queue = new PQueue({ concurrency: o.concurrency ?? 8 });

  const remember = (domain: string, hosts: string[] | undefined, ttl: number) => {
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(domain, { hosts, until: now() + ttl });
  };
  const lookup = (domain: string): Promise<string[] | undefined> => {
    const running = pending.get(domain);
    if (running) return running;
    const p = queue
      .add(async () => {
        try {
          const mx = await resolver.resolveMx(domain);
          const hosts = mx
            .sort((a, b) => a.priority - b.priority)
            .map((m) => m.exchange.toLowerCase())
            .filter(Boolean);
          remember(domain, hosts.length ? hosts : undefined, o.ttlMs);
          return hosts.length ? hosts : undefined;
        } catch (e) {
          const code = (e as { code?: string }).code ?? '';
          remember(domain, undefined, ABSENT.has(code) ? o.ttlMs : negativeTtl);
          return undefined;
        }
      })
      .finally(() => pending.delete(domain)) as Promise<string[] | undefined>;
    pending.set(domain, p);
    return p;
  };

  return {
    async mxHosts(domains) {
      const out = new Map<string, string[] | undefined>();
      const wait: Array<Promise<void>> = [];
      const t = now();
      for (const d of new Set(domains.map((x) => x.toLowerCase()))) {
        const hit = cache.get(d);
        if (hit && hit.until > t) out.set(d, hit.hosts);
        else wait.push(lookup(d).then((h) => void out.set(d, h)));
      }
      await Promise.all(wait);
      return out;
    },
  };
}

export function createDnsReader(resolver: Resolver): DnsReader {
  const fail = (what: string, e: unknown): never => {
    const code = (e as { code?: string }).code ?? 'EUNKNOWN';
    throw new DnsError(`${what}: ${code}`, code);
  };
  const absentOr = async <T>(what: string, p: Promise<T[]>): Promise<T[]> => {
    try {
      return await p;
    } catch (e) {
      if (ABSENT.has((e as { code?: string }).code ?? '')) return [];
      return fail(what, e);
    }
  };
  const raw = resolveFn(resolver);
  return {
    txt: async (name) => (await absentOr(`TXT ${name}`, resolver.resolveTxt(name))).map((parts) => parts.join('')),
    a: (name) => absentOr(`A ${name}`, resolver.resolve4(name)),
    // A PTR query of its own: reverse() asks the hosts file first (c-ares), which says nothing about public DNS.
    ptr: (ip) => absentOr(`PTR ${ip}`, resolver.resolvePtr(`${ip.split('.').reverse().join('.')}.in-addr.arpa`)),
    async spf(sender, ip) {
      const r = (await spf({ sender, ip, helo: sender.split('@').pop() ?? '', mta: 'leadfwd-readiness', resolver: raw as never })) as {
        status: { result: string; comment?: string };
      };
      return { result: r.status.result, text: r.status.comment ?? r.status.result };
    },
  };
}
