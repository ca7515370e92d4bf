// The send form's rules, checked before anything goes to the service so the user gets every problem at once.
import type { NewCampaign } from '../shared/service-types.js';

export interface SendForm {
  name: string;
  subject: string;
  fromName: string;
  fromEmail: string;
  replyTo: string;
  format: 'html' | 'mjml';
  content: string;
  targetListIds: string[];
  leadfwdListIds: string[];
  customFields: string[];
  schedule: 'now' | 'later';
  sendAtLocal: string;
}

export type ProblemField = keyof SendForm | 'lists' | 'testAddresses';
export interface FieldProblem { field: ProblemField; label: string; vars?: Record<string, string | number> }

const ADDRESS = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:".]+(\.[^\s@<>()[\],;:".]+)+$/;
export const isAddress = (s: string) => s.length <= 254 && ADDRESS.test(s);

/** Splits "a@x.com, b@y.org; c@z.net" into good and bad addresses. */
export function parseAddresses(s: string): { ok: string[]; bad: string[] } {
  const parts = s.split(/[\s,;]+/).map((p) => p.trim()).filter(Boolean);
  return { ok: parts.filter(isAddress), bad: parts.filter((p) => !isAddress(p)) };
}

/** A datetime-local value (YYYY-MM-DDTHH:MM[:SS]) read as the browser's local time. */
export function parseLocalDateTime(v: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim());
  if (!m) return undefined;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  return d.getMonth() === +m[2] - 1 && d.getDate() === +m[3] ? d : undefined;
}

export function validateSendForm(f: SendForm, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const need = (field: ProblemField, value: string, label: string) => { if (!value.trim()) problems.push({ field, label }); };
  if (f.targetListIds.length + f.leadfwdListIds.length === 0) problems.push({ field: 'lists', label: 'LBL_LEADFWD_ERR_NO_LISTS' });
  need('name', f.name, 'LBL_LEADFWD_ERR_NAME_REQUIRED');
  need('subject', f.subject, 'LBL_LEADFWD_ERR_SUBJECT_REQUIRED');
  need('fromName', f.fromName, 'LBL_LEADFWD_ERR_FROM_NAME_REQUIRED');
  if (!f.fromEmail.trim()) problems.push({ field: 'fromEmail', label: 'LBL_LEADFWD_ERR_FROM_EMAIL_REQUIRED' });
  else if (!isAddress(f.fromEmail.trim())) problems.push({ field: 'fromEmail', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: f.fromEmail.trim() } });
  if (f.replyTo.trim() && !isAddress(f.replyTo.trim())) problems.push({ field: 'replyTo', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: f.replyTo.trim() } });
  need('content', f.content, 'LBL_LEADFWD_ERR_CONTENT_REQUIRED');
  if (f.schedule === 'later') {
    const at = parseLocalDateTime(f.sendAtLocal);
    const minuteStart = new Date(now.getTime() - (now.getTime() % 60_000));
    if (!at) problems.push({ field: 'sendAtLocal', label: 'LBL_LEADFWD_ERR_SCHEDULE_INVALID' });
    else if (at < minuteStart) problems.push({ field: 'sendAtLocal', label: 'LBL_LEADFWD_ERR_SCHEDULE_PAST' });
  }
  return problems;
}

/** The form's schedule as an ISO time; undefined means now. */
export function sendAtOf(f: SendForm): string | undefined {
  return f.schedule === 'later' ? parseLocalDateTime(f.sendAtLocal)?.toISOString() : undefined;
}

export function toNewCampaign(f: SendForm, opts: { sugarCampaignId?: string; hold?: boolean } = {}): NewCampaign {
  const replyTo = f.replyTo.trim();
  const sendAt = sendAtOf(f);
  return {
    name: f.name.trim(),
    subject: f.subject,
    fromName: f.fromName.trim(),
    fromEmail: f.fromEmail.trim(),
    ...(replyTo ? { replyTo } : {}),
    ...(f.format === 'mjml' ? { mjml: f.content } : { html: f.content }),
    targetListIds: f.targetListIds.slice(),
    leadfwdListIds: f.leadfwdListIds.slice(),
    customFields: f.customFields.slice(),
    ...(sendAt ? { sendAt } : {}),
    ...(opts.sugarCampaignId ? { sugarCampaignId: opts.sugarCampaignId } : {}),
    ...(opts.hold ? { hold: true } : {}),
  };
}
