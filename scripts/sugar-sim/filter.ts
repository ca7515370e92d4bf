// Filter API semantics of sugar-platform.md §4, evaluated in memory over simulator records.
import { invalidParameter, SugarError } from './errors.js';

export type FieldType = 'id' | 'varchar' | 'name' | 'text' | 'enum' | 'bool' | 'int' | 'decimal' | 'date' | 'datetime' | 'relate' | 'email' | 'link';
export interface FieldDefs {
  [name: string]: { type: FieldType };
}
export type SimRecord = Record<string, unknown>;
/** Resolves `link.field` names other than email_addresses.*; undefined means the name is unknown. */
export type RelatedFieldResolver = (link: string, field: string) => { type: FieldType; values(rec: SimRecord): unknown[] } | undefined;
export interface FilterContext {
  module: string;
  fields: FieldDefs;
  userId: string;
  now: Date;
  favorites?: Set<string>;
  relatedField?: RelatedFieldResolver;
  /** Fields the asking user has no access to (field ACL None): filtering on them is refused (FilterApi::verifyField). */
  hidden?: ReadonlySet<string>;
}

type Pred = (rec: SimRecord) => boolean;
type ValuePred = (v: unknown) => boolean;
interface Accessor {
  name: string;
  type: FieldType;
  values(rec: SimRecord): unknown[];
}
type Kind = 'string' | 'number' | 'bool' | 'date' | 'datetime';

const DAY = 86_400_000;
const NO_MATCH: Pred = () => false;

export function compileFilter(filter: unknown, ctx: FilterContext): Pred {
  if (filter === undefined || filter === null || filter === '') return () => true;
  const items = asArray(filter);
  if (!items) throw invalidParameter('The filter must be an array of conditions.');
  return all(items.map((item) => compileCondition(item, ctx)));
}

function compileCondition(cond: unknown, ctx: FilterContext): Pred {
  if (!isPlainObject(cond)) throw invalidParameter('Each filter condition must be an object.');
  return all(Object.entries(cond).map(([key, value]) => compileKey(key, value, ctx)));
}

function compileKey(key: string, value: unknown, ctx: FilterContext): Pred {
  switch (key) {
    case '$or':
    case '$and': {
      const parts = asArray(value);
      if (!parts) throw invalidParameter(`${key} requires an array`);
      const preds = parts.map((p) => compileCondition(p, ctx));
      return key === '$or' ? (rec) => preds.some((p) => p(rec)) : all(preds);
    }
    case '$owner':
      return (rec) => rec.assigned_user_id === ctx.userId;
    case '$creator':
      return (rec) => rec.created_by === ctx.userId;
    case '$favorite':
      return (rec) => (ctx.favorites ? ctx.favorites.has(String(rec.id)) : rec.my_favorite === true);
    // Recently viewed and followed records are not modelled by the simulator: nothing qualifies.
    case '$tracker':
    case '$following':
      return NO_MATCH;
  }
  const field = resolveField(key, ctx);
  // An array is an operator map with numeric keys, which Sugar rejects as unknown operands.
  const ops = typeof value === 'object' && value !== null ? Object.entries(value) : [['$equals', value] as [string, unknown]];
  const preds = ops.map(([op, operand]) => {
    const test = compileOperator(field, op, operand, ctx);
    return (rec: SimRecord) => field.values(rec).some(test);
  });
  return all(preds);
}

