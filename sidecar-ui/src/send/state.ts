// Per-view state of the send flow, and the helpers every step shares.
import { showAlert } from '../shared/alert.js';
import { describeError } from '../shared/errors.js';
import type { ServiceClient } from '../shared/service-client.js';
import type { CampaignView, LeadfwdList, MergeField, TargetList } from '../shared/service-types.js';
import type { SidecarView } from '../sidecar.js';
import { showProblems, type Problem } from './form-dom.js';
import { renderLeadfwdLists, renderSugarLists } from './lists.js';
import type { FieldProblem, SendForm } from './validate.js';

export type Step = 'compose' | 'review' | 'done';

export interface SendState {
  step: Step;
  client?: ServiceClient;
  sugarCampaignId?: string;
  prospectListId?: string;
  sugarLists: TargetList[];
  linkedLists: TargetList[];
  leadfwdLists: LeadfwdList[];
  selectedSugar: Set<string>;
  selectedLeadfwd: Set<string>;
  goneLists: Set<string>;
  fields: Record<string, MergeField[]>;
  chosenFields: Set<string>;
  /** The review campaign: created held (extracted, never sent until confirmed), cancelled when the user moves on. */
  reviewId?: string;
  /** Asked to go, answer not known: a retry confirms it again, and Close leaves it alone (it may be sending). */
  confirmingId?: string;
  reviewed?: SendForm;
  created?: CampaignView;
  values?: Record<string, string>;
  loaded: boolean;
  /** The user's Sugar role does not let them create campaigns: the flow shows that, and no form. */
  noAccess?: boolean;
  rendered: boolean;
  disposed: boolean;
}

export const state = (view: SidecarView) => view._lfState as SendState;
export const formOf = (view: SidecarView) => view.el.querySelector('form.leadfwd-send') as HTMLFormElement | null;

export function listName(st: SendState, id: string): string {
  return st.sugarLists.find((l) => l.id === id)?.name ?? st.linkedLists.find((l) => l.id === id)?.name ?? st.leadfwdLists.find((l) => l.id === id)?.name ?? id;
}

export function paintLists(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form || !st.loaded) return;
  renderSugarLists(form.querySelector('.leadfwd-sugar-lists')!, view.cid, st.sugarLists, st.selectedSugar, st.goneLists);
  renderLeadfwdLists(form.querySelector('.leadfwd-leadfwd-lists')!, view.cid, st.leadfwdLists, st.selectedLeadfwd, st.goneLists);
}

/** Shows any failure in the form's summary and as a Sugar alert; the user's input is left as it is. */
export function showError(view: SidecarView, err: unknown, extra: FieldProblem[] = []): void {
  const st = state(view);
  const msg = describeError(err, (id) => listName(st, id));
  const problems: Problem[] = extra.slice();
  if (msg.unknownListIds.length) {
    msg.unknownListIds.forEach((id) => st.goneLists.add(id));
    problems.push({ field: 'lists', label: 'LBL_LEADFWD_ERR_UNKNOWN_LISTS', vars: { lists: msg.unknownListIds.map((id) => listName(st, id)).join(', ') } });
  }
  if (msg.kind === 'invalid_template') problems.push({ field: 'content', label: 'LBL_LEADFWD_ERR_TEMPLATE' });
  const form = formOf(view);
  // A refusal about one field (From not on a sender domain, too many test addresses) is shown at that field too.
  if (msg.field && form?.querySelector(`#${view.cid}-${msg.field}`)) problems.push({ field: msg.field, label: '', text: msg.text });
  if (form) showProblems(form, view.cid, problems, { headline: msg.text, details: msg.details });
  // After the summary: the list rows are drawn again with the deleted ones marked invalid.
  if (msg.unknownListIds.length) paintLists(view);
  showAlert('leadfwd-send-error', 'error', msg.text);
}

export function showStep(view: SidecarView, step: Step, focus = true): void {
  const st = state(view);
  st.step = step;
  const form = formOf(view);
  if (!form) return;
  (form.querySelector('.leadfwd-compose') as HTMLElement).hidden = step !== 'compose';
  (form.querySelector('.leadfwd-review') as HTMLElement).hidden = step !== 'review';
  (form.querySelector('.leadfwd-done') as HTMLElement).hidden = step !== 'done';
  if (!focus) return;
  const target = step === 'review' ? `#${view.cid}-review-title` : step === 'done' ? `#${view.cid}-done-title` : '.leadfwd-review-button';
  (form.querySelector(target) as HTMLElement | null)?.focus();
}

/** Fire and forget: a review campaign left behind would only stay held, never sent and hidden from the dashlet. */
export function dropReview(st: SendState): void {
  const id = st.reviewId;
  st.reviewId = undefined;
  if (id && st.client) void st.client.post(`/campaigns/${encodeURIComponent(id)}/cancel`).catch(() => undefined);
}
