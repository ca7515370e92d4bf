// The send flow's rules, step by step: each step is checked before the next opens, so a problem shows next to its
// field on the step where it can be fixed. No DOM.

import type { NewCampaign } from '../shared/service-types.js';
import { zonedToUtc } from '../shared/time.js';
import { type AbForm, abProblems } from './ab-test.js';
import { looksLikeMjml } from './merge.js';

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
  /** Sugar saved filters and reports chosen as the audience. */
  savedFilterIds?: string[];
  reportIds?: string[];
  customFields: string[];
  schedule: 'now' | 'later';
  sendAtLocal: string;
  /** The user's Sugar time zone: sendAtLocal is a wall-clock time there. */
  timeZone: string;
  /** The sender identity picked ('' or absent: the default one). */
  senderIdentityId?: string;
  sendAsAssignedUser?: boolean;
  /** Send at this local time in each recipient's zone (their record's, else `timeZone`). */
  localTime?: { at: string; timeZone: string };
  /** An A/B test of 2 to 4 variants instead of one campaign. */
  abTest?: AbForm;
}

export type Step = 'audience' | 'content' | 'settings' | 'review';
export const STEPS: readonly Step[] = ['audience', 'content', 'settings', 'review'];

export type ProblemField = keyof SendForm | 'lists' | 'testAddresses' | 'recipient';
export interface FieldProblem {
  field: ProblemField;
  label: string;
  vars?: Record<string, string | number>;
}

/** The step where a field is edited. */
export const STEP_OF: Partial<Record<ProblemField, Step>> = {
  lists: 'audience',
  targetListIds: 'audience',
  leadfwdListIds: 'audience',
  subject: 'content',
  format: 'content',
  content: 'content',
  customFields: 'content',
  abTest: 'content',
  name: 'settings',
  fromName: 'settings',
  fromEmail: 'settings',
  replyTo: 'settings',
  schedule: 'settings',
  sendAtLocal: 'settings',
  testAddresses: 'review',
  recipient: 'review',
};

const ADDRESS = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:".]+(\.[^\s@<>()[\],;:".]+)+$/;
export const isAddress = (s: string) => s.length <= 254 && ADDRESS.test(s);

/** Splits "a@x.com, b@y.org; c@z.net" into good and bad addresses. */
export function parseAddresses(s: string): { ok: string[]; bad: string[] } {
  const parts = s
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return { ok: parts.filter(isAddress), bad: parts.filter((p) => !isAddress(p)) };
}

function audience(f: SendForm): FieldProblem[] {
  const chosen = f.targetListIds.length + f.leadfwdListIds.length + (f.savedFilterIds?.length ?? 0) + (f.reportIds?.length ?? 0);
  return chosen === 0 ? [{ field: 'lists', label: 'LBL_LEADFWD_ERR_NO_LISTS' }] : [];
}

function content(f: SendForm): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!f.subject.trim()) out.push({ field: 'subject', label: 'LBL_LEADFWD_ERR_SUBJECT_REQUIRED' });
  if (!f.content.trim()) out.push({ field: 'content', label: 'LBL_LEADFWD_ERR_CONTENT_REQUIRED' });
  // The format says how the content is read: MJML sent as HTML would arrive as raw, unstyled tags.
  else if (f.format === 'html' && looksLikeMjml(f.content)) out.push({ field: 'content', label: 'LBL_LEADFWD_ERR_MJML_AS_HTML' });
  else if (f.format === 'mjml' && !looksLikeMjml(f.content)) out.push({ field: 'content', label: 'LBL_LEADFWD_ERR_HTML_AS_MJML' });
  out.push(...abProblems(f.abTest, f));
  return out;
}

function settings(f: SendForm, now: Date): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!f.name.trim()) out.push({ field: 'name', label: 'LBL_LEADFWD_ERR_NAME_REQUIRED' });
  if (!f.fromName.trim()) out.push({ field: 'fromName', label: 'LBL_LEADFWD_ERR_FROM_NAME_REQUIRED' });
  if (!f.fromEmail.trim()) out.push({ field: 'fromEmail', label: 'LBL_LEADFWD_ERR_FROM_EMAIL_REQUIRED' });
  else if (!isAddress(f.fromEmail.trim())) out.push({ field: 'fromEmail', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: f.fromEmail.trim() } });
  if (f.replyTo.trim() && !isAddress(f.replyTo.trim()))
    out.push({ field: 'replyTo', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: f.replyTo.trim() } });
  if (f.schedule === 'later') {
    const at = zonedToUtc(f.sendAtLocal, f.timeZone);
    const minuteStart = new Date(now.getTime() - (now.getTime() % 60_000));
    if (!at) out.push({ field: 'sendAtLocal', label: 'LBL_LEADFWD_ERR_SCHEDULE_INVALID' });
    else if (at < minuteStart) out.push({ field: 'sendAtLocal', label: 'LBL_LEADFWD_ERR_SCHEDULE_PAST' });
  }
  return out;
}

/** The problems of one step; 'review' checks every step before it (time passes while a person reviews). */
export function validateStep(step: Step, f: SendForm, now: Date): FieldProblem[] {
  if (step === 'audience') return audience(f);
  if (step === 'content') return content(f);
  if (step === 'settings') return settings(f, now);
  return [...audience(f), ...content(f), ...settings(f, now)];
}

/** Every problem of the whole form, in the order of the steps. */
export const validateSendForm = (f: SendForm, now: Date) => validateStep('review', f, now);

/** The form's schedule as an ISO time; undefined means now. */
export function sendAtOf(f: SendForm): string | undefined {
  return f.schedule === 'later' ? zonedToUtc(f.sendAtLocal, f.timeZone)?.toISOString() : undefined;
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
    ...(f.savedFilterIds?.length ? { savedFilterIds: f.savedFilterIds.slice() } : {}),
    ...(f.reportIds?.length ? { reportIds: f.reportIds.slice() } : {}),
    customFields: f.customFields.slice(),
    ...(sendAt ? { sendAt } : {}),
    ...(opts.sugarCampaignId ? { sugarCampaignId: opts.sugarCampaignId } : {}),
    ...(opts.hold ? { hold: true } : {}),
    ...(f.senderIdentityId ? { senderIdentityId: f.senderIdentityId } : {}),
    ...(f.sendAsAssignedUser ? { sendAsAssignedUser: true } : {}),
    ...(f.localTime ? { localTime: { ...f.localTime } } : {}),
  };
}