function resolveField(name: string, ctx: FilterContext): Accessor {
  if (ctx.hidden?.has(name)) throw new SugarError(403, 'not_authorized', `Access for field ${name} is not allowed`);
  const dot = name.indexOf('.');
  if (dot < 0) {
    const def = fieldDef(name, ctx);
    if (!def || def.type === 'link') throw unknownField(name);
    return { name, type: def.type, values: (rec) => [plainValue(rec, name, def.type)] };
  }
  const link = name.slice(0, dot);
  const column = name.slice(dot + 1);
  if (link === 'email_addresses' && hasEmail(ctx)) {
    const col = EMAIL_COLUMNS[column];
    if (!col) throw unknownField(name);
    return { name, type: col.type, values: (rec) => orNull(emailRows(rec).map((row) => row[col.key])) };
  }
  const related = ctx.fields[link]?.type === 'link' ? ctx.relatedField?.(link, column) : undefined;
  if (!related) throw unknownField(name);
  return { name, type: related.type, values: (rec) => orNull(related.values(rec)) };
}

const EMAIL_COLUMNS: Record<string, { key: string; type: FieldType }> = {
  email_address: { key: 'email_address', type: 'varchar' },
  email_address_caps: { key: 'email_address', type: 'varchar' },
  id: { key: 'email_address_id', type: 'id' },
  opt_out: { key: 'opt_out', type: 'bool' },
  invalid_email: { key: 'invalid_email', type: 'bool' },
  primary_address: { key: 'primary_address', type: 'bool' },
};

function hasEmail(ctx: FilterContext): boolean {
  return ctx.fields.email?.type === 'email' || ctx.fields.email_addresses?.type === 'link';
}

function emailRows(rec: SimRecord): Record<string, unknown>[] {
  return Array.isArray(rec.email) ? rec.email.filter(isPlainObject) : [];
}

// A record without related rows behaves like a LEFT JOIN: one row of NULLs.
const orNull = (values: unknown[]) => (values.length ? values : [null]);

function plainValue(rec: SimRecord, name: string, type: FieldType): unknown {
  if (type !== 'email') return rec[name];
  const rows = emailRows(rec);
  return (rows.find((r) => r.primary_address === true) ?? rows[0])?.email_address ?? null;
}

function fieldDef(name: string, ctx: FilterContext) {
  return Object.hasOwn(ctx.fields, name) ? ctx.fields[name] : name === 'id' ? { type: 'id' as const } : undefined;
}

const unknownField = (name: string) => invalidParameter(`Unknown field ${name}`);

function compileOperator(field: Accessor, op: string, operand: unknown, ctx: FilterContext): ValuePred {
  const kind = kindOf(field.type);
  const norm = (v: unknown) => normalize(v, kind);
  const arg = (v: unknown) => operandValue(v, kind, field.name);
  switch (op) {
    case '$equals':
      if (operand === null) return isNull;
      return equalsPred(field, operand, kind);
    case '$not_equals': {
      if (operand === null) return (v) => !isNull(v);
      const eq = equalsPred(field, operand, kind);
      return (v) => isNull(v) || !eq(v);
    }
    case '$starts':
    case '$ends':
    case '$contains':
    case '$not_contains': {
      const needle = String(operand ?? '').toLowerCase();
      const hit = (v: unknown) => {
        const s = String(v).toLowerCase();
        return op === '$starts' ? s.startsWith(needle) : op === '$ends' ? s.endsWith(needle) : s.includes(needle);
      };
      return op === '$not_contains' ? (v) => isNull(v) || !hit(v) : (v) => !isNull(v) && hit(v);
    }
    case '$in':
    case '$not_in': {
      const list = asArray(operand);
      if (!list) throw invalidParameter(`${op} requires an array`);
      const wanted = new Set(list.map((x) => key(arg(x))));
      return op === '$in' ? (v) => !isNull(v) && wanted.has(key(norm(v))) : (v) => isNull(v) || !wanted.has(key(norm(v)));
    }
    case '$between':
    case '$dateBetween': {
      const pair = asArray(operand);
      if (pair?.length !== 2) throw invalidParameter(`${op} requires an array with two values.`);
      const [lo, hi] = bounds(pair[0], pair[1], kind, field.name);
      return (v) => inRange(norm(v), lo, hi);
    }
    case '$is_null':
      return isNull;
    case '$not_null':
      return (v) => !isNull(v);
    case '$empty':
      return (v) => isNull(v) || v === '';
    case '$not_empty':
      return (v) => !isNull(v) && v !== '';
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte': {
      const edge = arg(operand);
      // A bare date against a datetime covers the whole day: < start, <= end, > end, >= start.
      const ref = Array.isArray(edge) ? (op === '$lt' || op === '$gte' ? edge[0] : edge[1]) : edge;
      return (v) => {
        const c = compareNorm(norm(v), ref);
        if (c === undefined) return false;
        return op === '$lt' ? c < 0 : op === '$lte' ? c <= 0 : op === '$gt' ? c > 0 : c >= 0;
      };
    }
    case '$dateRange': {
      if (kind !== 'date' && kind !== 'datetime') throw invalidParameter(`$dateRange requires a date field: ${field.name}`);
      const [from, to] = dateRange(String(operand), ctx.now);
      const [lo, hi] = bounds(from, to, kind, field.name);
      return (v) => inRange(norm(v), lo, hi);
    }
    default:
      throw invalidParameter(`Did not recognize the operand: ${op}`);
  }
}

