// One-time pairing codes an administrator types into Sugar: 8 characters of Crockford base32 (no I, L, O, U,
// so nothing reads as another character), shown as XXXX-XXXX; typing is forgiving about case, spaces and dashes.
import { createHash, randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const PAIRING_CODE_TTL_MS = 15 * 60_000;
export const PAIRING_MAX_FAILURES = 5;

export function newPairingCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** The canonical 8 characters, or undefined when the input cannot be a code. */
export function normalisePairingCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 32) return undefined;
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(s) ? s : undefined;
}

export const pairingCodeHash = (canonical: string) => createHash('sha256').update(`leadfwd-pairing:${canonical}`).digest('hex');
