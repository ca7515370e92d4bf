// Administration → LeadFWD settings: the service address, pairing Sugar with the service once (a one-time code the
// service shows), "Test connection", and the opt-out scope. Everything goes through the package's endpoints in Sugar
// (LeadfwdConfigApi.php); the relay secret pairing gives Sugar never reaches a browser.
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { describeError } from '../shared/errors.js';
import { loadSettings, optOutScopeSetting, pairWith, saveSettings, testConnection, type LeadfwdConfig, type LeadfwdSettings } from '../shared/settings.js';
import { addStyles } from '../shared/style.js';
import type { SidecarView } from '../sidecar.js';
import { clearProblems, setBusy, setStatus, showProblems, type Problem } from '../send/form-dom.js';
import { replaceChildren } from '../shared/dom.js';

interface ConfigState { config?: LeadfwdConfig; error?: unknown; filled: boolean; disposed: boolean }
const state = (view: SidecarView) => view._lfState as ConfigState;
const formOf = (view: SidecarView) => view.el.querySelector('form.leadfwd-config') as HTMLFormElement | null;
const isAdmin = () => getApp().user?.get('type') === 'admin';
const looksLikeUrl = (url: string) => /^https?:\/\/[^\s/]+/i.test(url);

function field(form: HTMLFormElement, name: string): HTMLInputElement {
  return form.elements.namedItem(name) as HTMLInputElement;
}

function read(form: HTMLFormElement): LeadfwdSettings & { code: string } {
  return {
    service_url: field(form, 'service_url').value.trim(),
    optout_scope: optOutScopeSetting(field(form, 'optout_scope').value),
    code: field(form, 'code').value.trim(),
  };
}

function when(iso: string | null): string {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleString() : String(iso ?? '');
}

/** The saved values go into the form once; later paints leave what the administrator typed alone. */
function paint(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form) return;
  if (st.error) showProblems(form, view.cid, [], { headline: describeError(st.error).text });
  const c = st.config;
  if (c && !st.filled) {
    field(form, 'service_url').value = c.service_url;
    field(form, 'optout_scope').value = c.optout_scope;
    st.filled = true;
  }
  replaceChildren(form.querySelector('.leadfwd-pairing-state')!, !c ? ''
    : c.paired ? t('LBL_LEADFWD_CONFIG_PAIRED', { date: when(c.paired_at) }) : t('LBL_LEADFWD_CONFIG_NOT_PAIRED'));
  const admin = isAdmin();
  (form.querySelector('.leadfwd-readonly') as HTMLElement).hidden = admin;
  form.querySelectorAll<HTMLInputElement>('input, select, button').forEach((el) => { el.disabled = !admin; });
}

/** A failure of Sugar or of the service, shown at the field it is about (the address, the code) and in the summary. */
function showFailure(view: SidecarView, form: HTMLFormElement, e: unknown): void {
  const msg = describeError(e);
  const sugar = e as { sugar?: boolean; code?: string; message?: string };
  let problems: Problem[] = [];
  let headline = msg.text;
  if (sugar.sugar && sugar.code === 'invalid_parameter') {
    headline = t('LBL_LEADFWD_ERR_SERVICE_URL_REFUSED', { message: sugar.message ?? '' });
    problems = [{ field: 'service_url', label: '', text: headline }];
  } else if (msg.field && form.querySelector(`#${view.cid}-${msg.field}`)) {
    problems = [{ field: msg.field, label: '', text: msg.text }];
  }
  showProblems(form, view.cid, problems, { headline });
  showAlert('leadfwd-config', 'error', headline);
}

function checkUrl(view: SidecarView, form: HTMLFormElement, url: string): boolean {
  if (looksLikeUrl(url)) return true;
  showProblems(form, view.cid, [{ field: 'service_url', label: 'LBL_LEADFWD_ERR_SERVICE_URL' }]);
  return false;
}

async function busy(view: SidecarView, work: (form: HTMLFormElement) => Promise<void>): Promise<void> {
  const form = formOf(view);
  if (!form) return;
  setBusy(form, true);
  try {
    await work(form);
  } catch (e) {
    if (!state(view).disposed) showFailure(view, form, e);
  } finally {
    setBusy(form, false);
    if (!state(view).disposed) paint(view);
  }
}

function save(view: SidecarView): Promise<void> {
  return busy(view, async (form) => {
    const s = read(form);
    if (!checkUrl(view, form, s.service_url)) return;
    clearProblems(form);
    const before = state(view).config;
    const saved = await saveSettings({ service_url: s.service_url, optout_scope: s.optout_scope });
    state(view).config = saved;
    // A new address ends the pairing (users' tokens only go where Sugar paired): say so.
    const text = before?.paired && !saved.paired ? t('LBL_LEADFWD_CONFIG_SAVED_UNPAIRED') : t('LBL_LEADFWD_CONFIG_SAVED');
    setStatus(form, text);
    showAlert('leadfwd-config', 'success', text, { autoClose: true });
  });
}

function pair(view: SidecarView): Promise<void> {
  return busy(view, async (form) => {
    const s = read(form);
    if (!checkUrl(view, form, s.service_url)) return;
    if (!s.code) return showProblems(form, view.cid, [{ field: 'code', label: 'LBL_LEADFWD_ERR_CODE_REQUIRED' }]);
    clearProblems(form);
    await pairWith(s.service_url, s.code);
    state(view).config = await loadSettings();
    field(form, 'code').value = '';
    setStatus(form, t('LBL_LEADFWD_CONFIG_PAIR_DONE'));
    showAlert('leadfwd-config', 'success', t('LBL_LEADFWD_CONFIG_PAIR_DONE'), { autoClose: true });
  });
}

/** Asks Sugar's server to call the address typed (saved or not); the form keeps what was typed. */
function test(view: SidecarView): Promise<void> {
  return busy(view, async (form) => {
    const out = form.querySelector('.leadfwd-test-result')!;
    replaceChildren(out);
    const url = read(form).service_url;
    if (!checkUrl(view, form, url)) return;
    clearProblems(form);
    const hello = await testConnection(url);
    replaceChildren(out, t(hello.paired ? 'LBL_LEADFWD_CONFIG_CONNECTED_PAIRED' : 'LBL_LEADFWD_CONFIG_CONNECTED', { url }));
  });
}

export const configView = {
  initialize(view: SidecarView): void {
    addStyles();
    const st: ConfigState = { filled: false, disposed: false };
    view._lfState = st;
    loadSettings().then((c) => { st.config = c; }, (e) => { st.error = e; }).then(() => { if (!st.disposed) paint(view); });
  },
  _render(view: SidecarView): void {
    const form = formOf(view);
    if (!form) return;
    state(view).filled = false;
    form.addEventListener('submit', (e) => { e.preventDefault(); void save(view); });
    form.querySelector('.leadfwd-test-connection')?.addEventListener('click', () => void test(view));
    form.querySelector('.leadfwd-pair')?.addEventListener('click', () => void pair(view));
    form.querySelector<HTMLInputElement>('input[name="code"]')?.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') { e.preventDefault(); void pair(view); }
    });
    paint(view);
  },
  _dispose(view: SidecarView): void {
    if (state(view)) state(view).disposed = true;
  },
};
