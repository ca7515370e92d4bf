// One place maps every error to an HTTP answer, so no route leaks a stack trace or a secret.
import type { ErrorRequestHandler } from 'express';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'HttpError';
  }
}

interface Shaped { status?: number; statusCode?: number; code?: string; type?: string; details?: unknown; kind?: string; retryable?: boolean; name?: string }

export function toHttp(err: unknown): { status: number; body: Record<string, unknown> } {
  const e = (err ?? {}) as Shaped & Error;
  if (e instanceof HttpError || e.name === 'UseCaseError') {
    return { status: e.status!, body: { error: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
  if (e.name === 'ContentTooLargeError') return { status: 413, body: { error: 'content_too_large', message: e.message } };
  if (e.type === 'entity.too.large') return { status: 413, body: { error: 'too_large', message: 'Request body is larger than allowed' } };
  if (e.type === 'entity.parse.failed') return { status: 400, body: { error: 'bad_json', message: 'Request body is not valid JSON' } };
  if (e.name === 'TemplateError') return { status: 422, body: { error: 'invalid_template', message: e.message, details: e.details ?? (err as { errors?: unknown }).errors } };
  if (e.name === 'StoreInputError') return { status: 422, body: { error: 'invalid_input', message: e.message } };
  if (e.name === 'StoreUnavailableError') return { status: 503, body: { error: 'store_unavailable', message: 'The service cannot write its database right now; nothing was changed' } };
  if (e.name === 'SugarApiError' && (e as { label?: string }).label === 'user_token_refused') {
    return { status: 401, body: { error: 'sugar_token_rejected', message: 'Sugar did not accept this token; log in to Sugar again' } };
  }
  if (e.name === 'SugarApiError') {
    if (e.kind === 'forbidden') return { status: 403, body: { error: 'sugar_forbidden', message: 'Sugar refused access to this data' } };
    return { status: e.retryable ? 503 : 502, body: { error: 'sugar_unavailable', message: `Sugar answered with an error (${e.kind})` } };
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: { error: 'bad_request', message: 'The request was not understood' } };
  return { status: 500, body: { error: 'internal', message: 'Internal error' } };
}

export function errorHandler(logger?: { error(o: object, m?: string): void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body } = toHttp(err);
    if (status >= 500) logger?.error({ err, requestId: res.locals.requestId, method: req.method, path: req.path.slice(0, 300) }, 'http.error');
    res.status(status).set('Cache-Control', 'no-store').json(body);
  };
}
