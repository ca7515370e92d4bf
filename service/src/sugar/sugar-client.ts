// The service's only door to Sugar's REST API (v11_1 by default): session handling, retries,
// paging and bulk. Callers see plain JSON or a SugarApiError.

import type { SessionShare } from '../ports/sugar-sessions.js';
import { errorFromResponse, errorLabel, SugarApiError } from './errors.js';
import { emptyStats, type HttpMethod, type RawResponse, type SugarCallStats, SugarExchange, type SugarLogger } from './http-exchange.js';
import { SudoSession } from './sudo-session.js';
import { TokenSession } from './token-session.js';

export { fetchCurrentUser } from './current-user.js';
export { SugarApiError, type SugarErrorKind } from './errors.js';
export type { HttpMethod, SugarCallStats, SugarLogger } from './http-exchange.js';

export interface SugarClientOptions {
  baseUrl: string;
  apiVersion?: string;
  username: string;
  password: string;
  platform?: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  logger?: SugarLogger;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Sugar's request budget, drawn by every call through this client and those made from it (users', sudo): one
   * bucket per Sugar instance, shared by every process on one database (LEADFWD_SUGAR_RATE).
   */
  budget?: { take(): number };
  /**
   * The share of that budget people's own calls draw from first (asUser: the dashlet's lists, templates, rights), so
   * the service's own work (extraction, setup, write-back) keeps the rest however many calls users make.
   */
  usersShare?: { take(): number };
  /** Several processes on one database: where they keep one session per Sugar user and platform (none: this process's own). */
  sessionShare?: (name: string) => SessionShare;
}

export interface RequestOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  idempotent?: boolean;
}
export interface BulkItem {
  method: HttpMethod;
  path: string;
  data?: unknown;
}
export interface BulkResult {
  status: number;
  contents: unknown;
}
type Row = Record<string, unknown>;

const MAX_PAGE = 1000;

/** Where a client's token comes from: the service's own session, or a user's token lent for one request. */
interface TokenSource {
  current(): Promise<string>;
  renew(failed: string | undefined, mode: 'refresh' | 'login'): Promise<string>;
  logout(): Promise<void>;
}

/** Label of the error a user's client throws when Sugar refuses their token (the caller answers 401). */
export const USER_TOKEN_REFUSED = 'user_token_refused';

/** A Sugar user's own token: never refreshed or replaced (it is theirs), so Sugar refusing it ends the call. */
class UserToken implements TokenSource {
  constructor(private readonly token: string) {}
  current() {
    return Promise.resolve(this.token);
  }
  renew(): Promise<string> {
    return Promise.reject(
      new SugarApiError({ kind: 'auth', method: 'GET', path: '/me', label: USER_TOKEN_REFUSED, message: "Sugar refused the user's token" }),
    );
  }
  logout() {
    return Promise.resolve();
  }
}

export class SugarClient {
  readonly apiVersion: string;
  private readonly transport: SugarExchange;
  private readonly session: TokenSource;
  private readonly maxRetries: number | undefined;
  private readonly ownsTransport: boolean;
  private readonly platform: string;
  private readonly share?: (who: string) => SessionShare;
  /** Users' calls' share of the budget (the root client's, handed to asUser clients). */
  private readonly usersShare?: { take(): number };
  /** The share this client's calls draw from (an asUser client's: the users' share). */
  private readonly callShare?: { take(): number };
  /** One sudo session per user, shared by every campaign that user created (the root client's only). */
  private readonly sudoSessions = new Map<string, SugarClient>();

