// A real DNS server on loopback for tests (dns2, UDP and TCP on one port): the service reaches it through
// LEADFWD_DNS_SERVERS exactly as it would reach any resolver, so MX look-ups and readiness checks run against
// real DNS answers, never a mocked resolver. Records can be changed while it runs; names match case-insensitively;
// a name with no record of any type answers NXDOMAIN, one with records of other types answers "no data".
import dns2 from 'dns2';

export interface DnsRecords {
  A?: Record<string, string[]>;
  MX?: Record<string, Array<{ exchange: string; priority?: number }>>;
  TXT?: Record<string, string[]>;
  PTR?: Record<string, string[]>;
}

export interface LocalDns {
  port: number;
  /** For LEADFWD_DNS_SERVERS. */
  server: string;
  records: DnsRecords;
  /** Replaces the records (a test's "broken" zone after its "good" one). */
  set(records: DnsRecords): void;
  /** Queries answered, for tests that count look-ups. */
  queries: Array<{ name: string; type: string }>;
  close(): Promise<void>;
}

const { Packet } = dns2;
const TYPES: Record<number, keyof DnsRecords | 'AAAA'> = {
  [Packet.TYPE.A]: 'A',
  [Packet.TYPE.MX]: 'MX',
  [Packet.TYPE.TXT]: 'TXT',
  [Packet.TYPE.PTR]: 'PTR',
  [Packet.TYPE.AAAA]: 'AAAA',
};
const lower = (r: DnsRecords): DnsRecords =>
  Object.fromEntries(
    Object.entries(r).map(([t, m]) => [t, Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]))]),
  );

/** One MX host for each domain: where a domain's mail goes decides its mailbox provider. */
export const mxOf = (exchangeByDomain: Record<string, string>): DnsRecords => ({
  MX: Object.fromEntries(Object.entries(exchangeByDomain).map(([domain, exchange]) => [domain, [{ exchange }]])),
});

/** "1.2.3.4" → "4.3.2.1.in-addr.arpa" (the name a PTR lives at). */
export const reverseName = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

export async function startDnsServer(initial: DnsRecords = {}): Promise<LocalDns> {
  let records = lower(initial);
  const queries: LocalDns['queries'] = [];
  const handle = (request: any, send: (r: any) => void) => {
    const response = Packet.createResponseFromRequest(request);
    const [q] = request.questions;
    const name = String(q.name).toLowerCase().replace(/\.$/, '');
    const type = TYPES[q.type];
    queries.push({ name, type: type ?? String(q.type) });
    const known = Object.values(records).some((m) => m && name in m);
    if (!known) response.header.rcode = 3; // NXDOMAIN
    const base = { name: q.name, class: Packet.CLASS.IN, ttl: 60 };
    // dns2's types want its Resource class; it encodes plain records as well (its own examples push them).
    const answers = response.answers as unknown as object[];
    if (type === 'A') for (const address of records.A?.[name] ?? []) answers.push({ ...base, type: Packet.TYPE.A, address });
    if (type === 'MX')
      for (const [i, mx] of (records.MX?.[name] ?? []).entries())
        answers.push({ ...base, type: Packet.TYPE.MX, exchange: mx.exchange, priority: mx.priority ?? 10 * (i + 1) });
    if (type === 'TXT') for (const txt of records.TXT?.[name] ?? []) answers.push({ ...base, type: Packet.TYPE.TXT, data: txt.match(/.{1,255}/g) ?? [''] });
    if (type === 'PTR') for (const domain of records.PTR?.[name] ?? []) answers.push({ ...base, type: Packet.TYPE.PTR, domain });
    send(response);
  };
  const { udp, tcp, port } = await listenOnOnePort(handle);
  return {
    port,
    server: `127.0.0.1:${port}`,
    get records() {
      return records;
    },
    set(r) {
      records = lower(r);
    },
    queries,
    async close() {
      await Promise.all([udp.close(), tcp.close()]);
    },
  };
}

// dns2 reports a busy port as an 'error' event, never through listen()'s promise.
function listening(server: any, options: object): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options).then(() => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** UDP on a free port, then TCP on the same number; another process may hold that TCP port, so try again. */
async function listenOnOnePort(handle: (request: any, send: (r: any) => void) => void) {
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createServer({ udp: true, handle });
    await listening(udp, { udp: { port: 0, address: '127.0.0.1' } });
    const port = (udp.addresses() as { udp: { port: number } }).udp.port;
    const tcp = dns2.createServer({ tcp: true, handle });
    try {
      await listening(tcp, { tcp: { port, address: '127.0.0.1' } });
      return { udp, tcp, port };
    } catch (e) {
      await udp.close();
      if (attempt >= 20) throw e;
    }
  }
}
