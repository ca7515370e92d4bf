// The one Express error handler and the one table from an application error's code to its HTTP status. Use cases
// throw AppError (domain/errors.ts) and never name a status; the store's and Sugar's own failures are told apart
// by their classes. No answer carries a stack trace or a secret.
import type { ErrorRequestHandler } from 'express';
import { AppError, type AppErrorCode } from '../domain/errors.js';
import { StoreInputError, StoreUnavailableError } from '../ports/errors.js';
import type { Log } from '../ports/log.js';
import { SugarApiError } from '../sugar/errors.js';

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  bad_json: 400,
  unauthorized: 401,
  sugar_token_rejected: 401,
  relay_unsigned: 401,
  relay_not_paired: 401,
  relay_stale: 401,
  relay_signature_invalid: 401,
  relay_replayed: 401,
  forbidden: 403,
  sugar_rights: 403,
  not_your_campaign: 403,
  field_not_readable: 403,
  admin_only: 403,
  identity_not_allowed: 403,
  api_key_only: 403,
  not_found: 404,
  invalid_transition: 409,
  sender_still_running: 409,
  not_held: 409,
  automation_step: 409,
  not_editable: 409,
  identity_not_ready: 409,
  identity_in_use: 409,
  too_large: 413,
  not_json: 415,
  content_too_large: 413,
  too_many_events: 413,
  invalid_input: 422,
  invalid_module: 422,
  pairing_code_invalid: 422,
  secret_field: 422,
  module_not_allowed: 422,
  sender_not_allowed: 422,
  unknown_sugar_campaign: 422,
  invalid_campaign: 422,
  invalid_template: 422,
  unknown_lists: 422,
  unknown_audience: 422,
  invalid_automation: 422,
  invalid_enrolment: 422,
  invalid_list: 422,
  list_too_large: 422,
  missing_recipients: 422,
  invalid_addresses: 422,
  not_a_test_list: 422,
  too_many: 422,
  invalid_identity: 422,
  unknown_identity: 422,
  schedule_does_not_fit: 422,
  too_many_token_checks: 429,
  test_send_limit: 429,
  store_unavailable: 503,
};

type Answer = { status: number; body: { error: string; message: string; details?: unknown } };

const answer = (code: AppErrorCode, message: string, details?: unknown): Answer => ({
  status: HTTP_STATUS[code],
  body: { error: code, message, ...(details ? { details } : {}) },
});

function sugarAnswer(e: SugarApiError): Answer {
  if (e.label === 'user_token_refused') return answer('sugar_token_rejected', 'Sugar did not accept this token; log in to Sugar again');
  if (e.kind === 'forbidden') return { status: 403, body: { error: 'sugar_forbidden', message: 'Sugar refused access to this data' } };
  return { status: e.retryable ? 503 : 502, body: { error: 'sugar_unavailable', message: `Sugar answered with an error (${e.kind})` } };
}

/** `method`: a read is told the database cannot be reached, a write that nothing was changed. */
export function toHttp(err: unknown, method = 'POST'): Answer {
  if (err instanceof AppError) return answer(err.code, err.message, err.details);
  if (err instanceof StoreUnavailableError)
    return method === 'GET' || method === 'HEAD'
      ? answer('store_unavailable', 'The service cannot reach its database right now; try again shortly')
      : answer('store_unavailable', 'The service cannot write its database right now; nothing was changed');
  if (err instanceof StoreInputError) return answer('invalid_input', err.message);
  if (err instanceof SugarApiError) return sugarAnswer(err);
  // body-parser's own refusals carry a `type`; anything else with a 4xx status is a request Express could not take.
  const e = (err ?? {}) as { type?: string; status?: number; statusCode?: number };
  if (e.type === 'entity.too.large') return answer('too_large', 'Request body is larger than allowed');
  if (e.type === 'entity.parse.failed') return answer('bad_json', 'Request body is not valid JSON');
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: { error: 'bad_request', message: 'The request was not understood' } };
  return { status: 500, body: { error: 'internal', message: 'Internal error' } };
}

export function errorHandler(logger?: Pick<Log, 'error'> & Partial<Pick<Log, 'warn'>>): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body } = toHttp(err, req.method);
    const where = { requestId: res.locals.requestId, method: req.method, path: req.path.slice(0, 300) };
    // An outage is the store's to report (/readyz, store.unavailable), once: each call during it is one line, no stack.
    if (err instanceof StoreUnavailableError && logger?.warn)
      logger.warn({ event: 'http.store_unavailable', ...where, reason: err.message }, 'http.store_unavailable');
    else if (status >= 500) logger?.error({ err, ...where }, 'http.error');
    res.status(status).set('Cache-Control', 'no-store').json(body);
  };
}
