// What the send flow's steps do: move between steps (each checked before the next opens), switch the content format
// (converting, never shipping the wrong source), insert merge fields, preview, review (the service's audit and a real
// recipient's message), test send, confirm.
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { CHANGED_EVENT } from '../shared/drawer.js';
import { isPassing } from '../shared/errors.js';
import { ServiceError } from '../shared/service-client.js';
import type { AbTestView, CampaignView, Preview, TestSendResult } from '../shared/service-types.js';
import { connect } from '../shared/settings.js';
import { formatInZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';
import { type AbForm, newTestId, toAbSettings } from './ab-test.js';
import { clearFieldError, readForm, setBusy, setMessage, setStatus } from './form-dom.js';
import { fieldsToRead, htmlToMjml, insertAt, looksLikeMjml, mergeTag } from './merge.js';
import { type PreviewContent, renderPreview } from './preview.js';
import { renderAudit, renderCounting, renderSchedule, renderSummary } from './review.js';
import { STARTER_HTML, STARTER_MJML, sampleFields } from './starter.js';
import { dropReview, formOf, listName, type RecipientChoice, type SendState, showError, showProblems, showStep, state } from './state.js';
import { type FieldProblem, parseAddresses, type SendForm, STEPS, type Step, sendAtOf, toNewCampaign, validateStep } from './validate.js';

const POLL_MS = 400;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The form as the service will get it: the fields to read are the ones the subject and content use. */
export function current(view: SidecarView): SendForm {
  const st = state(view);
  const form = formOf(view)!;
  const known = Object.values(st.fields)
    .flat()
    .map((f) => f.name);
  const subject = (form.elements.namedItem('subject') as HTMLInputElement).value;
  const content = (form.elements.namedItem('content') as HTMLTextAreaElement).value;
  // An A/B test's variants may use fields the main subject and content do not.
  const variants = Array.from(form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[name="abSubject"], [name="abContent"]')).map((x) => x.value);
  return readForm(form, { customFields: fieldsToRead([subject, content, ...variants], known), timeZone: st.timeZone });
}

async function busy<T>(
  view: SidecarView,
  status: string,
  work: () => Promise<T>,
  o: { note?: (e: unknown) => string | undefined } = {},
): Promise<T | undefined> {
  const form = formOf(view);
  if (!form) return undefined;
  const st = state(view);
  // Calls can overlap (a preview per recipient chosen): the form is free again when the last one ends.
  st.busy = (st.busy ?? 0) + 1;
  setBusy(form, true);
  setStatus(form, status);
  setMessage(form, '');
  try {
    if (!st.client) st.client = connect();
    return await work();
  } catch (e) {
    if (!st.disposed) showError(view, e, { note: o.note?.(e) });
    return undefined;
  } finally {
    st.busy--;
    if (!st.busy) {
      setBusy(form, false);
      setStatus(form, '');
    }
  }
}

/** Next / a step in the indicator: every step before `to` must be in order; the first that is not opens instead. */
export function goTo(view: SidecarView, to: Step): void {
  const st = state(view);
  if (st.step === 'done' || st.noAccess || st.step === to) return;
  // Before the lists came (the service was away when the flow opened), Next asks for them again at once instead of
  // judging a form that could not be filled in.
  if (!st.loaded) {
    st.reload?.();
    return;
  }
  const from = STEPS.indexOf(st.step as Step);
  const target = STEPS.indexOf(to);
  if (target > from) {
    const f = current(view);
    for (let i = from; i < target; i++) {
      const problems = validateStep(STEPS[i], f, new Date());
      if (problems.length) {
        showProblems(view, problems);
        return;
      }
    }
  }
  if (to === 'review') {
    void review(view);
    return;
  }
  if (st.step === 'review') dropReview(st);
  setMessage(formOf(view)!, '');
  showStep(view, to);
}

export function next(view: SidecarView): void {
  const st = state(view);
  const at = STEPS.indexOf(st.step as Step);
  if (at >= 0 && at < STEPS.length - 1) goTo(view, STEPS[at + 1]);
}

export function prev(view: SidecarView): void {
  const st = state(view);
  const at = STEPS.indexOf(st.step as Step);
  if (at > 0) goTo(view, STEPS[at - 1]);
}

/** A problem disappears as soon as its field changes; the same check runs again on Next. */
export function fieldChanged(view: SidecarView, field: string): void {
  const form = formOf(view);
  if (form)
    clearFieldError(
      form,
      view.cid,
      field === 'targetList' || field === 'leadfwdList' ? 'lists' : field === 'schedule' ? 'sendAtLocal' : field.startsWith('ab') ? 'abTest' : field,
    );
}

const contentArea = (form: HTMLFormElement) => form.elements.namedItem('content') as HTMLTextAreaElement;
const isStarter = (v: string) => !v.trim() || v === STARTER_HTML || v === STARTER_MJML;
const formatNote = (form: HTMLFormElement, text: string) => replaceChildren(form.querySelector('.leadfwd-format-note')!, text);
const setFormat = (form: HTMLFormElement, format: 'html' | 'mjml') => {
  form.querySelector<HTMLInputElement>(`input[name="format"][value="${format}"]`)!.checked = true;
};

/**
 * The content format changed: the content follows it. The starter text becomes the other starter; HTML becomes one
 * MJML text block; MJML is compiled to HTML by the service (merge tags kept). If MJML cannot be converted the format
 * stays MJML and says why: the source and its format never disagree.
 */
export async function formatChanged(view: SidecarView, to: 'html' | 'mjml'): Promise<void> {
  const form = formOf(view)!;
  const area = contentArea(form);
  clearFieldError(form, view.cid, 'format');
  clearFieldError(form, view.cid, 'content');
  if (isStarter(area.value)) {
    area.value = to === 'mjml' ? STARTER_MJML : STARTER_HTML;
    formatNote(form, t('LBL_LEADFWD_FORMAT_STARTER'));
    return;
  }
  if (to === 'mjml') {
    if (looksLikeMjml(area.value)) {
      formatNote(form, t('LBL_LEADFWD_FORMAT_ALREADY_MJML'));
      return;
    }
    area.value = htmlToMjml(area.value);
    formatNote(form, t('LBL_LEADFWD_FORMAT_TO_MJML'));
    return;
  }
  if (!looksLikeMjml(area.value)) {
    formatNote(form, '');
    return;
  }
  const source = area.value;
  const r = await busy(view, t('LBL_LEADFWD_FORMAT_CONVERTING'), () => state(view).client!.post<{ html: string }>('/preview/mjml', { mjml: source }));
  if (!r || state(view).disposed) {
    setFormat(form, 'mjml');
    formatNote(form, t('LBL_LEADFWD_FORMAT_KEPT_MJML'));
    return;
  }
  if (area.value === source) area.value = r.html;
  formatNote(form, t('LBL_LEADFWD_FORMAT_TO_HTML'));
}

/** The insert helper: the chosen field's tag at the caret of the subject or content (whichever was used last). */
export function insertField(view: SidecarView): void {
  const form = formOf(view)!;
  const st = state(view);
  const name = (form.elements.namedItem('insertField') as HTMLSelectElement).value;
  if (!name) return;
  const fallback = (form.elements.namedItem('insertDefault') as HTMLInputElement).value;
  const target = form.elements.namedItem(st.insertTarget) as HTMLInputElement | HTMLTextAreaElement;
  const { value, caret } = insertAt(
    target.value,
    target.selectionStart ?? target.value.length,
    target.selectionEnd ?? target.value.length,
    mergeTag(name, fallback),
  );
  target.value = value;
  target.focus();
  target.setSelectionRange(caret, caret);
  fieldChanged(view, st.insertTarget);
  setStatus(
    form,
    t('LBL_LEADFWD_INSERTED', { tag: mergeTag(name, fallback), where: t(st.insertTarget === 'subject' ? 'LBL_LEADFWD_SUBJECT' : 'LBL_LEADFWD_CONTENT') }),
  );
}

const previewOpts = (view: SidecarView, again: () => void, note?: string) => ({
  width: state(view).previewWidth,
  onWidth: (w: 'desktop' | 'mobile') => {
    state(view).previewWidth = w;
    again();
  },
  note,
});

/** The content step's preview: sample names, custom fields empty so their defaults show, no tracking. */
export async function preview(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const f = current(view);
  const problems = validateStep('content', f, new Date());
  if (problems.length) return showProblems(view, problems);
  const body = { subject: f.subject, ...(f.format === 'mjml' ? { mjml: f.content } : { html: f.content }), fields: sampleFields() };
  const p = await busy(view, t('LBL_LEADFWD_PREVIEWING'), () => state(view).client!.post<Preview>('/preview', body));
  if (!p || state(view).disposed) return;
  const el = form.querySelector('.leadfwd-sample-preview')!;
  const paint = () => renderPreview(el, p, previewOpts(view, paint, t('LBL_LEADFWD_PREVIEW_SAMPLE_NOTE')));
  paint();
}

/** The review step's preview: the message the chosen recipient would get, as the service builds it. */
export async function previewRecipient(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  const id = st.reviewId;
  const chosen = () => Number((form.elements.namedItem('recipient') as HTMLSelectElement).value);
  const rowId = chosen();
  if (!id || !rowId) return;
  const p = await busy(view, t('LBL_LEADFWD_PREVIEWING'), () => st.client!.post<PreviewContent>(`/campaigns/${encodeURIComponent(id)}/preview`, { rowId }));
  // Another recipient chosen meanwhile: its own preview is on its way, and this one must not land after it.
  if (!p || st.disposed || st.reviewId !== id || chosen() !== rowId) return;
  const el = form.querySelector('.leadfwd-recipient-preview')!;
  const paint = () => renderPreview(el, p, previewOpts(view, paint));
  paint();
  renderSummary(form.querySelector('.leadfwd-review-summary')!, st.reviewed!, {
    listName: (x) => listName(st, x),
    subject: p.subject,
    recipient: p.name || p.to,
    fields: st.fields,
    audience: st.reviewAudience,
  });
}

/** `hidden`: people of modules the user's role does not show them (not listed, but they get the message). */
function paintRecipients(view: SidecarView, list: RecipientChoice[], total: number, hidden = 0): void {
  const select = formOf(view)!.elements.namedItem('recipient') as HTMLSelectElement;
  replaceChildren(
    select,
    list.map((r) => h('option', { value: String(r.rowId) }, r.name ? `${r.name} <${r.email}>` : r.email)),
  );
  select.disabled = !list.length;
  const notes = [
    total > list.length ? t('LBL_LEADFWD_RECIPIENTS_FIRST', { shown: list.length, total }) : '',
    hidden ? t('LBL_LEADFWD_PEOPLE_HIDDEN', { n: hidden }) : '',
  ].filter(Boolean);
  const group = select.closest('.control-group');
  group?.querySelectorAll('.leadfwd-recipients-more').forEach((old) => old.remove());
  for (const note of notes.reverse()) select.insertAdjacentElement('afterend', h('p', { class: 'help-block leadfwd-recipients-more' }, note));
}

/**
 * A Confirm whose answer never came (lost, or timed out in Sugar's relay) may have sent the campaign: before anything
 * new is reviewed, and sent a second time, the service is asked. Gone: its Done step shows (true). Still held: it is
 * set aside, only while still held, so a Confirm still on its way stands and shows Done when asked again; then the new
 * review replaces it (false). No answer: nothing new is prepared, and it says why (true).
 */
async function confirmedMeanwhile(view: SidecarView, id: string): Promise<boolean> {
  const st = state(view);
  const path = `/campaigns/${encodeURIComponent(id)}`;
  const unknown = { note: () => t('LBL_LEADFWD_CONFIRM_UNKNOWN_REVIEW') };
  const now = await busy(view, t('LBL_LEADFWD_PREPARING'), () => st.client!.get<CampaignView>(path), unknown);
  if (!now || st.disposed) return true;
  if (!now.held && now.status !== 'cancelled') {
    st.confirmingId = undefined;
    showDone(view, now, now.sendAt && Date.parse(now.sendAt) > Date.now() ? now.sendAt : undefined);
    return true;
  }
  if (now.held) {
    const notHeld = (e: unknown) => e instanceof ServiceError && e.code === 'not_held';
    const setAside = () =>
      st.client!.post(`${path}/discard`).then(
        () => true,
        (e: unknown) => (notHeld(e) ? false : Promise.reject(e)),
      );
    const aside = await busy(view, t('LBL_LEADFWD_PREPARING'), setAside, unknown);
    if (aside === undefined || st.disposed) return true;
    if (!aside) return confirmedMeanwhile(view, id);
  }
  st.confirmingId = undefined;
  return false;
}

/** Creates the review campaign (held: extracted and counted, never sent until confirmed) and shows its audit. */
export async function review(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  const f = current(view);
  const problems = validateStep('review', f, new Date());
  if (problems.length) return showProblems(view, problems);
  if (st.confirmingId && (await confirmedMeanwhile(view, st.confirmingId))) return;
  dropReview(st);
  const created = await busy(view, t('LBL_LEADFWD_PREPARING'), () =>
    st.client!.post<CampaignView>('/campaigns', toNewCampaign(f, { sugarCampaignId: st.sugarCampaignId, hold: true })),
  );
  if (!created || st.disposed) return;
  st.reviewId = created.id;
  st.reviewed = f;
  st.abTestId = undefined;
  st.reviewAudience = undefined;
  renderSummary(form.querySelector('.leadfwd-review-summary')!, f, { listName: (id) => listName(st, id), fields: st.fields });
  const audit = form.querySelector('.leadfwd-audit')!;
  const confirm = form.querySelector<HTMLButtonElement>('.leadfwd-confirm-button')!;
  replaceChildren(form.querySelector('.leadfwd-test-result')!);
  replaceChildren(form.querySelector('.leadfwd-recipient-preview')!);
  replaceChildren(form.querySelector('.leadfwd-schedule')!);
  paintRecipients(view, [], 0);
  renderCounting(audit);
  showStep(view, 'review');
  confirm.disabled = true;
  let c = created;
  while (['draft', 'extracting'].includes(c.status) && st.reviewId === created.id && !st.disposed) {
    await wait(POLL_MS);
    try {
      c = await st.client!.get<CampaignView>(`/campaigns/${encodeURIComponent(created.id)}`);
    } catch (e) {
      showError(view, e, { stay: true });
      return;
    }
    renderCounting(audit, c);
  }
  if (st.reviewId !== created.id || st.disposed) return;
  const fits = renderSchedule(form.querySelector('.leadfwd-schedule')!, c);
  const sendable = renderAudit(audit, c) && fits;
  if (f.abTest && c.audit) {
    st.reviewAudience = c.audit.queued;
    renderSummary(form.querySelector('.leadfwd-review-summary')!, f, { listName: (id) => listName(st, id), fields: st.fields, audience: c.audit.queued });
  }
  confirm.disabled = !sendable;
  if (!sendable) return;
  try {
    const r = await st.client!.get<{ recipients: RecipientChoice[]; total: number; hidden?: number }>(
      `/campaigns/${encodeURIComponent(created.id)}/recipients?limit=50`,
    );
    if (st.reviewId !== created.id || st.disposed) return;
    st.recipients = r.recipients;
    paintRecipients(view, r.recipients, r.total, r.hidden);
    if (r.recipients.length) await previewRecipient(view);
  } catch (e) {
    showError(view, e, { stay: true });
  }
}

export async function testSend(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  if (!st.reviewId) return;
  const raw = (form.elements.namedItem('testAddresses') as HTMLInputElement).value;
  const listId = (form.elements.namedItem('testList') as HTMLSelectElement).value;
  const { ok, bad } = parseAddresses(raw);
  const problems: FieldProblem[] = bad.length ? [{ field: 'testAddresses', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: bad.join(', ') } }] : [];
  if (!ok.length && !listId && !bad.length) problems.push({ field: 'testAddresses', label: 'LBL_LEADFWD_ERR_TEST_NOTHING' });
  if (problems.length) return showProblems(view, problems);
  clearFieldError(form, view.cid, 'testAddresses');
  const id = encodeURIComponent(st.reviewId);
  const result = await busy(view, t('LBL_LEADFWD_TEST_SENDING'), async () => {
    const out: TestSendResult = { sent: 0, results: [] };
    for (const body of [ok.length ? { addresses: ok } : null, listId ? { targetListId: listId } : null]) {
      if (!body) continue;
      const r = await st.client!.post<TestSendResult>(`/campaigns/${id}/test-send`, body);
      out.sent += r.sent;
      out.results.push(...r.results);
    }
    return out;
  });
  if (!result || st.disposed) return;
  replaceChildren(
    form.querySelector('.leadfwd-test-result')!,
    h('p', {}, t('LBL_LEADFWD_TEST_RESULT', { sent: result.sent, total: result.results.length })),
    h(
      'ul',
      {},
      result.results.map((r) =>
        h(
          'li',
          {},
          `${r.email}: ${t(r.outcome === 'accepted' ? 'LBL_LEADFWD_TEST_ACCEPTED' : 'LBL_LEADFWD_TEST_REJECTED')}${r.outcome === 'accepted' || !r.detail ? '' : ` (${r.detail})`}`,
        ),
      ),
    ),
  );
}

/**
 * Releases the reviewed campaign. A failure may hide a release that happened (an answer lost on the way, or a
 * retry of one that answers 409): ask before failing. Still held, it is back under review (Close cancels it);
 * unknown, the next Confirm asks again.
 */
async function confirmReviewed(st: SendState, id: string, sendAt: string | undefined): Promise<CampaignView> {
  const path = `/campaigns/${encodeURIComponent(id)}`;
  try {
    return await st.client!.post<CampaignView>(`${path}/confirm`, sendAt ? { sendAt } : {});
  } catch (e) {
    const now = await st.client!.get<CampaignView>(path).catch(() => undefined);
    if (now && !now.held && now.status !== 'cancelled') return now;
    if (now?.held) {
      st.reviewId = id;
      st.confirmingId = undefined;
    }
    throw e;
  }
}

export async function confirm(view: SidecarView): Promise<void> {
  const st = state(view);
  const f = st.reviewed ?? current(view);
  // Time passes while a person reviews: a schedule can have become past since.
  const problems = validateStep('review', f, new Date());
  if (problems.length) return showProblems(view, problems);
  if (f.abTest) return confirmAbTest(view, f, f.abTest);
  // The reviewed campaign itself goes: the audit the person saw is the one it sends with. From the moment it is
  // asked to go, Close or Back must not cancel it: it may be sending already.
  const reviewedId = st.reviewId ?? st.confirmingId;
  if (!reviewedId) return;
  st.reviewId = undefined;
  st.confirmingId = reviewedId;
  const sendAt = sendAtOf(f);
  const created = await busy(view, t('LBL_LEADFWD_SCHEDULING'), () => confirmReviewed(st, reviewedId, sendAt), {
    // Neither the release nor the check after it answered: it may be going.
    note: () => (st.confirmingId === reviewedId ? t('LBL_LEADFWD_CONFIRM_UNKNOWN') : undefined),
  });
  if (!created || st.disposed) return;
  st.confirmingId = undefined;
  showDone(view, created, sendAt);
}

/** The Done step for a campaign that was released to send now, or at `sendAt`. */
function showDone(view: SidecarView, created: CampaignView, sendAt: string | undefined): void {
  const st = state(view);
  st.created = created;
  replaceChildren(
    formOf(view)!.querySelector('.leadfwd-done-text')!,
    sendAt
      ? t('LBL_LEADFWD_DONE_LATER', { name: created.name, when: formatInZone(new Date(sendAt), st.timeZone) })
      : t('LBL_LEADFWD_DONE_NOW', { name: created.name }),
  );
  showStep(view, 'done');
  showAlert('leadfwd-scheduled', 'success', t('LBL_LEADFWD_DONE_TITLE'), { autoClose: true });
  getApp().events.trigger(CHANGED_EVENT);
}

/**
 * An A/B test goes as reviewed: POST /ab-tests with the reviewed form, then the held review campaign (which only
 * counted the audience) is cancelled. Until this Confirm nothing of the test exists, so nothing can have been sent.
 */
async function confirmAbTest(view: SidecarView, f: SendForm, ab: AbForm): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  if (!st.reviewId) return;
  // One id per reviewed test: a Confirm asked again after an answer that never came gets the test made the first time.
  st.abTestId ??= newTestId();
  const body = { ...toNewCampaign(f), abTest: { ...toAbSettings(ab, f), id: st.abTestId } };
  const test = await busy(view, t('LBL_LEADFWD_SCHEDULING'), () => st.client!.post<AbTestView>('/ab-tests', body), {
    note: (e) => (isPassing(e) ? t('LBL_LEADFWD_CONFIRM_UNKNOWN') : undefined),
  });
  if (!test || st.disposed) return;
  st.abTestId = undefined;
  dropReview(st);
  st.created = await st.client!.get<CampaignView>(`/campaigns/${encodeURIComponent(test.variants[0].campaignId)}`).catch(() => undefined);
  const sendAt = sendAtOf(f);
  replaceChildren(
    form.querySelector('.leadfwd-done-text')!,
    t(sendAt ? 'LBL_LEADFWD_AB_DONE_LATER' : 'LBL_LEADFWD_AB_DONE_NOW', {
      name: test.name,
      n: test.variants.length,
      when: sendAt ? formatInZone(new Date(sendAt), st.timeZone) : '',
      decide: formatInZone(new Date(test.decideAt), st.timeZone),
    }),
  );
  showStep(view, 'done');
  showAlert('leadfwd-scheduled', 'success', t('LBL_LEADFWD_DONE_TITLE'), { autoClose: true });
  getApp().events.trigger(CHANGED_EVENT);
}

export function close(view: SidecarView): void {
  const st = state(view);
  dropReview(st);
  // A Confirm whose answer never came may have sent it: the lists behind the drawer read again.
  if (st.confirmingId) getApp().events.trigger(CHANGED_EVENT);
  getApp().drawer?.close(st.created);
}
