// The write-back's way to Sugar: every call is one POST /bulk, paced by a token bucket, with a test
// seam right after Sugar answered (before anything is committed locally).
import { createTokenBucket } from '../domain/rate-limit.js';
import type { SugarOp } from '../domain/writeback.js';
import { judge, type OpVerdict } from '../domain/writeback-results.js';
import type { Log } from '../ports/log.js';
/** One sub-request of POST /bulk and Sugar's answer to it (the Sugar client implements BulkPort). */
export interface BulkItem {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  data?: unknown;
}
export interface BulkResult {
  status: number;
  contents: unknown;
}

export interface BulkPort {
  bulk(items: BulkItem[], opts?: { chunkSize?: number; idempotent?: boolean }): Promise<BulkResult[]>;
}

export type WritebackLogger = Pick<Log, 'info' | 'warn' | 'error'>;

/** Sugar's answer to one op: the verdict, the body, and the HTTP status Sugar gave it. */
export interface OpResult {
  verdict: OpVerdict;
  contents: unknown;
  status?: number;
}
export type Send = (ops: SugarOp[]) => Promise<OpResult[]>;

/** Thrown errors a whole call shares (outage, token, odd answer) are retried; others are about the request. */
export function isTransientCallError(e: unknown): boolean {
  const err = e as { retryable?: unknown; kind?: unknown };
  return err.retryable === true || err.kind === 'auth' || err.kind === 'unexpected' || !('kind' in (err ?? {}));
}

export function createSender(o: {
  sugar: BulkPort;
  ratePerSecond: number;
  afterAnswer?: () => void;
  /** Several processes on one database: Sugar's request budget as one bucket they share. */
  bucket?: { take(): number };
}): Send {
  const bucket = o.bucket ?? createTokenBucket({ perSecond: o.ratePerSecond });
  return async (ops) => {
    if (ops.length === 0) return [];
    for (let wait = bucket.take(); wait > 0; wait = bucket.take()) await new Promise((r) => setTimeout(r, wait));
    const items: BulkItem[] = ops.map((op) => ({ method: op.method, path: op.path, ...(op.data ? { data: op.data } : {}) }));
    // Every create carries our own id and every update sets a value, so replaying the call is safe.
    const results = await o.sugar.bulk(items, { chunkSize: items.length, idempotent: true });
    o.afterAnswer?.();
    return results.map((r, i) => ({ verdict: judge(ops[i], r.status, r.contents), contents: r.contents, status: r.status }));
  };
}

export function callErrorMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}