function equalsPred(field: Accessor, operand: unknown, kind: Kind): ValuePred {
  const want = operandValue(operand, kind, field.name);
  if (Array.isArray(want)) return (v) => inRange(normalize(v, kind), want[0], want[1]);
  return (v) => !isNull(v) && compareNorm(normalize(v, kind), want) === 0;
}

function kindOf(type: FieldType): Kind {
  switch (type) {
    case 'int':
    case 'decimal':
      return 'number';
    case 'bool':
      return 'bool';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

type Norm = string | number | boolean | null;

// Record values as stored: strings compare case-insensitively like MySQL's default collation.
function normalize(v: unknown, kind: Kind): Norm {
  if (isNull(v)) return null;
  switch (kind) {
    case 'number': {
      const s = String(v).trim();
      const n = typeof v === 'number' ? v : s === '' ? NaN : Number(s);
      return Number.isFinite(n) ? n : null;
    }
    case 'bool':
      return toBool(v);
    case 'date': {
      const m = /^\d{4}-\d{2}-\d{2}/.exec(String(v));
      return m ? m[0] : null;
    }
    case 'datetime': {
      const t = Date.parse(String(v));
      return Number.isNaN(t) ? null : t;
    }
    default:
      return String(v).toLowerCase();
  }
}

// Filter operands are validated; a bare date on a datetime field becomes that whole UTC day.
function operandValue(v: unknown, kind: Kind, field: string): Norm | [number, number] {
  if (kind === 'string') return isNull(v) ? null : String(v).toLowerCase();
  if (kind === 'datetime' && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(start)) throw badValue(field, v);
    return [start, start + DAY - 1];
  }
  const n = normalize(v, kind);
  if (n === null) throw badValue(field, v);
  return n;
}

const badValue = (field: string, v: unknown) => invalidParameter(`Invalid value for field ${field}: ${JSON.stringify(v)}`);

function bounds(a: unknown, b: unknown, kind: Kind, field: string): [Norm, Norm] {
  const lo = operandValue(a, kind, field);
  const hi = operandValue(b, kind, field);
  return [Array.isArray(lo) ? lo[0] : lo, Array.isArray(hi) ? hi[1] : hi];
}

function inRange(v: Norm, lo: Norm, hi: Norm): boolean {
  const a = compareNorm(v, lo);
  const b = compareNorm(v, hi);
  return a !== undefined && b !== undefined && a >= 0 && b <= 0;
}

function compareNorm(a: Norm, b: Norm | [number, number]): number | undefined {
  if (a === null || b === null || Array.isArray(b)) return undefined;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const key = (v: Norm | [number, number]) => JSON.stringify(v);

function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === '1' || s === 'true' || s === 'on' || s === 'yes') return true;
  if (s === '0' || s === 'false' || s === 'off' || s === 'no') return false;
  return null;
}

