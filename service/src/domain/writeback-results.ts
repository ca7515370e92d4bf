// Reading Sugar's answer to one write: done, worth retrying, or never going to work. A permanent
// failure (403 rights, 404 deleted record, 422 invalid value) goes to the dead-letter state at once;
// an outage or an odd answer is retried with backoff until the attempts run out.
import { backoffMs } from './backoff.js';
import type { SugarOp } from './writeback.js';

/** `existed`: our create was refused because an earlier attempt had already made the record. */
export type OpVerdict = { ok: true; existed?: boolean } | { ok: false; permanent: boolean; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function sugarError(contents: unknown): { label?: string; message?: string } {
  if (!isObject(contents)) return {};
  return {
    label: typeof contents.error === 'string' ? contents.error : undefined,
    message: typeof contents.error_message === 'string' ? contents.error_message : undefined,
  };
}

const HINT: Record<number, string> = {
  403: 'the Sugar user lacks the rights for this',
  404: 'the record is gone from Sugar (deleted?)',
  422: 'Sugar refused a value',
};

export function describeFailure(op: SugarOp, status: number | string, contents?: unknown): string {
  const { label, message } = sugarError(contents);
  const code = [status, label].filter((x) => x !== undefined && x !== '').join(' ');
  const hint = typeof status === 'number' ? HINT[status] : undefined;
  const text = [message, hint].filter(Boolean).join('; ');
  return `${op.what}: ${op.method} ${op.path.split('?')[0]} answered ${code}${text ? ` (${text})` : ''}`.slice(0, 500);
}

export function judge(op: SugarOp, status: number, contents: unknown): OpVerdict {
  if (status >= 200 && status < 300) {
    // Every write and read the worker makes answers with a record (or {record, related_record}).
    if (!isObject(contents))
      return { ok: false, permanent: false, message: `${op.what}: ${op.method} ${op.path.split('?')[0]} answered ${status} with an unexpected body` };
    return { ok: true };
  }
  if (status === 422 && op.create && /already exists/i.test(sugarError(contents).message ?? '')) return { ok: true, existed: true };
  const transient = !Number.isInteger(status) || status === 401 || status === 408 || status === 409 || status === 429 || status >= 500 || status < 100;
  return { ok: false, permanent: !transient, message: describeFailure(op, Number.isInteger(status) ? status : 'no status', contents) };
}

/** Exponential backoff with jitter: half the step fixed, half random, so a crowd of rows spreads out. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffMs(attempts - 1, { baseMs, maxMs, jitter: 'half', random });
}
