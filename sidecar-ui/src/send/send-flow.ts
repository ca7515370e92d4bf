// The "Send via LeadFWD" view (opened in a drawer): four short steps — Audience, Content, Settings, Review — with a
// step indicator, Enter for Next, focus on each step's heading, and the user's input kept across re-renders.
import { loadAccess } from '../shared/access.js';
import { getApp, sugarCall, t } from '../shared/app.js';
import { replaceChildren } from '../shared/dom.js';
import { isPassing } from '../shared/errors.js';
import { laterTries } from '../shared/reads.js';
import type { IdentityChoice, LeadfwdList, MergeField, SavedAudience, TargetList } from '../shared/service-types.js';
import { connect } from '../shared/settings.js';
import { addStyles } from '../shared/style.js';
import { userTimeZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';
import { bindAb } from './ab-test.js';
import { close, confirm, fieldChanged, formatChanged, goTo, insertField, next, prev, preview, previewRecipient, testSend } from './actions.js';
import { setMessage } from './form-dom.js';
import { exemptNote, isSendable, renderInsertFields, renderTestLists } from './lists.js';
import { renderIdentities } from './review.js';
import { keepTyped, restoreTyped, STARTER_HTML } from './starter.js';
import { dropReview, formOf, paintLists, type SendState, showError, showStep, state } from './state.js';
import { loadTemplates, saveTemplate, useTemplate } from './templates.js';
import type { Step } from './validate.js';

function userDefaults(): { fromName: string; fromEmail: string } {
  const user = getApp().user;
  const emails = (user?.get('email') ?? []) as Array<{ email_address?: string; primary_address?: boolean }>;
  const primary = Array.isArray(emails) ? (emails.find((e) => e.primary_address) ?? emails[0]) : undefined;
  return { fromName: String(user?.get('full_name') ?? ''), fromEmail: String(primary?.email_address ?? '') };
}

function fill(form: HTMLFormElement, name: string, value: string): void {
  const el = form.elements.namedItem(name) as HTMLInputElement | null;
  if (el && !el.value && value) el.value = value;
}

async function loadFields(view: SidecarView, module: string): Promise<void> {
  const st = state(view);
  if (!st.fields[module]) {
    paintFields(view, module);
    try {
      const r = await st.client!.get<{ fields: MergeField[] }>(`/sugar/fields?module=${encodeURIComponent(module)}`);
      st.fields[module] = r.fields;
    } catch (e) {
      st.fields[module] = [];
      showError(view, e, { stay: true });
    }
  }
  paintFields(view, module);
}

function paintFields(view: SidecarView, module: string): void {
  const form = formOf(view);
  if (!form) return;
  renderInsertFields(form.elements.namedItem('insertField') as HTMLSelectElement, module, state(view).fields[module]);
}

/** Reads what the flow offers (rights, lists, identities); one read at a time, asked again while it fails for a passing reason. */
async function load(view: SidecarView, unasked = false): Promise<void> {
  const st = state(view);
  st.tries?.stop();
  if (st.loading) return;
  st.loading = true;
  try {
    st.client = connect();
    const access = await loadAccess(st.client);
    if (st.disposed) return;
    if (!access.can.createCampaigns) {
      st.noAccess = true;
      paintNoAccess(view);
      return;
    }
    const app = getApp();
    const linked = st.sugarCampaignId
      ? sugarCall<{ records: TargetList[] }>(
          'read',
          app.api.buildURL('Campaigns', null, { id: st.sugarCampaignId, link: 'prospectlists' }, { fields: 'id,name,list_type', max_num: 100 }),
        )
      : Promise.resolve({ records: [] as TargetList[] });
    const campaign = st.sugarCampaignId
      ? sugarCall<{ name?: string }>('read', app.api.buildURL('Campaigns', null, { id: st.sugarCampaignId }, { fields: 'id,name' })).catch(() => ({ name: '' }))
      : Promise.resolve({ name: '' });
    // Saved filters and reports are offered when Sugar lets the user read them; otherwise the choice is just empty.
    const none = { savedFilters: [] as SavedAudience[], reports: [] as SavedAudience[] };
    const [lists, ours, links, sugarCampaign, identities, filters, reports] = await Promise.all([
      st.client.get<{ targetLists: TargetList[] }>('/sugar/target-lists'),
      st.client.get<{ lists: LeadfwdList[] }>('/lists'),
      linked,
      campaign,
      // Which identities this user may send as; without an answer the service's default is used, as before.
      st.client.get<{ identities: IdentityChoice[] }>('/identities').catch(() => ({ identities: [] as IdentityChoice[] })),
      st.client.get<{ savedFilters: SavedAudience[] }>('/sugar/saved-filters').catch(() => none),
      st.client.get<{ reports: SavedAudience[] }>('/sugar/reports').catch(() => none),
    ]);
    if (st.disposed) return;
    st.savedFilters = filters.savedFilters;
    st.savedReports = reports.reports;
    st.sugarLists = lists.targetLists;
    st.leadfwdLists = ours.lists;
    st.identities = identities.identities;
    st.linkedLists = links.records ?? [];
    for (const l of st.linkedLists) if (isSendable(l)) st.selectedSugar.add(l.id);
    if (st.prospectListId) st.selectedSugar.add(st.prospectListId);
    st.values = { ...(st.values ?? {}), ...(sugarCampaign.name && !st.values?.name ? { name: sugarCampaign.name } : {}) };
    st.loaded = true;
    paint(view);
    // Tried again after a passing failure: what it said is over.
    const form = formOf(view);
    if (st.tries?.tried && form) setMessage(form, '');
    await loadFields(view, 'Contacts');
    await loadTemplates(view);
  } catch (e) {
    if (st.disposed) return;
    // Opened while the service restarts: the lists come by themselves once it answers, not after a reload.
    const again = !st.loaded && isPassing(e);
    showError(view, e, again ? { note: t('LBL_LEADFWD_SEND_LOADS_LATER'), focus: !unasked } : {});
    if (!again) return;
    st.tries ??= laterTries(() => void load(view, true));
    st.tries.later();
  } finally {
    st.loading = false;
  }
}

/** One clear message, and no steps, for a user whose Sugar role would refuse the campaign at the end. */
function paintNoAccess(view: SidecarView): void {
  const form = formOf(view);
  if (!form || !state(view).noAccess) return;
  const note = form.querySelector<HTMLElement>('.leadfwd-no-access')!;
  replaceChildren(note, t('LBL_LEADFWD_NO_CREATE_SEND'));
  note.hidden = false;
  form.querySelectorAll<HTMLElement>('section.leadfwd-step, .leadfwd-stepper').forEach((s) => {
    s.hidden = true;
  });
}

/** Puts the loaded state into a freshly rendered template. */
function paint(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form || !st.loaded) return;
  paintLists(view);
  exemptNote(form.querySelector('.leadfwd-exempt-note')!, st.linkedLists);
  renderTestLists(form.querySelector('select[name="testList"]') as HTMLSelectElement, st.sugarLists);
  paintFields(view, (form.elements.namedItem('fieldModule') as HTMLSelectElement).value || 'Contacts');
  renderIdentities(form, st.identities ?? []);
  if (st.values?.name) fill(form, 'name', st.values.name);
}

