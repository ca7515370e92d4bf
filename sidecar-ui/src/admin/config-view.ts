// Administration → LeadFWD settings: the service URL every user's dashlet calls, and the write-back options.
// Sugar keeps them through LeadfwdConfigApi (admins write, everyone reads); none of them is a secret.
import { getApp, t } from '../shared/app.js';
import { describeError } from '../shared/errors.js';
import { normaliseBaseUrl } from '../shared/service-client.js';
import { loadSettings, optOutScopeSetting, saveSettings, serviceFor, type LeadfwdSettings } from '../shared/settings.js';
import { addStyles } from '../shared/style.js';
import type { SidecarView } from '../sidecar.js';
import { clearProblems, setBusy, setStatus, showProblems } from '../send/form-dom.js';
import { replaceChildren } from '../shared/dom.js';

interface ConfigState { settings?: LeadfwdSettings; error?: unknown; disposed: boolean }
const state = (view: SidecarView) => view._lfState as ConfigState;
const formOf = (view: SidecarView) => view.el.querySelector('form.leadfwd-config') as HTMLFormElement | null;
const isAdmin = () => getApp().user?.get('type') === 'admin';

function read(form: HTMLFormElement): LeadfwdSettings {
  const el = (n: string) => form.elements.namedItem(n) as HTMLInputElement;
  return {
    service_url: el('service_url').value.trim(),
    optout_scope: optOutScopeSetting(el('optout_scope').value),
  };
}

function paint(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form) return;
  if (st.error) showProblems(form, view.cid, [], { headline: describeError(st.error).text });
  const s = st.settings;
  if (s) {
    (form.elements.namedItem('service_url') as HTMLInputElement).value = s.service_url;
    (form.elements.namedItem('optout_scope') as HTMLSelectElement).value = s.optout_scope;
  }
  const admin = isAdmin();
  (form.querySelector('.leadfwd-readonly') as HTMLElement).hidden = admin;
  form.querySelectorAll<HTMLInputElement>('input, select, .leadfwd-save').forEach((el) => { el.disabled = !admin; });
}

async function save(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const s = read(form);
  if (!normaliseBaseUrl(s.service_url)) return showProblems(form, view.cid, [{ field: 'service_url', label: 'LBL_LEADFWD_ERR_SERVICE_URL' }]);
  clearProblems(form);
  setBusy(form, true);
  try {
    state(view).settings = await saveSettings(s);
    getApp().alert.show('leadfwd-config', { level: 'success', messages: t('LBL_LEADFWD_CONFIG_SAVED'), autoClose: true });
    setStatus(form, t('LBL_LEADFWD_CONFIG_SAVED'));
  } catch (e) {
    const text = describeError(e).text;
    showProblems(form, view.cid, [], { headline: text, details: (e as Error).message ? [(e as Error).message] : [] });
    getApp().alert.show('leadfwd-config', { level: 'error', messages: text });
  } finally {
    setBusy(form, false);
  }
}

async function testConnection(view: SidecarView): Promise<void> {
  const form = formOf(view)!;
  const url = read(form).service_url;
  const out = form.querySelector('.leadfwd-test-result')!;
  setBusy(form, true);
  try {
    await serviceFor(url).get('/campaigns?limit=1');
    replaceChildren(out, t('LBL_LEADFWD_CONFIG_CONNECTED', { url }));
  } catch (e) {
    replaceChildren(out, describeError(e).text);
  } finally {
    setBusy(form, false);
    paint(view);
  }
}

export const configView = {
  initialize(view: SidecarView): void {
    addStyles();
    const st: ConfigState = { disposed: false };
    view._lfState = st;
    loadSettings().then((s) => { st.settings = s; }, (e) => { st.error = e; }).then(() => { if (!st.disposed) paint(view); });
  },
  _render(view: SidecarView): void {
    const form = formOf(view);
    if (!form) return;
    form.addEventListener('submit', (e) => { e.preventDefault(); void save(view); });
    form.querySelector('.leadfwd-test-connection')?.addEventListener('click', () => void testConnection(view));
    paint(view);
  },
  _dispose(view: SidecarView): void {
    if (state(view)) state(view).disposed = true;
  },
};
