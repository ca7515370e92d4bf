// One HTTP exchange with Sugar, retried on transient failures. Knows nothing about tokens beyond
// sending the one it is given; every attempt is counted so benchmarks can report calls per unit of work.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { Log } from '../ports/log.js';
import { defaultSleep, fullJitter, parseRetryAfter } from './backoff.js';
import { SugarApiError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type SugarLogger = Pick<Log, 'debug' | 'warn'>;

export interface SugarCallStats {
  calls: number;
  retries: number;
  logins: number;
  refreshes: number;
  byStatus: Record<string, number>;
}

export interface ExchangeOptions {
  baseUrl: string;
  apiVersion: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  logger?: SugarLogger;
  sleep?: (ms: number) => Promise<void>;
  keepAlive?: boolean;
  /** Sugar's request budget: every HTTP attempt (retries and logins too) takes a token; `take` says how long to wait. */
  budget?: { take(): number };
}

export interface CallSpec {
  method: HttpMethod;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  token?: string;
  /** Whether replaying after an unknown outcome (timeout, reset, 5xx) is safe. */
  idempotent: boolean;
  maxRetries?: number;
  /** A share of the budget this call draws from too, first (users' calls: LEADFWD_SUGAR_USERS_RATE). */
  share?: { take(): number };
}

export interface RawResponse {
  status: number;
  body: unknown;
  json: boolean;
  headers: Record<string, unknown>;
}

interface Failure {
  error: SugarApiError;
  code: string;
}

export const emptyStats = (): SugarCallStats => ({ calls: 0, retries: 0, logins: 0, refreshes: 0, byStatus: {} });

// Errors where the request provably never reached Sugar, so even a create can be resent.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_CANCELED']);

export class SugarExchange {
  readonly stats: SugarCallStats = emptyStats();
  private readonly http: AxiosInstance;
  private readonly root: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: ExchangeOptions) {
    this.root = `${o.baseUrl.replace(/\/+$/, '')}/rest/${o.apiVersion}`;
    this.sleep = o.sleep ?? defaultSleep;
    const keepAlive = o.keepAlive ?? true;
    // Idle sockets are closed after 4 s, before common server keep-alive limits (Apache 5 s) drop them under us.
    this.http = axios.create({
      httpAgent: new http.Agent({ keepAlive, timeout: 4000 }),
      httpsAgent: new https.Agent({ keepAlive, timeout: 4000 }),
      timeout: o.timeoutMs,
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      transitional: { clarifyTimeoutError: true },
    });
  }

  url(path: string, query?: Record<string, unknown>): string {
    if (!path.startsWith('/')) throw new TypeError(`Sugar path must start with "/": ${path}`);
    const qs = queryString(query);
    return `${this.root}${path}${qs ? (path.includes('?') ? '&' : '?') + qs : ''}`;
  }

  async exchange(spec: CallSpec): Promise<RawResponse> {
    const maxRetries = spec.maxRetries ?? this.o.maxRetries;
    const logPath = spec.path.split('?')[0];
    const url = this.url(spec.path, spec.query);
    for (let attempt = 0; ; attempt++) {
      await this.withinBudget(spec.share);
      const started = Date.now();
      const outcome = await this.once(spec, url, logPath);
      const status = 'error' in outcome ? outcome.error.kind : outcome.status;
      this.stats.calls++;
      this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
      this.o.logger?.debug({ method: spec.method, path: logPath, status, ms: Date.now() - started, attempt }, 'sugar.call');
      const wait = attempt < maxRetries ? this.retryDelay(outcome, spec.idempotent, attempt) : undefined;
      if (wait === undefined) {
        if ('error' in outcome) throw outcome.error;
        return outcome;
      }
      this.stats.retries++;
      this.o.logger?.warn({ method: spec.method, path: logPath, status, attempt: attempt + 1, waitMs: wait }, 'sugar.call_retried');
      await this.sleep(wait);
    }
  }

  private async withinBudget(share?: { take(): number }): Promise<void> {
    // Real time, not the retry backoff's sleep (tests replace that one to skip backoff, never the budget).
    for (const bucket of [share, this.o.budget]) {
      if (!bucket) continue;
      for (let wait = bucket.take(); wait > 0; wait = bucket.take()) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async once(spec: CallSpec, url: string, logPath: string): Promise<RawResponse | Failure> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    if (spec.token) headers['OAuth-Token'] = spec.token;
    try {
      const res = await this.http.request({ method: spec.method, url, headers, data: spec.body === undefined ? undefined : JSON.stringify(spec.body) });
      const text = typeof res.data === 'string' ? res.data : '';
      const parsed = parseJson(text);
      return { status: res.status, body: parsed.value, json: parsed.ok, headers: { ...res.headers } };
    } catch (e) {
      // Never keep the axios error: its config holds the token header and the login body.
      const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'UNKNOWN';
      const timedOut = TIMEOUT.has(code);
      const error = new SugarApiError({
        kind: timedOut ? 'timeout' : 'network',
        method: spec.method,
        path: logPath,
        message: timedOut ? `no answer within ${this.o.timeoutMs} ms` : `connection failed (${code})`,
      });
      return { error, code };
    }
  }

  /** ms to wait before the next attempt, or undefined when this outcome must not be retried. */
  private retryDelay(outcome: RawResponse | Failure, idempotent: boolean, attempt: number): number | undefined {
    const jitter = () => fullJitter(attempt, this.o.retryBaseMs, this.o.retryMaxMs);
    if ('error' in outcome) return idempotent || NOT_SENT.has(outcome.code) ? jitter() : undefined;
    // 429 means the request was refused unprocessed; a 5xx may have half-happened.
    if (outcome.status === 429 || (outcome.status >= 500 && idempotent)) {
      const hinted = parseRetryAfter(outcome.headers['retry-after']);
      return hinted !== undefined ? Math.min(hinted, this.o.retryMaxMs) : jitter();
    }
    return undefined;
  }

  destroy(): void {
    const d = this.http.defaults;
    (d.httpAgent as http.Agent | undefined)?.destroy();
    (d.httpsAgent as https.Agent | undefined)?.destroy();
  }
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

/** Lists of names go as CSV and structured values (filters) as JSON, both of which Sugar reads on GET. */
export function queryString(query?: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      const flat = value.every((v) => typeof v !== 'object' || v === null);
      params.set(key, flat ? value.join(',') : JSON.stringify(value));
    } else if (typeof value === 'object') {
      params.set(key, JSON.stringify(value));
    } else {
      params.set(key, String(value));
    }
  }
  return params.toString();
}
