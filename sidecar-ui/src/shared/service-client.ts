// Calls the LeadFWD service THROUGH SUGAR (docs/relay.md): app.api.call on the package's relay endpoint
// leadfwd/api/<path>, which calls the service server-side, signed, as this user. The browser never calls the service,
// so Sugar's Content-Security-Policy never stands in the way; Sugar refreshes its own expired token (401) as for any
// call. Sugar answers 200 with an envelope {status, contentType, body}: a 2xx status resolves with the service's
// answer, anything else becomes a ServiceError whose kind the UI translates.
import type { ApiError, SidecarApi } from '../sidecar.js';

export type ServiceErrorKind =
  // the relay's own (Sugar could not ask the service)
  | 'not_configured'
  | 'not_paired'
  | 'unreachable'
  | 'timeout'
  | 'not_leadfwd'
  | 'bad_request'
  // the service refused Sugar's signature
  | 'pairing_broken'
  | 'clock'
  // the service refused the user
  | 'token_rejected'
  | 'forbidden'
  | 'rights'
  | 'secret_field'
  | 'sender_not_allowed'
  | 'module_not_allowed'
  | 'test_send_limit'
  | 'too_many'
  | 'pairing_code_invalid'
  // the request
  | 'invalid'
  | 'unknown_lists'
  | 'invalid_template'
  | 'not_found'
  | 'conflict'
  | 'still_answerable'
  | 'unavailable'
  | 'unknown';

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly status = 0,
    readonly code = '',
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Sugar's own refusal of the call to Sugar (ventana's error), before any service was asked. */
export interface SugarCallError extends Error {
  sugar: true;
  status?: number;
  code?: string;
}

const KIND_BY_CODE: Record<string, ServiceErrorKind> = {
  relay_not_configured: 'not_configured',
  relay_not_paired: 'not_paired',
  service_unreachable: 'unreachable',
  service_timeout: 'timeout',
  not_leadfwd: 'not_leadfwd',
  relay_bad_request: 'bad_request',
  relay_signature_invalid: 'pairing_broken',
  relay_unsigned: 'pairing_broken',
  relay_stale: 'clock',
  sugar_token_rejected: 'token_rejected',
  unauthorized: 'token_rejected',
  forbidden: 'forbidden',
  sugar_rights: 'rights',
  not_your_campaign: 'rights',
  field_not_readable: 'rights',
  sugar_forbidden: 'rights',
  secret_field: 'secret_field',
  sender_not_allowed: 'sender_not_allowed',
  module_not_allowed: 'module_not_allowed',
  test_send_limit: 'test_send_limit',
  too_many: 'too_many',
  pairing_code_invalid: 'pairing_code_invalid',
  unknown_lists: 'unknown_lists',
  invalid_template: 'invalid_template',
  not_found: 'not_found',
  invalid_transition: 'conflict',
  sender_still_running: 'still_answerable',
  sugar_unavailable: 'unavailable',
  store_unavailable: 'unavailable',
};

export function kindOf(status: number, code: string): ServiceErrorKind {
  if (KIND_BY_CODE[code]) return KIND_BY_CODE[code];
  if (status === 401) return 'token_rejected';
  if (status === 403) return 'rights';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 422 || status === 400 || status === 413) return 'invalid';
  if (status >= 500) return 'unavailable';
  return 'unknown';
}

export interface Envelope {
  status: number;
  contentType: string;
  body: string;
}

const isEnvelope = (v: unknown): v is Envelope =>
  typeof v === 'object' && v !== null && typeof (v as Envelope).status === 'number' && typeof (v as Envelope).body === 'string';

/** The service's answer inside Sugar's envelope: its value on 2xx, a ServiceError otherwise. */
export function unwrap<T>(env: unknown): T {
  if (!isEnvelope(env)) throw new ServiceError('unknown', 'Sugar answered something that is not a LeadFWD relay answer');
  let json: { error?: unknown; message?: unknown; details?: unknown } | undefined;
  if (/json/.test(env.contentType || '')) {
    try {
      json = env.body ? JSON.parse(env.body) : undefined;
    } catch {
      json = undefined;
    }
  }
  if (env.status >= 200 && env.status < 300) return (json === undefined && !/json/.test(env.contentType || '') ? env.body : json) as T;
  const code = typeof json?.error === 'string' ? json.error : '';
  const message = typeof json?.message === 'string' ? json.message : `HTTP ${env.status}`;
  throw new ServiceError(kindOf(env.status, code), message, env.status, code, json?.details);
}

/** One call to one of the package's endpoints through Sugar; rejects with Sugar's own error when Sugar refuses it. */
export function callSugar<T>(api: Pick<SidecarApi, 'call'>, method: 'read' | 'create' | 'update' | 'delete', url: string, data?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    api.call<T>(method, url, data ?? null, {
      success: (d) => resolve(d),
      error: (e: ApiError) =>
        reject(Object.assign(new Error(e?.message || e?.code || 'Sugar request failed'), { status: e?.status, code: e?.code, sugar: true as const })),
    });
  });
}

const VERB: Record<string, 'read' | 'create' | 'update' | 'delete'> = { GET: 'read', POST: 'create', PUT: 'update', DELETE: 'delete' };

/** `path` is the service API path without /api/v1, query string included: '/campaigns?limit=5'. */
export function relayUrl(api: Pick<SidecarApi, 'buildURL'>, path: string): string {
  const [p, q] = path.replace(/^\/+/, '').split('?');
  return api.buildURL(`leadfwd/api/${p}`, null, null, q ? { lf_query: q } : undefined);
}

export function createServiceClient(api: Pick<SidecarApi, 'call' | 'buildURL'>) {
  async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : { lf_body: JSON.stringify(body) };
    return unwrap<T>(await callSugar<Envelope>(api, VERB[method], relayUrl(api, path), data));
  }
  return {
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
    put: <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body),
    delete: <T>(path: string) => request<T>('DELETE', path),
  };
}

export type ServiceClient = ReturnType<typeof createServiceClient>;