function toggleSchedule(form: HTMLFormElement): void {
  const later = form.querySelector<HTMLInputElement>('input[name="schedule"][value="later"]')!.checked;
  (form.elements.namedItem('sendAtLocal') as HTMLInputElement).disabled = !later;
}

function bind(view: SidecarView, form: HTMLFormElement): void {
  const st = state(view);
  bindAb(form, view.cid);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (st.step === 'review') {
      if (document.activeElement === form.elements.namedItem('testAddresses')) void testSend(view);
      return;
    }
    if (st.step !== 'done') next(view);
  });
  form.addEventListener('input', (e) => fieldChanged(view, (e.target as HTMLInputElement).name));
  form.addEventListener('focusin', (e) => {
    const name = (e.target as HTMLInputElement).name;
    if (name === 'subject' || name === 'content') st.insertTarget = name;
  });
  form.addEventListener('change', (e) => {
    const el = e.target as HTMLInputElement;
    fieldChanged(view, el.name);
    if (el.name === 'targetList') {
      if (el.checked) st.selectedSugar.add(el.value);
      else st.selectedSugar.delete(el.value);
    }
    if (el.name === 'savedFilter' || el.name === 'savedReport') {
      const key = `${el.name === 'savedFilter' ? 'f' : 'r'}:${el.value}`;
      if (el.checked) st.selectedAudiences.add(key);
      else st.selectedAudiences.delete(key);
    }
    if (el.name === 'leadfwdList') {
      if (el.checked) st.selectedLeadfwd.add(el.value);
      else st.selectedLeadfwd.delete(el.value);
    }
    if (el.name === 'fieldModule') void loadFields(view, el.value);
    if (el.name === 'schedule') toggleSchedule(form);
    if (el.name === 'format') void formatChanged(view, el.value === 'mjml' ? 'mjml' : 'html');
    if (el.name === 'recipient') void previewRecipient(view);
  });
  const on = (selector: string, fn: (b: HTMLElement) => void) =>
    form.querySelectorAll<HTMLElement>(selector).forEach((b) => b.addEventListener('click', () => fn(b)));
  on('.leadfwd-step-tab', (b) => goTo(view, b.dataset.step as Step));
  on('.leadfwd-prev', () => prev(view));
  on('.leadfwd-insert-button', () => insertField(view));
  on('.leadfwd-preview-button', () => void preview(view));
  on('.leadfwd-test-button', () => void testSend(view));
  on('.leadfwd-confirm-button', () => void confirm(view));
  on('.leadfwd-close', () => close(view));
  on('.leadfwd-tpl-use', () => void useTemplate(view));
  on('.leadfwd-tpl-save', () => void saveTemplate(view));
}

