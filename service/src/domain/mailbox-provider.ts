// Which mailbox provider holds an address: the big four by their MX hosts (a company domain hosted by Google or
// Microsoft answers to Gmail's or Outlook's rules), then by the address's own domain when MX is unknown, and
// everyone else by the base domain of their MX host. Delivery speed, deferrals and reports are kept per provider.

export type BigProvider = 'google' | 'microsoft' | 'yahoo' | 'apple';
/** A big provider, or `mx:<base domain of the MX host>`, or `unknown` (no MX known, no well-known domain). */
export type MailboxProvider = BigProvider | `mx:${string}` | 'unknown';

export const BIG_PROVIDERS: readonly BigProvider[] = ['google', 'microsoft', 'yahoo', 'apple'];

const MX_PATTERNS: ReadonlyArray<[BigProvider, RegExp]> = [
  ['google', /(^|\.)(google\.com|googlemail\.com)$/],
  // Microsoft 365 gives domains set up since 2024 MX hosts under mx.microsoft (KumoMTA's shaping table).
  ['microsoft', /(^|\.)(protection\.outlook\.com|mail\.eo\.outlook\.com|hotmail\.com|outlook\.com|mx\.microsoft)$/],
  ['yahoo', /(^|\.)(yahoodns\.net|yahoo\.com|aol\.com)$/],
  ['apple', /(^|\.)(mail\.icloud\.com|icloud\.com|me\.com)$/],
];

// The consumer domains of the big four, for when MX is not (yet) known.
const DOMAINS: ReadonlyArray<[BigProvider, RegExp]> = [
  ['google', /^(gmail\.com|googlemail\.com)$/],
  ['microsoft', /^(outlook|hotmail|live|msn|windowslive|passport)\.[a-z.]{2,6}$/],
  ['yahoo', /^(yahoo|ymail|rocketmail|aol|aim)\.[a-z.]{2,6}$/],
  ['apple', /^(icloud\.com|me\.com|mac\.com)$/],
];

// Second-level labels under which registrations sit one level deeper (example.co.uk), for the base domain.
const SHARED_SECOND_LEVEL = /^(co|com|net|org|gov|ac|edu|ne|or|go)$/;

const clean = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');

/** example.co.uk for mx1.example.co.uk; example.com for mx.eu.example.com. */
export function baseDomain(host: string): string {
  const labels = clean(host).split('.').filter(Boolean);
  if (labels.length <= 2) return labels.join('.');
  const keep = SHARED_SECOND_LEVEL.test(labels[labels.length - 2]) && labels[labels.length - 1].length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export function providerOfMx(mxHosts: readonly string[]): MailboxProvider {
  const hosts = mxHosts.map(clean).filter(Boolean);
  if (hosts.length === 0) return 'unknown';
  for (const [provider, pattern] of MX_PATTERNS) if (hosts.some((h) => pattern.test(h))) return provider;
  return `mx:${baseDomain(hosts[0])}`;
}

/** From the address's domain alone: one of the big four's own domains, else unknown (MX decides). */
export function providerOfDomain(domain: string): MailboxProvider {
  const d = clean(domain);
  for (const [provider, pattern] of DOMAINS) if (pattern.test(d)) return provider;
  return 'unknown';
}

/** Providers as reports, warm-up and the deliverability view group them: the big four by name, everyone else together. */
export type ProviderGroup = BigProvider | 'other';

/** The label reports group by: the big four by name, everyone else as "other". */
export function reportGroup(p: MailboxProvider): ProviderGroup {
  return (BIG_PROVIDERS as readonly string[]).includes(p) ? (p as BigProvider) : 'other';
}
