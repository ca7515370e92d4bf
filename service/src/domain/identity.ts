// Sender identities (issue 16): who a campaign sends as. An identity is the From domains and addresses it may use,
// the DKIM key that signs for them, the relay that carries the mail, the bounce (VERP) domain, its rates and its
// warm-up plan. Pure rules here: which From address an identity allows, the DNS record a DKIM key needs, and the
// DMARC reading and alignment the readiness check applies (written here because mailauth 4.13.3 treats strict
// alignment as relaxed).
import { createHash, createPublicKey } from 'node:crypto';
import { addressKey } from './address.js';
import { baseDomain } from './mailbox-provider.js';
import type { WarmupPlan } from './warmup.js';

export interface IdentityRate {
  /** Messages per second (token bucket); at least 1. */
  perSecond: number;
  /** Messages per hour; 0 = no limit. */
  perHour: number;
  /** Messages per UTC day; 0 = no limit. A campaign over it spreads over days. */
  perDay: number;
}

/** Per mailbox provider: concurrency (messages on the wire at once) and messages per second; 0 or absent = the identity's. */
export interface ProviderLimit {
  concurrency?: number;
  perSecond?: number;
}

/** How sending through an identity was allowed: its readiness passed, an administrator forced it, or it came from the environment on upgrade. */
export interface IdentityApproval {
  how: 'readiness' | 'forced' | 'environment';
  by: string;
  at: string;
}

export interface IdentityPause {
  reason: string;
  at: string;
  /** Who or what paused it: a guard rail, the relay refusing us, an administrator. */
  by: string;
}

/** An identity as the features see it: never the private key or the relay password (those stay sealed in the store). */
export interface SenderIdentity {
  id: string;
  name: string;
  isDefault: boolean;
  /** Any address on these domains may be the From. */
  fromDomains: string[];
  /** And these exact addresses (on any domain the DKIM domain aligns with). */
  fromAddresses: string[];
  dkim?: { domain: string; selector: string; publicKeyDer: string };
  relay: { url: string; username?: string; hasPassword: boolean; maxConnections: number };
  bounceDomain: string;
  rate: IdentityRate;
  /** '*' is every provider; a provider's own key wins. */
  providerLimits: Record<string, ProviderLimit>;
  warmup?: WarmupPlan;
  /** Sugar user names who may pick it; empty: every user who may create campaigns. */
  users: string[];
  approval?: IdentityApproval;
  paused?: IdentityPause;
  /** Kept in step with the LEADFWD_SMTP_* and LEADFWD_DKIM_* settings at every start, until an administrator edits it. */
  fromEnvironment: boolean;
  createdAt: string;
  updatedAt: string;
}

const domainOf = (key: string) => key.slice(key.lastIndexOf('@') + 1);
const asciiDomain = (d: string) => addressKey(`x@${d}`)?.slice(2);

/** True when the identity may send From this address: its domain is one of the identity's, or it is one of its addresses. */
export function identityAllows(identity: Pick<SenderIdentity, 'fromDomains' | 'fromAddresses'>, email: string): boolean {
  const key = addressKey(email);
  if (!key) return false;
  if (identity.fromAddresses.some((a) => addressKey(a) === key)) return true;
  const domain = domainOf(key);
  return identity.fromDomains.some((d) => asciiDomain(d) === domain);
}

/** What an identity allows, for messages: "news.example.com, sales@example.org". */
export function allowedSenders(identity: Pick<SenderIdentity, 'fromDomains' | 'fromAddresses'>): string {
  const all = [...identity.fromDomains, ...identity.fromAddresses];
  return all.length ? all.join(', ') : 'nothing yet';
}

