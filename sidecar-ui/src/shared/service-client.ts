// Calls the LeadFWD service with the Sugar user's own token. Every failure becomes a ServiceError with a
// kind the UI can translate; a refused token is retried once after Sugar has had a chance to refresh it.
export type ServiceErrorKind =
  | 'not_configured' | 'unreachable' | 'token_rejected' | 'forbidden' | 'invalid' | 'unknown_lists'
  | 'invalid_template' | 'not_found' | 'conflict' | 'unavailable' | 'unknown';

export class ServiceError extends Error {
  constructor(readonly kind: ServiceErrorKind, message: string, readonly status = 0, readonly code = '', readonly details?: unknown) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceClientOptions {
  baseUrl: string | undefined;
  getToken: () => string | undefined;
  /** Lets Sugar refresh its own access token (ventana does so on a 401); never refreshes for the service. */
  refreshToken?: () => Promise<void>;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const KIND_BY_CODE: Record<string, ServiceErrorKind> = {
  sugar_token_rejected: 'token_rejected', unauthorized: 'token_rejected', forbidden: 'forbidden', sugar_forbidden: 'forbidden',
  unknown_lists: 'unknown_lists', invalid_template: 'invalid_template', not_found: 'not_found', invalid_transition: 'conflict',
  sugar_unavailable: 'unavailable', store_unavailable: 'unavailable',
};

function kindOf(status: number, code: string): ServiceErrorKind {
  if (KIND_BY_CODE[code]) return KIND_BY_CODE[code];
  if (status === 401) return 'token_rejected';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 422 || status === 400 || status === 413) return 'invalid';
  if (status >= 500) return 'unavailable';
  return 'unknown';
}

export function normaliseBaseUrl(url: string | undefined): string | undefined {
  const u = (url ?? '').trim().replace(/\/+$/, '');
  return /^https?:\/\/[^\s/]+/i.test(u) ? u : undefined;
}

export function createServiceClient(opts: ServiceClientOptions) {
  const base = normaliseBaseUrl(opts.baseUrl);
  const doFetch = opts.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function once(method: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
    if (!base) throw new ServiceError('not_configured', 'The LeadFWD service URL is not set');
    const token = opts.getToken();
    if (!token) throw new ServiceError('token_rejected', 'No Sugar session token');
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = setTimeout(() => controller?.abort(), opts.timeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await doFetch(`${base}/api/v1${path}`, {
        method,
        headers: { 'OAuth-Token': token, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller?.signal,
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (e) {
      throw new ServiceError('unreachable', `The LeadFWD service at ${base} cannot be reached`, 0, '', { url: base });
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text().catch(() => '');
    let json: any;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, json };
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let r = await once(method, path, body);
    if (r.status === 401 && opts.refreshToken) {
      await opts.refreshToken().catch(() => undefined);
      r = await once(method, path, body);
    }
    if (r.status >= 200 && r.status < 300) return r.json as T;
    const code = typeof r.json?.error === 'string' ? r.json.error : '';
    const message = typeof r.json?.message === 'string' ? r.json.message : `HTTP ${r.status}`;
    throw new ServiceError(kindOf(r.status, code), message, r.status, code, r.json?.details);
  }

  return {
    baseUrl: base,
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  };
}

export type ServiceClient = ReturnType<typeof createServiceClient>;
