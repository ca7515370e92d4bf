// Signed, compact tokens for the open pixel, click redirects and unsubscribe links.
// The token only names the recipient row and link index; the destination URL is looked up
// server-side, so a token can never be turned into an open redirect.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'o' | 'c' | 'u'; // open, click, unsubscribe

export interface TokenPayload {
  k: TokenKind;
  r: number; // recipient row id
  l?: number; // link index for clicks
}

// 128-bit tag: above the 96-bit floor and what email-standards §4 recommends.
const TAG_BYTES = 16;
const TAG_CHARS = 22; // base64url of 16 bytes, unpadded
const MAX_TOKEN_LENGTH = 64;
const TOKEN_SHAPE = /^([ocu])([0-9a-z]{1,11})(?:-([0-9a-z]{1,6}))?\.([A-Za-z0-9_-]{22})$/;

function tag(secret: string, body: string): Buffer {
  // Domain-separated so a token tag can never double as a VERP signature.
  return createHmac('sha256', secret).update('lf-token:').update(body).digest().subarray(0, TAG_BYTES);
}

function isRowId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function signToken(secret: string, p: TokenPayload): string {
  if (!secret) throw new Error('token secret is empty');
  if (!isRowId(p.r)) throw new Error(`token recipient id must be a non-negative integer, got ${p.r}`);
  let body = p.k + p.r.toString(36);
  if (p.l !== undefined) {
    if (p.k !== 'c') throw new Error('only click tokens carry a link index');
    if (!Number.isInteger(p.l) || p.l < 0 || p.l > 2_000_000_000) throw new Error(`bad link index ${p.l}`);
    body += '-' + p.l.toString(36);
  }
  return body + '.' + tag(secret, body).toString('base64url');
}

/** Returns the payload, or null for anything forged, truncated, oversized or of another kind. */
export function verifyToken(secret: string, token: string, kind: TokenKind): TokenPayload | null {
  if (!secret || typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const m = TOKEN_SHAPE.exec(token);
  if (!m || m[1] !== kind) return null;
  const [, k, rowPart, linkPart, tagPart] = m;
  if ((linkPart !== undefined) !== (k === 'c')) return null;
  const given = Buffer.from(tagPart, 'base64url');
  // Reject non-canonical encodings (extra low bits) so each payload has exactly one token.
  if (given.length !== TAG_BYTES || given.toString('base64url') !== tagPart || tagPart.length !== TAG_CHARS) return null;
  const body = token.slice(0, token.length - TAG_CHARS - 1);
  if (!timingSafeEqual(given, tag(secret, body))) return null;
  const r = parseInt(rowPart, 36);
  if (!isRowId(r)) return null;
  const payload: TokenPayload = { k: kind, r };
  if (linkPart !== undefined) payload.l = parseInt(linkPart, 36);
  return payload;
}
