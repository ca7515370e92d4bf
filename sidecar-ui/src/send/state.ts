// Per-view state of the send flow, and the helpers every step shares.
import { t } from '../shared/app.js';
import { describeError } from '../shared/errors.js';
import type { laterTries } from '../shared/reads.js';
import type { ServiceClient } from '../shared/service-client.js';
import type { CampaignView, IdentityChoice, LeadfwdList, MergeField, RecipientChoice, SavedAudience, TargetList } from '../shared/service-types.js';
import type { SidecarView } from '../sidecar.js';
import { clearProblems, type Problem, setMessage, showFieldProblems } from './form-dom.js';
import { renderLeadfwdLists, renderSavedAudiences, renderSugarLists } from './lists.js';
import type { PreviewWidth } from './preview.js';
import { type FieldProblem, type SendForm, STEP_OF, STEPS, type Step } from './validate.js';

export type { RecipientChoice };
export type View = Step | 'done';

export interface SendState {
  step: View;
  client?: ServiceClient;
  sugarCampaignId?: string;
  prospectListId?: string;
  sugarLists: TargetList[];
  linkedLists: TargetList[];
  leadfwdLists: LeadfwdList[];
  /** The sender identities this user may pick (none known: the service's default is used). */
  identities?: IdentityChoice[];
  savedFilters: SavedAudience[];
  savedReports: SavedAudience[];
  /** Chosen saved filters (`f:<id>`) and reports (`r:<id>`). */
  selectedAudiences: Set<string>;
  selectedSugar: Set<string>;
  selectedLeadfwd: Set<string>;
  goneLists: Set<string>;
  /** Mergeable fields per module, as the service answers them for this user (fields they may read). */
  fields: Record<string, MergeField[]>;
  /** Where the insert helper puts a tag: the subject or the content, whichever had focus last. */
  insertTarget: 'subject' | 'content';
  timeZone: string;
  previewWidth: PreviewWidth;
  /** The review campaign: created held (extracted, never sent until confirmed), cancelled when the user moves on. */
  reviewId?: string;
  /** Asked to go, answer not known: a retry confirms it again, and Close leaves it alone (it may be sending). */
  confirmingId?: string;
  /** The id the reviewed A/B test is made with: the same on every Confirm of that review. */
  abTestId?: string;
  reviewed?: SendForm;
  /** How many the reviewed campaign would send to (its audit), for the A/B test's split. */
  reviewAudience?: number;
  recipients: RecipientChoice[];
  created?: CampaignView;
  values?: Record<string, string>;
  loaded: boolean;
  /** The lists are being read (load); a read that failed for a passing reason is tried again by itself (`tries`). */
  loading?: boolean;
  /** Calls to the service under way that hold the form busy. */
  busy?: number;
  tries?: ReturnType<typeof laterTries>;
  reload?: () => void;
  /** The user's Sugar role does not let them create campaigns: the flow shows that, and no form. */
  noAccess?: boolean;
  rendered: boolean;
  disposed: boolean;
}

export const state = (view: SidecarView) => view._lfState as SendState;
export const formOf = (view: SidecarView) => view.el.querySelector('form.leadfwd-send') as HTMLFormElement | null;

export function listName(st: SendState, id: string): string {
  return (
    st.sugarLists.find((l) => l.id === id)?.name ??
    st.linkedLists.find((l) => l.id === id)?.name ??
    st.leadfwdLists.find((l) => l.id === id)?.name ??
    st.savedFilters.find((l) => l.id === id)?.name ??
    st.savedReports.find((l) => l.id === id)?.name ??
    id
  );
}

export function paintLists(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form || !st.loaded) return;
  renderSugarLists(form.querySelector('.leadfwd-sugar-lists')!, view.cid, st.sugarLists, st.selectedSugar, st.goneLists, (id) => listName(st, id));
  renderLeadfwdLists(form.querySelector('.leadfwd-leadfwd-lists')!, view.cid, st.leadfwdLists, st.selectedLeadfwd, st.goneLists);
  const saved = form.querySelector('.leadfwd-saved-audiences');
  if (saved) renderSavedAudiences(saved, view.cid, st.savedFilters, st.savedReports, st.selectedAudiences);
}

