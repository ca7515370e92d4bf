// What the send flow's buttons do: preview, review (with the service's audit), test send, confirm.
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { CHANGED_EVENT } from '../shared/drawer.js';
import type { CampaignView, Preview, TestSendResult } from '../shared/service-types.js';
import { connect } from '../shared/settings.js';
import type { SidecarView } from '../sidecar.js';
import { clearProblems, readForm, setBusy, setStatus, showProblems } from './form-dom.js';
import { renderAudit, renderCounting, renderSummary } from './review.js';
import { sampleFields } from './starter.js';
import { dropReview, formOf, listName, showError, showStep, state, type SendState } from './state.js';
import { parseAddresses, sendAtOf, toNewCampaign, validateSendForm, type FieldProblem } from './validate.js';

const POLL_MS = 400;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function busy<T>(view: SidecarView, status: string, work: () => Promise<T>): Promise<T | undefined> {
  const form = formOf(view);
  if (!form) return undefined;
  setBusy(form, true);
  setStatus(form, status);
  try {
    const st = state(view);
    if (!st.client) st.client = connect();
    return await work();
  } catch (e) {
    showError(view, e);
    return undefined;
  } finally {
    setBusy(form, false);
    setStatus(form, '');
  }
}

export async function preview(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  const f = readForm(form, st.chosenFields);
  if (!f.content.trim()) return showProblems(form, view.cid, [{ field: 'content', label: 'LBL_LEADFWD_ERR_CONTENT_REQUIRED' }]);
  const body = { subject: f.subject, ...(f.format === 'mjml' ? { mjml: f.content } : { html: f.content }), fields: sampleFields(f.customFields) };
  const p = await busy(view, t('LBL_LEADFWD_PREVIEWING'), () => state(view).client!.post<Preview>('/preview', body));
  if (!p || st.disposed) return;
  clearProblems(form);
  const frame = h('iframe', { title: t('LBL_LEADFWD_PREVIEW_FRAME'), sandbox: '', class: 'leadfwd-preview-frame' });
  frame.srcdoc = p.html;
  replaceChildren(form.querySelector('.leadfwd-preview')!, h('p', {}, h('strong', {}, `${t('LBL_LEADFWD_SUBJECT')}: `), p.subject), frame);
}

/** Creates the review campaign and shows the audit once the service has counted the targets. */
export async function review(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  const f = readForm(form, st.chosenFields);
  const problems = validateSendForm(f, new Date());
  if (problems.length) return showProblems(form, view.cid, problems);
  clearProblems(form);
  dropReview(st);
  st.confirmingId = undefined;
  const created = await busy(view, t('LBL_LEADFWD_PREPARING'), () =>
    st.client!.post<CampaignView>('/campaigns', toNewCampaign(f, { sugarCampaignId: st.sugarCampaignId, hold: true })));
  if (!created || st.disposed) return;
  st.reviewId = created.id;
  st.reviewed = f;
  renderSummary(form.querySelector('.leadfwd-review-summary')!, f, (id) => listName(st, id));
  const audit = form.querySelector('.leadfwd-audit')!;
  const confirm = form.querySelector<HTMLButtonElement>('.leadfwd-confirm-button')!;
  replaceChildren(form.querySelector('.leadfwd-test-result')!);
  renderCounting(audit);
  showStep(view, 'review');
  confirm.disabled = true;
  let c = created;
  while (['draft', 'extracting'].includes(c.status) && st.reviewId === created.id && !st.disposed) {
    await wait(POLL_MS);
    try {
      c = await st.client!.get<CampaignView>(`/campaigns/${encodeURIComponent(created.id)}`);
    } catch (e) {
      showError(view, e);
      return;
    }
    renderCounting(audit, c);
  }
  if (st.reviewId !== created.id || st.disposed) return;
  confirm.disabled = !renderAudit(audit, c);
}

export async function testSend(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const st = state(view);
  if (!st.reviewId) return;
  const raw = (form.elements.namedItem('testAddresses') as HTMLInputElement).value;
  const listId = (form.elements.namedItem('testList') as HTMLSelectElement).value;
  const { ok, bad } = parseAddresses(raw);
  const problems: FieldProblem[] = bad.map((address) => ({ field: 'testAddresses', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address } }));
  if (!ok.length && !listId && !bad.length) problems.push({ field: 'testAddresses', label: 'LBL_LEADFWD_ERR_TEST_NOTHING' });
  if (problems.length) return showProblems(form, view.cid, problems);
  clearProblems(form);
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
  replaceChildren(form.querySelector('.leadfwd-test-result')!,
    h('p', {}, t('LBL_LEADFWD_TEST_RESULT', { sent: result.sent, total: result.results.length })),
    h('ul', {}, result.results.map((r) => h('li', {}, `${r.email}: ${t(r.outcome === 'accepted' ? 'LBL_LEADFWD_TEST_ACCEPTED' : 'LBL_LEADFWD_TEST_REJECTED')}${r.outcome === 'accepted' || !r.detail ? '' : ` (${r.detail})`}`))));
}

export function back(view: SidecarView): void {
  const form = formOf(view);
  dropReview(state(view));
  if (form) clearProblems(form);
  showStep(view, 'compose');
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
  const form = formOf(view)!;
  const st = state(view);
  const f = st.reviewed ?? readForm(form, st.chosenFields);
  // Time passes while a person reviews: a schedule can have become past since.
  const problems = validateSendForm(f, new Date());
  if (problems.length) {
    back(view);
    return showProblems(form, view.cid, problems);
  }
  // The reviewed campaign itself goes: the audit the person saw is the one it sends with. From the moment it is
  // asked to go, Close or Back must not cancel it: it may be sending already.
  const reviewedId = st.reviewId ?? st.confirmingId;
  st.reviewId = undefined;
  st.confirmingId = reviewedId;
  const sendAt = sendAtOf(f);
  const created = await busy(view, t('LBL_LEADFWD_SCHEDULING'), () => (reviewedId
    ? confirmReviewed(st, reviewedId, sendAt)
    : st.client!.post<CampaignView>('/campaigns', toNewCampaign(f, { sugarCampaignId: st.sugarCampaignId }))));
  if (!created || st.disposed) return;
  st.confirmingId = undefined;
  st.created = created;
  const at = sendAt ? new Date(sendAt) : undefined;
  replaceChildren(form.querySelector('.leadfwd-done-text')!, at
    ? t('LBL_LEADFWD_DONE_LATER', { name: created.name, when: at.toLocaleString() })
    : t('LBL_LEADFWD_DONE_NOW', { name: created.name }));
  showStep(view, 'done');
  showAlert('leadfwd-scheduled', 'success', t('LBL_LEADFWD_DONE_TITLE'), { autoClose: true });
  getApp().events.trigger(CHANGED_EVENT);
}

export function close(view: SidecarView): void {
  const st = state(view);
  dropReview(st);
  getApp().drawer?.close(st.created);
}
