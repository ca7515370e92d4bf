// Argument parsing and paging for list endpoints (sugar-platform.md §4, fact-check row 12-13).
import { invalidParameter } from './errors.js';
import { asArray, isPlainObject } from './filter.js';

export interface ListArgs {
  filter: unknown[];
  maxNum: number; // negative = unlimited
  offset: number;
  orderBy: string | undefined;
  fields: string[] | undefined;
  deleted: boolean;
  q?: string;
  /** A saved filter (Filters record) ANDed with `filter` (FilterApi: array_merge of its definition and filter). */
  filterId?: string;
}

const DEFAULT_MAX_NUM = 20;

/** Query and path arguments override body keys, as in Sugar. */
export function parseListArgs(query: Record<string, unknown>, body: Record<string, unknown> | undefined): ListArgs {
  const args: Record<string, unknown> = { ...(isPlainObject(body) ? body : {}), ...query };
  const filter = parseFilter(args.filter);
  const q = args.q === undefined || args.q === null || args.q === '' ? undefined : String(args.q);
  if (q !== undefined && filter.length > 0) throw invalidParameter('The q and filter arguments cannot be combined.');
  const out: ListArgs = {
    filter,
    maxNum: parseMaxNum(args.max_num),
    offset: parseOffset(args.offset),
    orderBy: parseOrderBy(args.order_by),
    fields: parseFields(args.fields),
    deleted: truthy(args.deleted),
  };
  if (q !== undefined) out.q = q;
  if (args.filter_id !== undefined && args.filter_id !== '') out.filterId = String(args.filter_id);
  return out;
}

export function pageRecords<T>(rows: T[], args: ListArgs): { next_offset: number; records: T[] } {
  const start = Math.min(args.offset, rows.length);
  if (args.maxNum < 0) return { next_offset: -1, records: rows.slice(start) };
  const end = start + args.maxNum;
  return { next_offset: rows.length > end ? end : -1, records: rows.slice(start, end) };
}

function parseFilter(raw: unknown): unknown[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalidParameter('The filter argument is not valid JSON.');
    }
  }
  const list = asArray(value);
  if (!list) throw invalidParameter('The filter argument must be an array of conditions.');
  return list;
}

function parseMaxNum(raw: unknown): number {
  // Sugar treats an empty or zero max_num as "not given".
  if (raw === undefined || raw === null || raw === '' || raw === 0 || raw === '0') return DEFAULT_MAX_NUM;
  const n = toInt(raw, 'max_num');
  return n < 0 ? -1 : n;
}

function parseOffset(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  // Sugar accepts offset=end meaning "past the last row".
  if (raw === 'end') return Number.MAX_SAFE_INTEGER;
  const n = toInt(raw, 'offset');
  return Math.max(n, 0);
}

function toInt(raw: unknown, name: string): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n)) throw invalidParameter(`${name} must be an integer.`);
  return n;
}

function parseOrderBy(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = asArray(raw);
  if (list?.every((x) => typeof x === 'string')) return list.join(',');
  if (typeof raw === 'string') return raw;
  throw invalidParameter('order_by must be a string such as "name:desc,date_entered".');
}

function parseFields(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const list = typeof raw === 'string' ? raw.split(',') : asArray(raw);
  if (!list?.every((x) => typeof x === 'string')) throw invalidParameter('fields must be a comma-separated list or an array of names.');
  const names = (list as string[]).map((s) => s.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

function truthy(raw: unknown): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  return s !== '' && s !== '0' && s !== 'false';
}
