// DNS, as the features need it: MX hosts of recipient domains (to group recipients by mailbox provider), and the
// records an identity's readiness check reads. The adapter (dns/) uses the system resolver or LEADFWD_DNS_SERVERS.

export interface MxLookup {
  /** MX hosts per domain, most preferred first; undefined for a domain whose lookup failed or found none. Cached. */
  mxHosts(domains: string[]): Promise<Map<string, string[] | undefined>>;
}

export interface DnsReader {
  /** TXT records, each joined from its strings; [] when the name has none. Throws DnsError for a failed lookup. */
  txt(name: string): Promise<string[]>;
  /** IPv4 addresses; [] when none. */
  a(name: string): Promise<string[]>;
  /** Names of an IP address (PTR); [] when none. */
  ptr(ip: string): Promise<string[]>;
  /** The SPF verdict for mail from `sender` (an address) sent from `ip`. */
  spf(sender: string, ip: string): Promise<{ result: string; text: string }>;
}

/** A lookup that failed for another reason than "no such record" (timeout, refused, SERVFAIL). */
export class DnsError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'DnsError';
  }
}
