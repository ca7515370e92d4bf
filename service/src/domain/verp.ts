// Per-recipient envelope sender (VERP): a bounce to b-<id>-<sig>@<bounce domain> names the
// recipient row, and the HMAC stops anyone from suppressing addresses with forged bounces.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { keyList, type VerifyKeys } from './tokens.js';

const SIG_BYTES = 10; // 80 bits, 16 base32 characters
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const LOCAL_SHAPE = /^b-([0-9a-z]{1,11})-([a-z2-7]{16})$/;

function base32(buf: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function signature(secret: string, idPart: string): string {
  const mac = createHmac('sha256', secret).update('lf-verp:').update(idPart).digest();
  return base32(mac.subarray(0, SIG_BYTES));
}

/** Lower-case only, so MTAs that fold case on the local part keep it verifiable. */
export function verpAddress(secret: string, recipientRowId: number, bounceDomain: string): string {
  if (!secret) throw new Error('VERP secret is empty');
  if (!Number.isSafeInteger(recipientRowId) || recipientRowId < 0) {
    throw new Error(`VERP recipient id must be a non-negative integer, got ${recipientRowId}`);
  }
  const idPart = recipientRowId.toString(36);
  return `b-${idPart}-${signature(secret, idPart)}@${bounceDomain.toLowerCase()}`;
}

/** The recipient row a VERP address names, checked against the current secret and then a previous one. */
export function parseVerp(keys: VerifyKeys, address: string, bounceDomain: string): number | null {
  const secrets = keyList(keys);
  if (secrets.length === 0 || typeof address !== 'string' || address.length > 254) return null;
  const addr = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const at = addr.lastIndexOf('@');
  if (at <= 0 || addr.slice(at + 1) !== bounceDomain.toLowerCase()) return null;
  const m = LOCAL_SHAPE.exec(addr.slice(0, at));
  if (!m) return null;
  const given = Buffer.from(m[2]);
  if (!secrets.some((secret) => secret && timingSafeEqual(given, Buffer.from(signature(secret, m[1]))))) return null;
  const id = parseInt(m[1], 36);
  return Number.isSafeInteger(id) ? id : null;
}
