// Input validation with zod: one schema per request body (declared by the feature that takes it, and rendered
// into docs/api.md by scripts/api-doc.ts), messages written for people, every problem reported at once.
import { z } from 'zod';
import { AppError, type AppErrorCode } from './errors.js';

const absent = (v: unknown) => (v === '' || v === null ? undefined : v);

/** A string field; '' and null count as absent. Messages: "x is required", "x must be a string", "x must be at most n characters". */
export function text(field: string, max: number, opts?: { required?: true; description?: string }): z.ZodType<string>;
export function text(field: string, max: number, opts: { required: false; description?: string }): z.ZodType<string | undefined>;
export function text(field: string, max: number, opts: { required?: boolean; description?: string } = {}): z.ZodType<string | undefined> {
  const s = z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .max(max, `${field} must be at most ${max} characters`);
  const schema = opts.required === false ? s.optional() : s;
  return z.preprocess(absent, opts.description ? schema.describe(opts.description) : schema) as z.ZodType<string | undefined>;
}

/** A record id as the API takes one (Sugar's UUIDs, ours). */
export const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** An array of record ids (absent or null: none), duplicates dropped. */
export function idList(field: string, description?: string) {
  const message = `${field} must be an array of ids`;
  const list = z.array(z.string({ error: message }).regex(ID, message), { error: message }).optional();
  return z.preprocess((v) => (v === null ? undefined : v), description ? list.describe(description) : list).transform((ids) => [...new Set(ids ?? [])]);
}

/** One id (of a Sugar record, say), optional. */
export function id(field: string, description: string) {
  return z
    .string({ error: `${field} must be an id` })
    .regex(ID, `${field} must be an id`)
    .optional()
    .describe(description);
}

/**
 * The latest date-time taken: stored times compare as ISO text, where a six-digit year ("+010000-…") sorts before
 * "2026-…" (a campaign for the year 10000 was due at once), and a Sugar Campaign ends 30 days after its start, which
 * must still be a four-digit year (near JavaScript's last date it overflowed and jammed the write-back). An early
 * one is simply past: "now".
 */
const LATEST = Date.UTC(9999, 11, 1);
const LATEST_TEXT = '9999-12-01';

/** An ISO 8601 date-time; absent, null or '' mean "now" (the use case decides). */
export function dateTime(field: string, description?: string): z.ZodType<string | undefined> {
  const message = `${field} must be an ISO 8601 date-time`;
  const s = z
    .string({ error: message })
    .refine((v) => !Number.isNaN(new Date(v).getTime()), message)
    .refine((v) => !(new Date(v).getTime() >= LATEST), `${field} must be before ${LATEST_TEXT}`)
    .optional();
  return z.preprocess(absent, description ? s.describe(description) : s) as z.ZodType<string | undefined>;
}

/** A whole number of at most `digits` digits in a query string, kept as text (the use case bounds it). */
export function queryNumber(field: string, description: string, o: { digits?: number; message?: string } = {}) {
  return z
    .string()
    .regex(new RegExp(`^\\d{1,${o.digits ?? 9}}$`), o.message ?? `${field} must be a whole number`)
    .optional()
    .describe(description);
}

/** A value as a message may show it, clipped; never throws (an object's own toString may be anything, or nothing). */
export function shown(v: unknown, max = 100): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || v == null ? String(v) : Array.isArray(v) ? 'a list' : 'an object';
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** `targets[3]` for the path ['targets', 3, 'module'] (the item a message starting with '.' is about). */
const itemPath = (path: PropertyKey[]) =>
  path
    .slice(0, -1)
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`))
    .join('');

/** `abTest.variants[0]` for the path ['abTest', 'variants', 0]. */
const fullPath = (path: PropertyKey[]) => itemPath([...path, '']);

const KINDS: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };

/**
 * A message for people: zod's own wording ("Invalid input: expected object, received array") is left only where a
 * schema gave none, and says which value must be what instead.
 */
function messageOf(i: z.core.$ZodIssue): string {
  if (i.message.startsWith('.')) return `${itemPath(i.path)}${i.message}`;
  if (i.code === 'invalid_type' && i.message.startsWith('Invalid input')) {
    const kind = KINDS[i.expected] ?? i.expected;
    return i.path.length ? `${fullPath(i.path)} must be ${kind}` : `the request must be a JSON object`;
  }
  return i.message;
}

/** The problems of a failed parse, each once, in the order zod found them. A message starting with '.' names its item. */
export function problemsOf(error: z.ZodError): string[] {
  // Not an object at all: what the checks across its fields add is noise.
  const root = error.issues.find((i) => i.code === 'invalid_type' && i.path.length === 0);
  return [...new Set((root ? [root] : error.issues).map(messageOf))];
}

/** The parsed input, or an AppError with `code`, every problem in the message and in `details.problems`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code: AppErrorCode): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const problems = problemsOf(r.error);
  throw new AppError(code, problems.join('; '), { problems });
}

export { z };
