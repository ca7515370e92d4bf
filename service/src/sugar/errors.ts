// Typed failures of Sugar calls. Messages carry method, path, status and Sugar's own label and text,
// never request headers or bodies, so tokens and passwords cannot leak through an error.

export type SugarErrorKind = 'auth' | 'not_found' | 'forbidden' | 'invalid' | 'conflict' | 'rate_limited' | 'server' | 'network' | 'timeout' | 'unexpected';

const RETRYABLE: ReadonlySet<SugarErrorKind> = new Set(['rate_limited', 'server', 'network', 'timeout']);

export class SugarApiError extends Error {
  readonly status?: number;
  readonly label?: string;
  readonly kind: SugarErrorKind;
  readonly retryable: boolean;
  readonly method: string;
  readonly path: string;

  constructor(init: { kind: SugarErrorKind; method: string; path: string; message: string; status?: number; label?: string }) {
    const where = `${init.method} ${init.path}`;
    const code = init.status !== undefined ? ` ${init.status}${init.label ? ` ${init.label}` : ''}` : '';
    super(`Sugar ${where} failed${code}: ${init.message}`);
    this.name = 'SugarApiError';
    this.kind = init.kind;
    this.retryable = RETRYABLE.has(init.kind);
    this.method = init.method;
    this.path = init.path;
    if (init.status !== undefined) this.status = init.status;
    if (init.label !== undefined) this.label = init.label;
  }
}

/** Sugar's {error, error_message} body, or whatever part of it is there. */
export function errorLabel(body: unknown): { label?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  return { label: typeof b.error === 'string' ? b.error : undefined, message: typeof b.error_message === 'string' ? b.error_message : undefined };
}

export function kindForStatus(status: number, tokenCall = false): SugarErrorKind {
  if (status === 401 || (tokenCall && status === 400)) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid';
  return 'unexpected';
}

export function errorFromResponse(method: string, path: string, status: number, body: unknown, tokenCall = false): SugarApiError {
  const { label, message } = errorLabel(body);
  return new SugarApiError({
    kind: kindForStatus(status, tokenCall),
    method,
    path,
    status,
    label,
    message: message ?? (status >= 200 && status < 300 ? 'unexpected response body' : 'no error message'),
  });
}
