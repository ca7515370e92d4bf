// Is an identity ready to send to the big mailbox providers? Each check reads DNS as a receiver would (through
// the system resolver or LEADFWD_DNS_SERVERS) and says ok, or what is wrong and what to publish or change:
// the DKIM key in DNS is this identity's, the relay's addresses pass the bounce domain's SPF, the From domains have
// DMARC and align with DKIM or SPF (alignment computed here: mailauth 4.13.3 treats strict as relaxed), the relay's
// address has reverse DNS that points back, messages carry one-click unsubscribe, and BIMI's DMARC prerequisites.
import { isIP } from 'node:net';
import {
  aligned,
  type DmarcRecord,
  dkimDnsRecord,
  dkimRecordKey,
  organizationalDomain,
  parseDmarc,
  type Readiness,
  type ReadinessCheck,
  readinessOf,
  type SenderIdentity,
} from '../domain/identity.js';
import type { DnsReader, SenderProfile } from '../ports/index.js';

export interface ReadinessDeps {
  dns: DnsReader;
  /** The header block of a message this identity would send (built with its context), for the unsubscribe check. */
  sampleHeaders: (profile: SenderProfile) => Promise<string>;
  now?: () => Date;
}

const short = (e: unknown) => (e as Error).message ?? String(e);

/** The From domains an identity covers: its domains and those of its single addresses. */
export function fromDomainsOf(i: Pick<SenderIdentity, 'fromDomains' | 'fromAddresses'>): string[] {
  return [...new Set([...i.fromDomains, ...i.fromAddresses.map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase())])];
}

async function dkimCheck(dns: DnsReader, i: SenderIdentity): Promise<ReadinessCheck> {
  const base = { id: 'dkim' as const, required: true };
  if (!i.dkim)
    return {
      ...base,
      ok: false,
      detail: 'the identity has no DKIM key',
      fix: 'upload a private key or let the service generate one, then publish its TXT record',
    };
  const record = dkimDnsRecord(i.dkim);
  let txts: string[];
  try {
    txts = await dns.txt(record.name);
  } catch (e) {
    return {
      ...base,
      ok: false,
      detail: `the DKIM record ${record.name} could not be read (${short(e)})`,
      fix: 'check the DNS servers answer, then run the check again',
    };
  }
  const keys = txts.map(dkimRecordKey).filter((k): k is string => k !== undefined);
  if (!keys.length) return { ...base, ok: false, detail: `no DKIM record at ${record.name}`, fix: `publish ${record.name} TXT "${record.value}"` };
  if (!keys.includes(i.dkim.publicKeyDer))
    return {
      ...base,
      ok: false,
      detail: `the key published at ${record.name} is not this identity's key`,
      fix: `replace it with ${record.name} TXT "${record.value}", or upload the private key that belongs to the published one`,
    };
  return { ...base, ok: true, detail: `${record.name} publishes this identity's key` };
}

/** The relay's IPv4 addresses: the URL's host when it is an address, else its A records. */
async function relayAddresses(dns: DnsReader, profile: SenderProfile): Promise<string[]> {
  const host = new URL(profile.smtpUrl).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [host];
  return dns.a(host);
}

async function spfCheck(dns: DnsReader, i: SenderIdentity, ips: string[] | Error): Promise<ReadinessCheck> {
  const base = { id: 'spf' as const, required: true };
  if (ips instanceof Error || !ips.length)
    return {
      ...base,
      ok: false,
      detail: `the relay's address is unknown (${ips instanceof Error ? ips.message : 'no A record'})`,
      fix: 'use a relay host name with an A record',
    };
  const sender = `bounce@${i.bounceDomain}`;
  const failed: string[] = [];
  for (const ip of ips) {
    const r = await dns.spf(sender, ip).catch((e) => ({ result: 'temperror', text: short(e) }));
    if (r.result !== 'pass') failed.push(`${ip}: ${r.result}`);
  }
  if (failed.length)
    return {
      ...base,
      ok: false,
      detail: `the bounce domain ${i.bounceDomain} does not let the relay send (${failed.join(', ')})`,
      fix: `add ${ips.map((ip) => `ip4:${ip}`).join(' ')} (or your relay provider's include:) to the SPF record of ${i.bounceDomain}: "v=spf1 ${ips.map((ip) => `ip4:${ip}`).join(' ')} -all"`,
    };
  return { ...base, ok: true, detail: `${ips.join(', ')} pass the SPF of ${i.bounceDomain}` };
}

