// Signed, compact tokens for the open pixel, click redirects and unsubscribe links.
// The token only names the recipient row and link index; the destination URL is looked up
// server-side, so a token can never be turned into an open redirect.
// A click token's link index is outside the MAC: the tag binds kind and recipient, so a message's
// links share one HMAC instead of one each (a tenth of the build cost of a 12-link message). Editing
// the index only reaches another link stored for the same campaign, as that recipient, which anyone
// holding the message can do by clicking it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'o' | 'c' | 'u'; // open, click, unsubscribe

/**
 * Secrets a token may be verified with: the current one first, then the one before a rotation
 * (LEADFWD_SECRET_PREVIOUS), so links in mail already sent keep working. Signing always uses the current one.
 */
export type VerifyKeys = string | readonly string[];

export function keyList(keys: VerifyKeys): readonly string[] {
  return typeof keys === 'string' ? [keys] : keys;
}

export interface TokenPayload {
  k: TokenKind;
  r: number; // recipient row id
  l?: number; // link index for clicks
}

// 128-bit tag: above the 96-bit floor and what email-standards §4 recommends.
const TAG_BYTES = 16;
const TAG_CHARS = 22; // base64url of 16 bytes, unpadded
const MAX_TOKEN_LENGTH = 64;
const MAX_LINK_INDEX = 2_000_000_000;
// The link index sits outside the MAC, so only its canonical form is accepted (no leading zeros).
const TOKEN_SHAPE = /^([ocu])([0-9a-z]{1,11})(?:-(0|[1-9a-z][0-9a-z]{0,5}))?\.([A-Za-z0-9_-]{22})$/;

function tag(secret: string, body: string): Buffer {
  // Domain-separated so a token tag can never double as a VERP signature.
  return createHmac('sha256', secret).update('lf-token:').update(body).digest().subarray(0, TAG_BYTES);
}

function isRowId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function signed(secret: string, k: TokenKind, r: number): { body: string; tag: string } {
  if (!secret) throw new Error('token secret is empty');
  if (!isRowId(r)) throw new Error(`token recipient id must be a non-negative integer, got ${r}`);
  const body = k + r.toString(36);
  return { body, tag: tag(secret, body).toString('base64url') };
}

function linkPart(l: number): string {
  if (!Number.isInteger(l) || l < 0 || l > MAX_LINK_INDEX) throw new Error(`bad link index ${l}`);
  return '-' + l.toString(36);
}

export function signToken(secret: string, p: TokenPayload): string {
  if (p.l !== undefined && p.k !== 'c') throw new Error('only click tokens carry a link index');
  const { body, tag: t } = signed(secret, p.k, p.r);
  return body + (p.l === undefined ? '' : linkPart(p.l)) + '.' + t;
}

/** Click tokens for every link of one recipient's message, from one HMAC. */
export function clickTokens(secret: string, rowId: number): (linkIndex: number) => string {
  const { body, tag: t } = signed(secret, 'c', rowId);
  return (l) => body + linkPart(l) + '.' + t;
}

/**
 * Returns the payload, or null for anything forged, truncated, oversized or of another kind. With several keys
 * the current (first) is tried first, so the open pixel's hot path costs one HMAC; only a token that fails it
 * costs a second.
 */
export function verifyToken(keys: VerifyKeys, token: string, kind: TokenKind): TokenPayload | null {
  const secrets = keyList(keys);
  if (secrets.length === 0 || typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const m = TOKEN_SHAPE.exec(token);
  if (!m || m[1] !== kind) return null;
  const [, k, rowPart, linkPart, tagPart] = m;
  if ((linkPart !== undefined) !== (k === 'c')) return null;
  const given = Buffer.from(tagPart, 'base64url');
  // Reject non-canonical encodings (extra low bits) so each payload has exactly one token.
  if (given.length !== TAG_BYTES || given.toString('base64url') !== tagPart || tagPart.length !== TAG_CHARS) return null;
  let matched = false;
  for (const secret of secrets) {
    if (secret && timingSafeEqual(given, tag(secret, k + rowPart))) {
      matched = true;
      break;
    }
  }
  if (!matched) return null;
  const r = parseInt(rowPart, 36);
  if (!isRowId(r)) return null;
  const payload: TokenPayload = { k: kind, r };
  if (linkPart !== undefined) {
    payload.l = parseInt(linkPart, 36);
    if (payload.l > MAX_LINK_INDEX) return null;
  }
  return payload;
}