/** The 13 named ranges of §4 as inclusive [from, to] UTC dates (YYYY-MM-DD). */
export function dateRange(name: string, now: Date): [string, string] {
  const y = now.getUTCFullYear(),
    m = now.getUTCMonth(),
    d = now.getUTCDate();
  const day = (offset: number) => iso(Date.UTC(y, m, d + offset));
  const month = (delta: number): [string, string] => [iso(Date.UTC(y, m + delta, 1)), iso(Date.UTC(y, m + delta + 1, 0))];
  const year = (delta: number): [string, string] => [`${y + delta}-01-01`, `${y + delta}-12-31`];
  const ranges: Record<string, () => [string, string]> = {
    today: () => [day(0), day(0)],
    yesterday: () => [day(-1), day(-1)],
    tomorrow: () => [day(1), day(1)],
    last_7_days: () => [day(-6), day(0)],
    next_7_days: () => [day(0), day(6)],
    last_30_days: () => [day(-29), day(0)],
    next_30_days: () => [day(0), day(29)],
    last_month: () => month(-1),
    this_month: () => month(0),
    next_month: () => month(1),
    last_year: () => year(-1),
    this_year: () => year(0),
    next_year: () => year(1),
  };
  // Own keys only: a name such as `constructor` is an unknown range, not Object's.
  if (!Object.hasOwn(ranges, name)) throw invalidParameter(`Did not recognize the date range: ${name}`);
  return ranges[name]();
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function compileOrderBy(orderBy: unknown, ctx: FilterContext): (a: SimRecord, b: SimRecord) => number {
  const terms: Array<{ acc: Accessor; desc: boolean }> = [];
  const spec = Array.isArray(orderBy) ? orderBy.join(',') : orderBy;
  if (spec !== undefined && spec !== null && spec !== '') {
    if (typeof spec !== 'string') throw invalidParameter('order_by must be a string such as "name:desc,date_entered".');
    for (const part of spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [name, dir = ''] = part.split(':').map((s) => s.trim());
      const def = fieldDef(name, ctx);
      if (!def || def.type === 'link') throw invalidParameter(`Non existing field: ${name} in module: ${ctx.module}`);
      terms.push({ acc: resolveField(name, ctx), desc: dir.toLowerCase() === 'desc' });
    }
  } else {
    const type = ctx.fields.date_modified?.type ?? 'datetime';
    terms.push({ acc: { name: 'date_modified', type, values: (rec) => [rec.date_modified] }, desc: true });
  }
  // id breaks ties so that offset paging is stable.
  terms.push({ acc: { name: 'id', type: 'id', values: (rec) => [rec.id] }, desc: false });
  // Sort keys are computed once per record: a sort compares each record many times.
  const keys = new WeakMap<SimRecord, Norm[]>();
  const keyOf = (rec: SimRecord) => {
    let k = keys.get(rec);
    if (!k) keys.set(rec, (k = terms.map(({ acc }) => normalize(acc.values(rec)[0], kindOf(acc.type)))));
    return k;
  };
  return (a, b) => {
    const ka = keyOf(a),
      kb = keyOf(b);
    for (let i = 0; i < terms.length; i++) {
      const c = sortCompare(ka[i], kb[i]);
      if (c !== 0) return terms[i].desc ? -c : c;
    }
    return 0;
  };
}

// MySQL puts NULLs first in ascending order.
function sortCompare(a: Norm, b: Norm): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareNorm(a, b) ?? 0;
}

function all(preds: Pred[]): Pred {
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0];
  return (rec) => preds.every((p) => p(rec));
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Arrays, or objects keyed 0..n-1 as a query-string parser produces for long or nested lists. */
export function asArray(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (!isPlainObject(v)) return undefined;
  const keys = Object.keys(v);
  if (!keys.every((k) => /^\d+$/.test(k))) return undefined;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => v[String(k)]);
}