  constructor(opts: SugarClientOptions, shared?: { transport: SugarExchange; session: TokenSource; maxRetries?: number; share?: { take(): number } }) {
    this.usersShare = opts.usersShare;
    if (shared) {
      this.apiVersion = opts.apiVersion ?? 'v11_1';
      this.transport = shared.transport;
      this.session = shared.session;
      this.maxRetries = shared.maxRetries;
      this.callShare = shared.share;
      this.ownsTransport = false;
      this.platform = opts.platform ?? 'leadfwd';
      return;
    }
    if (!/^https?:\/\//i.test(opts.baseUrl ?? '')) throw new TypeError('SugarClient needs an http(s) baseUrl');
    if (!opts.username || typeof opts.password !== 'string') throw new TypeError('SugarClient needs a username and password');
    this.apiVersion = opts.apiVersion ?? 'v11_1';
    if (!/^v\d\d(_\d{1,2})?$/.test(this.apiVersion)) throw new TypeError(`Not a Sugar API version: ${this.apiVersion}`);
    this.transport = new SugarExchange({
      baseUrl: opts.baseUrl,
      apiVersion: this.apiVersion,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxRetries: opts.maxRetries ?? 5,
      retryBaseMs: opts.retryBaseMs ?? 250,
      retryMaxMs: opts.retryMaxMs ?? 30_000,
      logger: opts.logger,
      sleep: opts.sleep,
      budget: opts.budget,
    });
    this.ownsTransport = true;
    this.platform = opts.platform ?? 'leadfwd';
    this.share = opts.sessionShare && ((who: string) => opts.sessionShare!(`${opts.baseUrl}|${who}|${this.platform}`));
    this.session = new TokenSession(this.transport, { username: opts.username, password: opts.password, platform: this.platform }, this.share?.(opts.username));
  }

  /**
   * The same Sugar, asked as a user with their own token, so Sugar applies that user's roles, teams and field
   * rights. Shares this client's connections; retries at most once, since a person is waiting.
   */
  asUser(token: string): SugarClient {
    return new SugarClient(
      { baseUrl: '', username: '', password: '', apiVersion: this.apiVersion },
      { transport: this.transport, session: new UserToken(token), maxRetries: 1, share: this.usersShare },
    );
  }

  /**
   * The same Sugar, asked as the user `userName` when nobody is there: a sudo token bought with this client's own
   * (administrator) session on this client's platform, so Sugar applies that user's roles, teams and field rights.
   * Cached per user until it expires; renewed one at a time.
   */
  sudo(userName: string): SugarClient {
    let c = this.sudoSessions.get(userName);
    if (!c) {
      c = new SugarClient(
        { baseUrl: '', username: '', password: '', apiVersion: this.apiVersion },
        // Never `base`: a sudo login there would end the user's own browser session (one session per user and platform).
        {
          transport: this.transport,
          session: new SudoSession(
            this.transport,
            this.session,
            userName,
            this.platform === 'base' ? 'leadfwd' : this.platform,
            Date.now,
            this.share?.(`sudo:${userName}`),
          ),
          maxRetries: this.maxRetries,
        },
      );
      this.sudoSessions.set(userName, c);
    }
    return c;
  }

  /**
   * One authenticated call. GET, PUT and DELETE are replayed after timeouts and 5xx; a POST only with
   * `idempotent: true` (e.g. a create with a client-chosen id, which Sugar refuses with 422 on replay).
   */
  async request<T = unknown>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const spec = {
      method,
      path,
      query: opts.query,
      body: opts.body,
      idempotent: opts.idempotent ?? method !== 'POST',
      maxRetries: this.maxRetries,
      share: this.callShare,
    };
    let token = await this.session.current();
    let res = await this.transport.exchange({ ...spec, token });
    if (res.status === 401) {
      const { label } = errorLabel(res.body);
      if (label === 'invalid_grant' || label === 'need_login') {
        token = await this.session.renew(token, label === 'invalid_grant' ? 'refresh' : 'login');
        res = await this.transport.exchange({ ...spec, token });
      }
    }
    return unwrap<T>(method, path, res);
  }

  get<T = unknown>(path: string, query?: Record<string, unknown>): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T = unknown>(path: string, body?: unknown, opts: { idempotent?: boolean } = {}): Promise<T> {
    return this.request<T>('POST', path, { body, idempotent: opts.idempotent });
  }
  put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /**
   * Pages through POST /<M>/filter. Ordered by id unless told otherwise: the default date_modified order
   * would shift under offset paging while the caller writes to the same records.
   */
  async *filterPages(
    module: string,
    opts: { filter?: unknown[]; filterId?: string; fields?: string[]; orderBy?: string; pageSize?: number } = {},
  ): AsyncGenerator<Row[]> {
    const path = `/${seg(module)}/filter`;
    const base = {
      filter: opts.filter?.length ? opts.filter : undefined,
      ...(opts.filterId ? { filter_id: opts.filterId } : {}),
      fields: opts.fields,
      order_by: opts.orderBy ?? 'id',
    };
    yield* this.pages(
      'POST',
      path,
      (max_num, offset) => this.request<unknown>('POST', path, { body: { ...base, max_num, offset }, idempotent: true }),
      opts.pageSize,
    );
  }