/** DMARC of a From domain: its own record, else its organizational domain's (RFC 9989 policy discovery, approximated). */
async function dmarcOf(dns: DnsReader, domain: string): Promise<{ at: string; record?: DmarcRecord; problem?: string }> {
  for (const at of [...new Set([domain, organizationalDomain(domain)])]) {
    const txts = (await dns.txt(`_dmarc.${at}`)).filter((t) => /^v\s*=\s*DMARC1/i.test(t.trim()));
    if (txts.length > 1) return { at, problem: `_dmarc.${at} has ${txts.length} DMARC records; receivers then ignore them all` };
    if (txts.length === 1) {
      const parsed = parseDmarc(txts[0]);
      return { at, ...parsed };
    }
  }
  return { at: domain, problem: `no DMARC record at _dmarc.${domain}` };
}

async function dmarcChecks(dns: DnsReader, i: SenderIdentity): Promise<ReadinessCheck[]> {
  const domains = fromDomainsOf(i);
  const found: Array<{ domain: string; at: string; record?: DmarcRecord; problem?: string }> = [];
  for (const d of domains) {
    try {
      found.push({ domain: d, ...(await dmarcOf(dns, d)) });
    } catch (e) {
      found.push({ domain: d, at: d, problem: `_dmarc.${d} could not be read (${short(e)})` });
    }
  }
  const missing = found.filter((f) => !f.record);
  const dmarc: ReadinessCheck = missing.length
    ? {
        id: 'dmarc',
        required: true,
        ok: false,
        detail: missing.map((f) => f.problem).join('; '),
        fix: missing.map((f) => `publish _dmarc.${f.domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc@${f.domain}"`).join('; '),
      }
    : { id: 'dmarc', required: true, ok: true, detail: found.map((f) => `${f.domain}: p=${f.record!.p} (at _dmarc.${f.at})`).join('; ') || 'no From domains' };

  const misaligned: string[] = [];
  const fixes: string[] = [];
  for (const f of found) {
    if (!f.record) continue;
    const dkimOk = i.dkim ? aligned(f.domain, i.dkim.domain, f.record.adkim) : false;
    const spfOk = aligned(f.domain, i.bounceDomain, f.record.aspf);
    if (dkimOk || spfOk) continue;
    const mode = (m: 'r' | 's') => (m === 's' ? 'strict' : 'relaxed');
    misaligned.push(
      `${f.domain} aligns with neither DKIM d=${i.dkim?.domain ?? '(none)'} (${mode(f.record.adkim)}) nor the bounce domain ${i.bounceDomain} (${mode(f.record.aspf)})`,
    );
    fixes.push(
      f.record.adkim === 's' ? `sign with d=${f.domain}` : `sign with a DKIM domain under ${organizationalDomain(f.domain)} (or use a bounce domain under it)`,
    );
  }
  const alignment: ReadinessCheck = misaligned.length
    ? { id: 'alignment', required: true, ok: false, detail: misaligned.join('; '), fix: fixes.join('; ') }
    : {
        id: 'alignment',
        required: true,
        ok: found.some((f) => f.record),
        detail: found.some((f) => f.record) ? 'every From domain aligns with DKIM or SPF' : 'no DMARC record to align with',
      };

  const weak = found.filter((f) => f.record && (f.record.p === 'none' || (f.record.pct !== undefined && f.record.pct !== 100)));
  const bimi: ReadinessCheck =
    !found.length || missing.length
      ? { id: 'bimi', required: false, ok: false, detail: 'BIMI needs a DMARC record first', fix: 'publish DMARC, then move it to p=quarantine or p=reject' }
      : weak.length
        ? {
            id: 'bimi',
            required: false,
            ok: false,
            detail: weak.map((f) => `${f.domain}: p=${f.record!.p}${f.record!.pct !== undefined ? `, pct=${f.record!.pct}` : ''}`).join('; '),
            fix: 'BIMI logos need DMARC at p=quarantine or p=reject for all mail (pct=100 or no pct)',
          }
        : { id: 'bimi', required: false, ok: true, detail: 'DMARC enforces (quarantine or reject, for all mail): a BIMI record may be published' };
  return [dmarc, alignment, bimi];
}

