// Conversions between domain values and column values, shared by the SQLite repos.
import type { BlockReport } from '../ports/index.js';
import { StoreInputError } from './errors.js';

// toISOString()'s own form with a day of 28 or less: a real time that parsing would give back unchanged. The pixel
// passes every hit's time through here, and parsing and printing it again cost more than this test.
const CANONICAL = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Normalises any parseable time to `toISOString()` form so text comparison in SQL is time order. */
export function isoTime(value: string, what: string): string {
  if (typeof value === 'string' && CANONICAL.test(value)) return value;
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new StoreInputError(`${what} must be an ISO date-time, got ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}

export function checkIds(rowIds: unknown): asserts rowIds is number[] {
  if (!Array.isArray(rowIds) || rowIds.some((id) => !Number.isSafeInteger(id))) throw new StoreInputError('row ids must be an array of whole numbers');
}

export function toJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  // PostgreSQL's jsonb cannot hold U+0000 (it refuses the whole statement); SQLite's text can. Dropped from strings on
  // both adapters, so a payload carrying one (a bounce's text, say) is stored, and stored alike.
  return text.includes('\\u0000') ? JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '') : v)) : text;
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** null from SQLite becomes an absent property, matching the optional fields of the domain types. */
export function opt<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

export function stringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new StoreInputError(`${what} must be an array of strings`);
  }
  return value as string[];
}

/** A page of a list: a limit of 1 or more and an offset of 0 or more, or a StoreInputError. */
export function pageOf(opts: { limit: number; offset?: number }): { limit: number; offset: number } {
  const { limit, offset = 0 } = opts;
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) throw new StoreInputError('limit must be 1 or more, offset 0 or more');
  return { limit, offset };
}

/** A hit's counter key and time, checked: an open counts on link -1, a click on its link index (0 or more). */
export function hitKey(e: { kind: string; linkIndex?: number; at: string }): { linkIdx: number; at: string } {
  if (e.kind !== 'open' && e.kind !== 'click') throw new StoreInputError(`engagement kind must be open or click, got ${String(e.kind)}`);
  const linkIdx = e.kind === 'open' ? -1 : e.linkIndex;
  if (!Number.isInteger(linkIdx) || (e.kind === 'click' && (linkIdx as number) < 0)) throw new StoreInputError('a click needs a link index of 0 or more');
  return { linkIdx: linkIdx as number, at: isoTime(e.at, 'engagement time') };
}

/**
 * The block facts of an identity's campaigns at a provider, an address a row, as both stores read them ($1 since, $2 the
 * identity, $3 1 when it is the default, $4 the provider, $5 the limit).
 */
export const BLOCK_REPORTS = (p: (n: number) => string) => `SELECT r.address_key, max(r.email) AS email, max(r.provider) AS provider
    FROM engagement_facts f JOIN recipients r ON r.row_id = f.recipient_row_id JOIN campaigns c ON c.id = f.campaign_id
    WHERE f.fact = 'block' AND f.at >= ${p(1)} AND (c.sender_identity_id = ${p(2)} OR (${p(3)} = 1 AND c.sender_identity_id IS NULL))
      AND (r.provider = ${p(4)} OR r.provider IS NULL)
    GROUP BY r.address_key ORDER BY max(f.at) DESC LIMIT ${p(5)}`;

/** A row of BLOCK_REPORTS. */
export interface BlockRow {
  address_key: string;
  email: string;
  provider: string | null;
}

export const blockReport = (r: BlockRow): BlockReport => ({ addressKey: r.address_key, email: r.email, ...(r.provider ? { provider: r.provider } : {}) });