  async *linkPages(module: string, id: string, link: string, opts: { filter?: unknown[]; fields?: string[]; pageSize?: number } = {}): AsyncGenerator<Row[]> {
    const path = `/${seg(module)}/${seg(id)}/link/${seg(link)}`;
    const base = { filter: opts.filter, fields: opts.fields, order_by: 'id' };
    yield* this.pages('GET', path, (max_num, offset) => this.get<unknown>(path, { ...base, max_num, offset }), opts.pageSize);
  }

  /** Pages through GET Reports/:id/records (ReportsApi): the report's records of its base module, as this client's user may list them. */
  async *reportPages(reportId: string, opts: { fields?: string[]; pageSize?: number } = {}): AsyncGenerator<Row[]> {
    const path = `/Reports/${seg(reportId)}/records`;
    yield* this.pages('GET', path, (max_num, offset) => this.get<unknown>(path, { fields: opts.fields?.join(','), max_num, offset }), opts.pageSize);
  }

  async count(module: string, filter?: unknown[]): Promise<number> {
    const path = `/${seg(module)}/filter/count`;
    const res = await this.get<{ record_count?: unknown }>(path, { filter });
    const n = Number(res?.record_count);
    if (!Number.isInteger(n)) throw malformed('GET', path, 'count response without record_count');
    return n;
  }

  /**
   * POST /bulk in chunks. A failing item is returned with its status rather than thrown. A chunk is
   * replayed after a timeout or 5xx only when it holds no POST, unless the caller vouches for it.
   */
  async bulk(items: BulkItem[], opts: { chunkSize?: number; idempotent?: boolean } = {}): Promise<BulkResult[]> {
    const size = Math.max(1, Math.floor(opts.chunkSize ?? 100));
    for (const item of items) {
      if (!item.path?.startsWith('/')) throw new TypeError(`Bulk item path must start with "/": ${item.path}`);
    }
    const results: BulkResult[] = [];
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size);
      const requests = chunk.map((it) => ({
        url: `/${this.apiVersion}${it.path}`,
        method: it.method,
        ...(it.data === undefined ? {} : { data: JSON.stringify(it.data) }),
      }));
      const idempotent = opts.idempotent ?? chunk.every((it) => it.method !== 'POST');
      const res = await this.request<unknown>('POST', '/bulk', { body: { requests }, idempotent });
      const rows = listOf(res);
      if (!rows || rows.length !== chunk.length) throw malformed('POST', '/bulk', `expected ${chunk.length} bulk results`);
      for (const row of rows) {
        const r = (row ?? {}) as Row;
        results.push({ status: Number(r.status), contents: r.contents });
      }
    }
    return results;
  }

  stats(): SugarCallStats {
    const s = this.transport.stats;
    return { ...s, byStatus: { ...s.byStatus } };
  }

  resetStats(): void {
    Object.assign(this.transport.stats, emptyStats());
  }

  /** Ends the Sugar session and releases pooled connections; the client logs in again if used later. */
  async logout(): Promise<void> {
    if (!this.ownsTransport) return;
    try {
      await this.session.logout();
    } finally {
      this.transport.destroy();
    }
  }

  private async *pages(
    method: HttpMethod,
    path: string,
    fetchPage: (maxNum: number, offset: number) => Promise<unknown>,
    pageSize?: number,
  ): AsyncGenerator<Row[]> {
    const maxNum = Math.min(MAX_PAGE, Math.max(1, Math.floor(pageSize ?? MAX_PAGE)));
    let offset = 0;
    for (;;) {
      const page = (await fetchPage(maxNum, offset)) as { next_offset?: unknown; records?: unknown } | undefined;
      const next = Number(page?.next_offset);
      if (!Array.isArray(page?.records) || !Number.isInteger(next)) throw malformed(method, path, 'list response without records and next_offset');
      if (page.records.length) yield page.records as Row[];
      // A server that does not move forward would otherwise loop forever.
      if (next < 0 || next <= offset) return;
      offset = next;
    }
  }
}

function unwrap<T>(method: string, path: string, res: RawResponse): T {
  const logPath = path.split('?')[0];
  if (res.status < 200 || res.status >= 300) throw errorFromResponse(method, logPath, res.status, res.body);
  if (!res.json) throw malformed(method, logPath, 'response body is not JSON', res.status);
  return res.body as T;
}

function malformed(method: string, path: string, message: string, status?: number): SugarApiError {
  return new SugarApiError({ kind: 'unexpected', method, path, message, status });
}

function listOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  // PHP sends an index-keyed object when the keys are not 0..n-1.
  if (typeof v === 'object' && v !== null) return Object.values(v);
  return undefined;
}

const seg = (s: string) => encodeURIComponent(s);
