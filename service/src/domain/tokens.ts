// Signed, compact tokens for the open pixel, click redirects and unsubscribe links.
// The token only names the recipient row and link index; the destination URL is looked up
// server-side, so a token can never be turned into an open redirect.
// It also carries a person check (a keyed hash of the row's campaign and address, inside the MAC): after a failover
// that lost the last commits a row id can name someone else, and a hit whose row fails the check is nobody's.
// A click token's link index is outside the MAC: the tag binds kind and recipient, so a message's
// links share one HMAC instead of one each (a tenth of the build cost of a 12-link message). Where every
// message holds every link that is enough: editing the index reaches a link the reader has anyway. Where
// content has Liquid tags a link may be in some messages only (a private offer in an `{% if %}`), so each
// index carries a keyed check of its own (`_` and 12 hex after it), and the MAC covers that it must.
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
  /** The person check (`personCheck`); absent in tokens minted before it existed, which stay valid unchecked. */
  p?: string;
}

/** How a message's click tokens are signed. */
export interface ClickSigning {
  /** Each link index checked on its own: content where a link may be in some messages only. */
  eachLink?: boolean;
}

/** Whom a row holds: what a token's person check is computed from. */
export interface TokenPerson {
  campaignId: string;
  email: string;
}

// 128-bit tag: above the 96-bit floor and what email-standards §4 recommends.
const TAG_BYTES = 16;
const TAG_CHARS = 22; // base64url of 16 bytes, unpadded
const MAX_TOKEN_LENGTH = 64;
const MAX_LINK_INDEX = 2_000_000_000;
// The link index sits outside the MAC, so only its canonical form is accepted (no leading zeros).
const TOKEN_SHAPE = /^([ocu])([0-9a-z]{1,11})(?:_([0-9a-f]{8}))?(?:-(0|[1-9a-z][0-9a-z]{0,5})(?:_([0-9a-f]{12}))?)?\.([A-Za-z0-9_-]{22})$/;
// 32 bits: not a secret (the MAC is), only what tells one person from another on the same row id.
const CHECK_CHARS = 8;

function tag(secret: string, body: string): Buffer {
  // Domain-separated so a token tag can never double as a VERP signature.
  return createHmac('sha256', secret).update('lf-token:').update(body).digest().subarray(0, TAG_BYTES);
}

function isRowId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Keyed, so a token cannot be used to try guessed addresses; the campaign is in it, so a row id given to the same
 * address in another campaign fails it too.
 */
export function personCheck(secret: string, person: TokenPerson): string {
  return createHmac('sha256', secret).update('lf-person:').update(person.campaignId).update('\n').update(person.email).digest('hex').slice(0, CHECK_CHARS);
}

/** Whether a token's person check names this row's person, under any of the keys (a rotation keeps old mail working). */
export function isPerson(keys: VerifyKeys, check: string | undefined, person: TokenPerson): boolean {
  return check === undefined || keyList(keys).some((s) => s !== '' && personCheck(s, person) === check);
}

/**
 * What the MAC covers: kind, row (base 36), in tokens minted since it exists the person check, and `~` (never in a
 * token) when each link index carries its own check, so that check cannot be cut off to edit the index.
 */
const macBody = (k: string, row36: string, check: string | undefined, eachLink = false) =>
  k + row36 + (check === undefined ? '' : `_${check}`) + (eachLink ? '~' : '');

/** `check`: the row's person check (personCheck), computed once for all the tokens of a message. */
function signed(secret: string, k: TokenKind, r: number, check?: string, eachLink = false): { body: string; tag: string } {
  if (!secret) throw new Error('token secret is empty');
  if (!isRowId(r)) throw new Error(`token recipient id must be a non-negative integer, got ${r}`);
  const body = macBody(k, r.toString(36), check, eachLink);
  return { body, tag: tag(secret, body).toString('base64url') };
}

function linkPart(l: number): string {
  if (!Number.isInteger(l) || l < 0 || l > MAX_LINK_INDEX) throw new Error(`bad link index ${l}`);
  return '-' + l.toString(36);
}

// 48 bits: tried only over HTTP, 2^47 guesses on average for one hidden link (32 were days of requests). The longest
// click token is then exactly MAX_TOKEN_LENGTH.
const LINK_CHECK_CHARS = 12;

/** One link index's check, for the token whose MAC body is `body`. */
function linkCheck(secret: string, body: string, link36: string): string {
  return createHmac('sha256', secret).update('lf-link:').update(body).update('-').update(link36).digest('hex').slice(0, LINK_CHECK_CHARS);
}

/** `person`: the row's, so the token checks it (every token of a message sent); without, an unchecked one. */
export function signToken(secret: string, p: Omit<TokenPayload, 'p'>, person?: TokenPerson): string {
  if (p.l !== undefined && p.k !== 'c') throw new Error('only click tokens carry a link index');
  const { body, tag: t } = signed(secret, p.k, p.r, person && personCheck(secret, person));
  return body + (p.l === undefined ? '' : linkPart(p.l)) + '.' + t;
}

/** Click tokens for every link of one recipient's message, from one HMAC (and one per link with `eachLink`). */
export function clickTokens(secret: string, rowId: number, person?: TokenPerson, o: ClickSigning = {}): (linkIndex: number) => string {
  return clickTokensChecked(secret, rowId, person && personCheck(secret, person), o);
}

function clickTokensChecked(secret: string, rowId: number, check: string | undefined, o: ClickSigning): (linkIndex: number) => string {
  const { body, tag: t } = signed(secret, 'c', rowId, check, o.eachLink);
  if (!o.eachLink) return (l) => body + linkPart(l) + '.' + t;
  return (l) => {
    const link = linkPart(l);
    return `${body.slice(0, -1)}${link}_${linkCheck(secret, body, link.slice(1))}.${t}`;
  };
}

/** Every token of one recipient's message, its person checked with one HMAC for all of them. */
export function messageTokens(secret: string, rowId: number, person: TokenPerson, clicks: ClickSigning = {}) {
  const check = personCheck(secret, person);
  const one = (k: TokenKind) => {
    const { body, tag: t } = signed(secret, k, rowId, check);
    return `${body}.${t}`;
  };
  return { open: one('o'), unsubscribe: one('u'), click: clickTokensChecked(secret, rowId, check, clicks) };
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
  const [, k, rowPart, check, linkPart, linkChecked, tagPart] = m;
  if ((linkPart !== undefined) !== (k === 'c')) return null;
  const given = Buffer.from(tagPart, 'base64url');
  // Reject non-canonical encodings (extra low bits) so each payload has exactly one token.
  if (given.length !== TAG_BYTES || given.toString('base64url') !== tagPart || tagPart.length !== TAG_CHARS) return null;
  const body = macBody(k, rowPart, check, linkChecked !== undefined);
  const secret = secrets.find((s) => s && timingSafeEqual(given, tag(s, body)));
  if (secret === undefined) return null;
  if (linkChecked !== undefined && !timingSafeEqual(Buffer.from(linkChecked), Buffer.from(linkCheck(secret, body, linkPart!)))) return null;
  const r = parseInt(rowPart, 36);
  if (!isRowId(r)) return null;
  const payload: TokenPayload = { k: kind, r };
  if (check !== undefined) payload.p = check;
  if (linkPart !== undefined) {
    payload.l = parseInt(linkPart, 36);
    if (payload.l > MAX_LINK_INDEX) return null;
  }
  return payload;
}
