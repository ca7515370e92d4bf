// Address keys for de-duplication and a conservative "can we send to this" check.
// The key is never used to rewrite the address we send to: Sugar's stored spelling wins.
import { domainToASCII } from 'node:url';

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// RFC 5322 dot-atom; quoted local parts are legal but too rare (and too abused) to send to.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function split(addr: string): { local: string; domain: string } | null {
  if (typeof addr !== 'string') return null;
  const trimmed = addr.trim();
  if (!trimmed || trimmed.length > MAX_ADDRESS * 4) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  return { local: trimmed.slice(0, at), domain: trimmed.slice(at + 1) };
}

function asciiDomain(domain: string): string | null {
  if (/[\s<>()[\]\\,;:"@]/.test(domain)) return null;
  const ascii = domainToASCII(domain.toLowerCase().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LDH_LABEL.test(l))) return null;
  if (!TLD.test(labels[labels.length - 1])) return null;
  return ascii;
}

/** Dedupe key: trimmed, lower-cased, IDN domain in ASCII; null if malformed. */
export function addressKey(addr: string): string | null {
  const parts = split(addr);
  if (!parts || /[\s<>()[\]\\,;:"@\u0000-\u001f\u007f]/.test(parts.local) || parts.local.length > MAX_LOCAL) return null;
  const domain = asciiDomain(parts.domain);
  if (!domain) return null;
  const key = `${parts.local.toLowerCase()}@${domain}`;
  return key.length <= MAX_ADDRESS ? key : null;
}

/**
 * Stricter than addressKey: an ASCII dot-atom local part (no SMTPUTF8 needed), a real
 * public-looking domain (no IP literals, no single-label hosts such as localhost).
 */
export function isSendableAddress(addr: string): boolean {
  const parts = split(addr);
  if (!parts || parts.local.length > MAX_LOCAL || !DOT_ATOM.test(parts.local)) return false;
  const domain = asciiDomain(parts.domain);
  return domain !== null && parts.local.length + 1 + domain.length <= MAX_ADDRESS;
}

/** True when the address's domain is one of `domains` (compared in ASCII, case-insensitively). */
export function senderAllowed(domains: readonly string[], email: string): boolean {
  const key = addressKey(email);
  if (!key) return false;
  const domain = key.slice(key.lastIndexOf('@') + 1);
  return domains.some((d) => addressKey(`x@${d}`)?.slice(2) === domain);
}