async function rdnsCheck(dns: DnsReader, ips: string[] | Error): Promise<ReadinessCheck> {
  const base = { id: 'rdns' as const, required: false };
  if (ips instanceof Error || !ips.length)
    return { ...base, ok: false, detail: 'the relay has no address to look up', fix: 'use a relay host name with an A record' };
  const problems: string[] = [];
  const good: string[] = [];
  for (const ip of ips) {
    try {
      const names = await dns.ptr(ip);
      if (!names.length) {
        problems.push(`${ip} has no PTR record`);
        continue;
      }
      let confirmed: string | undefined;
      for (const n of names) if ((await dns.a(n)).includes(ip)) confirmed = n;
      if (confirmed) good.push(`${ip} → ${confirmed} → ${ip}`);
      else problems.push(`${ip} → ${names.join(', ')}, which does not point back to ${ip}`);
    } catch (e) {
      problems.push(`${ip}: ${short(e)}`);
    }
  }
  return problems.length
    ? {
        ...base,
        ok: false,
        detail: problems.join('; '),
        fix: "ask the relay's operator for a PTR record whose name resolves back to the address (Gmail refuses mail without one)",
      }
    : { ...base, ok: true, detail: good.join('; ') };
}

async function unsubscribeCheck(sampleHeaders: () => Promise<string>): Promise<ReadinessCheck> {
  const base = { id: 'unsubscribe' as const, required: true };
  let head: string;
  try {
    head = await sampleHeaders();
  } catch (e) {
    return { ...base, ok: false, detail: `a message could not be built (${short(e)})` };
  }
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const lu = /^List-Unsubscribe:\s*(.*)$/im.exec(unfolded)?.[1] ?? '';
  const post = /^List-Unsubscribe-Post:\s*(.*)$/im.exec(unfolded)?.[1]?.trim();
  if (!lu || post !== 'List-Unsubscribe=One-Click')
    return { ...base, ok: false, detail: 'messages lack List-Unsubscribe with List-Unsubscribe-Post: One-Click' };
  const https = /<https:\/\//i.test(lu);
  return https
    ? { ...base, ok: true, detail: 'every message carries a one-click (RFC 8058) HTTPS unsubscribe link and a mailto, both signed' }
    : {
        ...base,
        ok: true,
        detail: 'every message carries one-click unsubscribe (RFC 8058), but its link is not https',
        fix: 'set LEADFWD_PUBLIC_URL to an https:// address: Gmail and Yahoo count only an HTTPS one-click link',
      };
}

export async function checkReadiness(deps: ReadinessDeps, identity: SenderIdentity, profile: SenderProfile): Promise<Readiness> {
  const ips = await relayAddresses(deps.dns, profile).catch((e: Error) => e);
  const [dkim, spf, dmarc, rdns, unsubscribe] = await Promise.all([
    dkimCheck(deps.dns, identity),
    spfCheck(deps.dns, identity, ips),
    dmarcChecks(deps.dns, identity),
    rdnsCheck(deps.dns, ips),
    unsubscribeCheck(() => deps.sampleHeaders(profile)),
  ]);
  return readinessOf([dkim, spf, ...dmarc, rdns, unsubscribe], deps.now?.() ?? new Date());
}