/** The public key in SPKI DER (base64), from a private key PEM. Throws for a key that cannot be read. */
export function publicKeyDerOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** SHA-256 of the public key (SPKI DER), hex in pairs: what the API shows instead of the key. */
export function keyFingerprint(publicKeyDer: string): string {
  return createHash('sha256')
    .update(Buffer.from(publicKeyDer, 'base64'))
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

/** The TXT record to publish for a DKIM key. */
export function dkimDnsRecord(dkim: { domain: string; selector: string; publicKeyDer: string }): { name: string; type: 'TXT'; value: string } {
  return { name: `${dkim.selector}._domainkey.${dkim.domain}`, type: 'TXT', value: `v=DKIM1; k=rsa; p=${dkim.publicKeyDer}` };
}

/** Tags of a DKIM, DMARC or BIMI TXT record (`k=v; k=v`), names lower-cased; undefined when the record is not of `version`. */
export function parseTagRecord(txt: string, version: string): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const part of txt.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    tags[part.slice(0, at).trim().toLowerCase()] = part.slice(at + 1).trim();
  }
  if (version && tags.v?.toLowerCase() !== version.toLowerCase()) return undefined;
  return tags;
}

/** The p= value of a DKIM record with whitespace removed ('' when the key was revoked). */
export function dkimRecordKey(txt: string): string | undefined {
  const tags = parseTagRecord(txt, '');
  if (!tags || (tags.v && tags.v !== 'DKIM1')) return undefined;
  return tags.p === undefined ? undefined : tags.p.replace(/\s+/g, '');
}

export interface DmarcRecord {
  p: 'none' | 'quarantine' | 'reject';
  sp?: 'none' | 'quarantine' | 'reject';
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** RFC 7489's pct (RFC 9989 dropped it); absent means 100. */
  pct?: number;
  rua?: string;
}

/** A DMARC record (RFC 9989), or a problem saying what is wrong with it. */
export function parseDmarc(txt: string): { record?: DmarcRecord; problem?: string } {
  const tags = parseTagRecord(txt, 'DMARC1');
  if (!tags) return { problem: 'the record does not start with v=DMARC1' };
  const policy = (v: string | undefined) => (v === 'none' || v === 'quarantine' || v === 'reject' ? v : undefined);
  const p = policy(tags.p?.toLowerCase());
  if (!p) return { problem: `p= must be none, quarantine or reject (found "${tags.p ?? ''}")` };
  const mode = (v: string | undefined) => (v?.toLowerCase() === 's' ? 's' : 'r');
  const pct = tags.pct === undefined ? undefined : Number(tags.pct);
  return {
    record: {
      p,
      ...(policy(tags.sp?.toLowerCase()) ? { sp: policy(tags.sp?.toLowerCase()) } : {}),
      adkim: mode(tags.adkim),
      aspf: mode(tags.aspf),
      ...(pct !== undefined && Number.isFinite(pct) ? { pct } : {}),
      ...(tags.rua ? { rua: tags.rua } : {}),
    },
  };
}

/**
 * DMARC identifier alignment: strict needs the very same domain, relaxed the same organizational domain. The
 * organizational domain is approximated by the registrable base (baseDomain: example.co.uk for a.b.example.co.uk).
 */
export function aligned(fromDomain: string, otherDomain: string, mode: 'r' | 's'): boolean {
  const a = asciiDomain(fromDomain);
  const b = asciiDomain(otherDomain);
  if (!a || !b) return false;
  return mode === 's' ? a === b : baseDomain(a) === baseDomain(b);
}

/** The organizational domain DMARC falls back to when the From domain has no record of its own. */
export const organizationalDomain = (domain: string) => baseDomain(domain);

/** One check of an identity's readiness: ok or a problem, and what to do about it. */
export interface ReadinessCheck {
  id: 'dkim' | 'spf' | 'dmarc' | 'alignment' | 'rdns' | 'unsubscribe' | 'bimi';
  ok: boolean;
  /** Required checks must pass before the identity may send (or an administrator forces it); advice is shown only. */
  required: boolean;
  detail: string;
  fix?: string;
}

export interface Readiness {
  ok: boolean;
  checkedAt: string;
  checks: ReadinessCheck[];
}

export function readinessOf(checks: ReadinessCheck[], at: Date): Readiness {
  return { ok: checks.every((c) => c.ok || !c.required), checkedAt: at.toISOString(), checks };
}
