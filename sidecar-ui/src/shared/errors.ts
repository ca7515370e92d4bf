// Turns any failure into a translated sentence plus optional detail lines (MJML problems, list names), and names the
// form field it is about when there is one.
import { t } from './app.js';
import { ServiceError } from './service-client.js';

export interface UserMessage {
  text: string;
  details: string[];
  kind: string;
  unknownListIds: string[];
  field?: string;
}

const LABEL_BY_KIND: Record<string, string> = {
  not_configured: 'LBL_LEADFWD_ERR_NOT_CONFIGURED',
  not_paired: 'LBL_LEADFWD_ERR_NOT_PAIRED',
  unreachable: 'LBL_LEADFWD_ERR_UNREACHABLE',
  timeout: 'LBL_LEADFWD_ERR_TIMEOUT',
  not_leadfwd: 'LBL_LEADFWD_ERR_NOT_LEADFWD',
  bad_request: 'LBL_LEADFWD_ERR_BAD_REQUEST',
  pairing_broken: 'LBL_LEADFWD_ERR_PAIRING_BROKEN',
  clock: 'LBL_LEADFWD_ERR_CLOCK',
  token_rejected: 'LBL_LEADFWD_ERR_TOKEN',
  forbidden: 'LBL_LEADFWD_ERR_FORBIDDEN',
  rights: 'LBL_LEADFWD_ERR_RIGHTS',
  secret_field: 'LBL_LEADFWD_ERR_SECRET_FIELD',
  sender_not_allowed: 'LBL_LEADFWD_ERR_SENDER',
  module_not_allowed: 'LBL_LEADFWD_ERR_MODULE',
  test_send_limit: 'LBL_LEADFWD_ERR_TEST_LIMIT',
  too_many: 'LBL_LEADFWD_ERR_TOO_MANY',
  pairing_code_invalid: 'LBL_LEADFWD_ERR_PAIRING_CODE',
  invalid: 'LBL_LEADFWD_ERR_INVALID',
  unknown_lists: 'LBL_LEADFWD_ERR_UNKNOWN_LISTS',
  invalid_template: 'LBL_LEADFWD_ERR_TEMPLATE',
  not_found: 'LBL_LEADFWD_ERR_NOT_FOUND',
  conflict: 'LBL_LEADFWD_ERR_CONFLICT',
  still_answerable: 'LBL_LEADFWD_ERR_STILL_ANSWERABLE',
  unavailable: 'LBL_LEADFWD_ERR_UNAVAILABLE',
  unknown: 'LBL_LEADFWD_ERR_UNKNOWN',
};

/** The form field a refusal is about (the send flow's and the settings page's field names). */
const FIELD_BY_KIND: Record<string, string> = {
  sender_not_allowed: 'fromEmail',
  too_many: 'testAddresses',
  test_send_limit: 'testAddresses',
  pairing_code_invalid: 'code',
  not_leadfwd: 'service_url',
  unreachable: 'service_url',
  timeout: 'service_url',
};

/** Refusals whose code says which field of the send flow they are about. */
const FIELD_BY_CODE: Record<string, string> = { field_not_readable: 'content', secret_field: 'content', content_too_large: 'content' };

// Problems the service names by the body's field: those of the message itself belong to the content step.
const CONTENT_PROBLEM = /^(subject|html|mjml|customFields|fields)\b/;
const contentField = (problems: string[]) => (problems.length && problems.every((p) => CONTENT_PROBLEM.test(p)) ? 'content' : undefined);

function templateProblems(details: unknown): string[] {
  const list = Array.isArray(details) ? details : Array.isArray((details as { errors?: unknown })?.errors) ? (details as { errors: unknown[] }).errors : [];
  return list.slice(0, 20).map((p) => {
    const o = (p ?? {}) as { message?: unknown; line?: unknown; tagName?: unknown };
    const msg = typeof o.message === 'string' ? o.message : String(p);
    return typeof o.line === 'number' ? t('LBL_LEADFWD_ERR_LINE', { line: o.line, message: msg }) : msg;
  });
}

function unknownIds(details: unknown): string[] {
  const d = (details ?? {}) as { unknownTargetListIds?: unknown; unknownLeadfwdListIds?: unknown };
  return [d.unknownTargetListIds, d.unknownLeadfwdListIds].flatMap((v) => (Array.isArray(v) ? v.map(String) : []));
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** `listName` maps list ids to the names the user saw, so a deleted list is named, not shown as an id. */
export function describeError(err: unknown, listName: (id: string) => string = (id) => id): UserMessage {
  if (err instanceof ServiceError) {
    const ids = err.kind === 'unknown_lists' ? unknownIds(err.details) : [];
    const d = (err.details ?? {}) as { fields?: unknown; senderDomains?: unknown; problems?: unknown };
    const text = t(LABEL_BY_KIND[err.kind] ?? 'LBL_LEADFWD_ERR_UNKNOWN', {
      message: err.message,
      lists: ids.map(listName).join(', '),
      fields: strings(d.fields).join(', '),
      domains: strings(d.senderDomains).join(', '),
    });
    // A refusal without a list of problems (a body the service cannot read, say) is told in the service's own words.
    const problems = err.kind !== 'invalid' ? [] : Array.isArray(d.problems) ? d.problems.map(String) : err.message ? [err.message] : [];
    const details = err.kind === 'invalid_template' ? templateProblems(err.details) : problems;
    return { text, details, kind: err.kind, unknownListIds: ids, field: FIELD_BY_CODE[err.code] ?? FIELD_BY_KIND[err.kind] ?? contentField(problems) };
  }
  const e = (err ?? {}) as { sugar?: boolean; status?: number; message?: string };
  if (e.sugar) {
    const kind = e.status === 401 ? 'token_rejected' : e.status === 403 ? 'sugar_forbidden' : 'sugar';
    const text =
      kind === 'token_rejected'
        ? t(LABEL_BY_KIND.token_rejected)
        : kind === 'sugar_forbidden'
          ? t('LBL_LEADFWD_ERR_SUGAR_FORBIDDEN', { message: e.message ?? '' })
          : t('LBL_LEADFWD_ERR_SUGAR', { message: e.message ?? '' });
    return { text, details: [], kind, unknownListIds: [] };
  }
  return { text: t('LBL_LEADFWD_ERR_UNKNOWN', { message: e.message ?? String(err) }), details: [], kind: 'unknown', unknownListIds: [] };
}

/**
 * Failures that pass by themselves (the service or Sugar restarting, slow or away): worth asking again unprompted.
 * Sugar's own answers count only as a server error (5xx) or none at all (the request failed): a 404 (an endpoint
 * missing) will not pass.
 */
const PASSING = ['unreachable', 'timeout', 'unavailable'];
export function isPassing(e: unknown): boolean {
  const kind = describeError(e).kind;
  if (kind === 'sugar') {
    const status = (e as { status?: number }).status ?? 0;
    return status === 0 || status >= 500;
  }
  return PASSING.includes(kind);
}