export const sendFlow = {
  initialize(view: SidecarView): void {
    addStyles();
    const ctx = view.context;
    const st: SendState = {
      step: 'audience',
      sugarLists: [],
      linkedLists: [],
      leadfwdLists: [],
      savedFilters: [],
      savedReports: [],
      selectedAudiences: new Set(),
      selectedSugar: new Set(),
      selectedLeadfwd: new Set(),
      goneLists: new Set(),
      fields: {},
      insertTarget: 'content',
      timeZone: userTimeZone(),
      previewWidth: 'desktop',
      recipients: [],
      loaded: false,
      rendered: false,
      disposed: false,
      sugarCampaignId: ctx?.get('leadfwdSugarCampaignId') || undefined,
      prospectListId: ctx?.get('leadfwdProspectListId') || undefined,
    };
    st.reload = () => void load(view);
    view._lfState = st;
    void load(view);
  },
  /** Runs after Sidecar rendered the template: restore input, refill the dynamic parts, rebind. */
  _render(view: SidecarView): void {
    const st = state(view);
    const form = formOf(view);
    if (!form) return;
    bind(view, form);
    paint(view);
    restoreTyped(form, st);
    const d = userDefaults();
    fill(form, 'fromName', d.fromName);
    fill(form, 'fromEmail', d.fromEmail);
    fill(form, 'testAddresses', d.fromEmail);
    fill(form, 'content', STARTER_HTML);
    replaceChildren(form.querySelector('.leadfwd-zone')!, `(${st.timeZone})`);
    toggleSchedule(form);
    showStep(view, st.step, false);
    paintNoAccess(view);
    if (!st.rendered) (form.querySelector(`#${view.cid}-title`) as HTMLElement | null)?.focus();
    st.rendered = true;
  },
  /** Before Sidecar replaces the markup, keep what the user typed. */
  beforeRender(view: SidecarView): void {
    keepTyped(formOf(view), state(view));
  },
  _dispose(view: SidecarView): void {
    const st = state(view);
    if (!st) return;
    st.disposed = true;
    st.tries?.stop();
    dropReview(st);
  },
};