/** Shows the step, marks the indicator, and (by default) moves focus to the step's heading. */
export function showStep(view: SidecarView, step: View, focus = true): void {
  const st = state(view);
  st.step = step;
  const form = formOf(view);
  if (!form) return;
  form.querySelectorAll<HTMLElement>('section.leadfwd-step').forEach((s) => {
    s.hidden = s.dataset.step !== step;
  });
  const at = STEPS.indexOf(step as Step);
  form.querySelectorAll<HTMLButtonElement>('.leadfwd-step-tab').forEach((b) => {
    const i = STEPS.indexOf(b.dataset.step as Step);
    const current = i === at;
    if (current) b.setAttribute('aria-current', 'step');
    else b.removeAttribute('aria-current');
    b.classList.toggle('leadfwd-step-done', step === 'done' || i < at);
    const label = b.querySelector('.leadfwd-step-state');
    if (label) label.textContent = current ? ` (${t('LBL_LEADFWD_STEP_CURRENT')})` : step === 'done' || i < at ? ` (${t('LBL_LEADFWD_STEP_DONE')})` : '';
    b.disabled = step === 'done';
  });
  (form.querySelector('.leadfwd-stepper') as HTMLElement).hidden = !!st.noAccess;
  if (focus) (form.querySelector(`#${view.cid}-${step}-title`) as HTMLElement | null)?.focus();
}

/**
 * Shows a failure once: at the field it is about (opening that field's step), or in the form's alert line when it is
 * about no field. The user's input is left as it is.
 */
/**
 * `note`: a sentence said after the failure's own, in the flow's alert line (what the failure may mean here); `focus`
 * false leaves the focus where it is (a try nobody asked for).
 */
export function showError(view: SidecarView, err: unknown, opts: { stay?: boolean; note?: string; focus?: boolean } = {}): void {
  const st = state(view);
  const form = formOf(view);
  if (!form) return;
  const msg = describeError(err, (id) => listName(st, id));
  let problem: Problem | undefined;
  if (msg.unknownListIds.length) {
    msg.unknownListIds.forEach((id) => st.goneLists.add(id));
    paintLists(view);
    problem = { field: 'lists', label: '', text: msg.text };
  } else if (msg.kind === 'invalid_template') {
    problem = { field: 'content', label: '', text: msg.text, details: msg.details };
  } else if (msg.field && form.querySelector(`#${view.cid}-${msg.field}-error`)) {
    problem = { field: msg.field, label: '', text: msg.text, details: msg.details };
  }
  if (!problem) {
    setMessage(form, [msg.text, ...msg.details, opts.note].filter(Boolean).join(' '), opts.focus ?? true);
    return;
  }
  setMessage(form, '');
  showProblems(view, [problem], opts);
}

/** Field problems: each at its field; the flow opens the first one's step and focuses its control. */
export function showProblems(view: SidecarView, problems: Array<Problem | FieldProblem>, opts: { stay?: boolean } = {}): void {
  const form = formOf(view);
  if (!form || !problems.length) return;
  clearProblems(form, view.cid);
  const step = STEP_OF[problems[0].field as keyof typeof STEP_OF];
  if (step && !opts.stay && state(view).step !== step) {
    if (state(view).step === 'review') dropReview(state(view));
    showStep(view, step, false);
  }
  const first = showFieldProblems(form, view.cid, problems as Problem[]);
  first?.focus();
}

/** Fire and forget: a review campaign left behind would only stay held, never sent and hidden from the dashlet. */
export function dropReview(st: SendState): void {
  const id = st.reviewId;
  st.reviewId = undefined;
  st.recipients = [];
  // Only while still held: a review confirmed meanwhile (its answer lost) stands.
  if (id && st.client) void st.client.post(`/campaigns/${encodeURIComponent(id)}/discard`).catch(() => undefined);
}
