// Turns any failure into a translated sentence plus optional detail lines (MJML problems, list names).
import { t } from './app.js';
import { ServiceError } from './service-client.js';

export interface UserMessage { text: string; details: string[]; kind: string; unknownListIds: string[] }

const LABEL_BY_KIND: Record<string, string> = {
  not_configured: 'LBL_LEADFWD_ERR_NOT_CONFIGURED',
  unreachable: 'LBL_LEADFWD_ERR_UNREACHABLE',
  token_rejected: 'LBL_LEADFWD_ERR_TOKEN',
  forbidden: 'LBL_LEADFWD_ERR_FORBIDDEN',
  invalid: 'LBL_LEADFWD_ERR_INVALID',
  unknown_lists: 'LBL_LEADFWD_ERR_UNKNOWN_LISTS',
  invalid_template: 'LBL_LEADFWD_ERR_TEMPLATE',
  not_found: 'LBL_LEADFWD_ERR_NOT_FOUND',
  conflict: 'LBL_LEADFWD_ERR_CONFLICT',
  unavailable: 'LBL_LEADFWD_ERR_UNAVAILABLE',
  unknown: 'LBL_LEADFWD_ERR_UNKNOWN',
};

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

/** `listName` maps list ids to the names the user saw, so a deleted list is named, not shown as an id. */
export function describeError(err: unknown, listName: (id: string) => string = (id) => id): UserMessage {
  if (err instanceof ServiceError) {
    const ids = err.kind === 'unknown_lists' ? unknownIds(err.details) : [];
    const text = t(LABEL_BY_KIND[err.kind] ?? 'LBL_LEADFWD_ERR_UNKNOWN', {
      message: err.message, url: String((err.details as { url?: string } | undefined)?.url ?? ''), lists: ids.map(listName).join(', '),
    });
    const details = err.kind === 'invalid_template' ? templateProblems(err.details)
      : err.kind === 'invalid' && Array.isArray((err.details as { problems?: unknown })?.problems) ? (err.details as { problems: string[] }).problems.map(String)
      : [];
    return { text, details, kind: err.kind, unknownListIds: ids };
  }
  const e = (err ?? {}) as { sugar?: boolean; status?: number; message?: string };
  if (e.sugar) {
    const kind = e.status === 401 ? 'token_rejected' : e.status === 403 ? 'forbidden' : 'sugar';
    const text = kind === 'sugar' ? t('LBL_LEADFWD_ERR_SUGAR', { message: e.message ?? '' }) : t(LABEL_BY_KIND[kind]);
    return { text, details: [], kind, unknownListIds: [] };
  }
  return { text: t('LBL_LEADFWD_ERR_UNKNOWN', { message: e.message ?? String(err) }), details: [], kind: 'unknown', unknownListIds: [] };
}
