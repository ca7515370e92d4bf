// Administration → LeadFWD settings: the service address, pairing Sugar with the service once (a one-time code the
// service shows), "Test connection", and the opt-out scope. Everything goes through the package's endpoints in Sugar
// (LeadfwdConfigApi.php); the relay secret pairing gives Sugar never reaches a browser.
// What the administrator typed stays as typed: a test, a failure or a re-render never puts the saved value back.
// Each problem is said once, at the field it is about and naming it; one that is about no field, in the alert line.

import { clearFieldError, clearProblems, setBusy, setMessage, setStatus, showFieldProblems } from '../send/form-dom.js';
import { keepTyped, restoreTyped } from '../send/starter.js';
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { replaceChildren } from '../shared/dom.js';
import { describeError } from '../shared/errors.js';
import { type LeadfwdConfig, type LeadfwdSettings, loadSettings, optOutScopeSetting, pairWith, saveSettings, testConnection } from '../shared/settings.js';
import { when } from '../shared/status-date.js';
import { addStyles } from '../shared/style.js';
import { userTimeZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';
import { createIdentitiesSection, type IdentitiesSection } from './identities.js';

interface ConfigState {
  config?: LeadfwdConfig;
  error?: unknown;
  typed: Set<string>;
  values?: Record<string, string>;
  disposed: boolean;
  /** Sender identities: administrators only, once Sugar is paired with the service. */
  identities?: IdentitiesSection;
}
const state = (view: SidecarView) => view._lfState as ConfigState;
const formOf = (view: SidecarView) => view.el.querySelector('form.leadfwd-config') as HTMLFormElement | null;
const isAdmin = () => getApp().user?.get('type') === 'admin';

/** The identities section under the settings, made once for an administrator of a paired Sugar; nobody else gets it. */
function showIdentities(view: SidecarView): void {
  const st = state(view);
  if (st.disposed || !isAdmin() || !st.config?.paired) return;
  if (!st.identities) {
    st.identities = createIdentitiesSection(view.cid);
    void st.identities.load();
  }
  const slot = view.el.querySelector('.leadfwd-identities-slot');
  if (slot && st.identities.el.parentElement !== slot) slot.appendChild(st.identities.el);
}
const looksLikeUrl = (url: string) => /^https?:\/\/[^\s/]+/i.test(url);

/** Refusals that are about the address or the code, said with the field's name and what was typed. */
const TEXT_BY_KIND: Record<string, string> = {
  unreachable: 'LBL_LEADFWD_CONFIG_ERR_UNREACHABLE',
  timeout: 'LBL_LEADFWD_CONFIG_ERR_TIMEOUT',
  not_leadfwd: 'LBL_LEADFWD_CONFIG_ERR_NOT_LEADFWD',
  pairing_code_invalid: 'LBL_LEADFWD_CONFIG_ERR_CODE',
};

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

const pairedAt = (iso: string | null): string => when(iso ?? undefined, userTimeZone()) || String(iso ?? '');

/** The saved values fill only fields the administrator has not typed in; the rest of the page follows the state. */
function paint(view: SidecarView): void {
  const st = state(view);
  const form = formOf(view);
  if (!form) return;
  if (st.error) setMessage(form, describeError(st.error).text);
  const c = st.config;
  if (c) {
    if (!st.typed.has('service_url')) field(form, 'service_url').value = c.service_url;
    if (!st.typed.has('optout_scope')) field(form, 'optout_scope').value = c.optout_scope;
  }
  replaceChildren(
    form.querySelector('.leadfwd-pairing-state')!,
    !c ? '' : c.paired ? t('LBL_LEADFWD_CONFIG_PAIRED', { date: pairedAt(c.paired_at) }) : t('LBL_LEADFWD_CONFIG_NOT_PAIRED'),
  );
  const admin = isAdmin();
  (form.querySelector('.leadfwd-readonly') as HTMLElement).hidden = admin;
  form.querySelectorAll<HTMLInputElement>('input, select, button').forEach((el) => {
    el.disabled = !admin;
  });
}

/** A failure of Sugar or of the service: at the address or the code when it is about one of them, else in the alert line. */
function showFailure(view: SidecarView, form: HTMLFormElement, e: unknown, url: string): void {
  const msg = describeError(e);
  const sugar = e as { sugar?: boolean; code?: string; message?: string };
  if (sugar.sugar && sugar.code === 'invalid_parameter') {
    focusFirst(
      showFieldProblems(form, view.cid, [{ field: 'service_url', label: 'LBL_LEADFWD_ERR_SERVICE_URL_REFUSED', vars: { message: sugar.message ?? '' } }]),
    );
    return;
  }
  if (msg.field && form.querySelector(`#${view.cid}-${msg.field}`)) {
    const label = TEXT_BY_KIND[msg.kind];
    focusFirst(showFieldProblems(form, view.cid, [{ field: msg.field, label: label ?? '', text: label ? undefined : msg.text, vars: { url } }]));
    return;
  }
  setMessage(form, msg.text, true);
}
const focusFirst = (el?: HTMLElement) => el?.focus();

function checkUrl(view: SidecarView, form: HTMLFormElement, url: string): boolean {
  if (looksLikeUrl(url)) return true;
  focusFirst(showFieldProblems(form, view.cid, [{ field: 'service_url', label: 'LBL_LEADFWD_ERR_SERVICE_URL' }]));
  return false;
}

async function busy(view: SidecarView, work: (form: HTMLFormElement) => Promise<void>): Promise<void> {
  const form = formOf(view);
  if (!form) return;
  const url = read(form).service_url;
  clearProblems(form, view.cid);
  setMessage(form, '');
  setStatus(form, '');
  setBusy(form, true);
  try {
    await work(form);
  } catch (e) {
    if (!state(view).disposed) showFailure(view, form, e, url);
  } finally {
    setBusy(form, false);
    if (!state(view).disposed) paint(view);
  }
}

function save(view: SidecarView): Promise<void> {
  return busy(view, async (form) => {
    const s = read(form);
    if (!checkUrl(view, form, s.service_url)) return;
    const before = state(view).config;
    const saved = await saveSettings({ service_url: s.service_url, optout_scope: s.optout_scope });
    const st = state(view);
    st.config = saved;
    // Saved: the form now shows what Sugar keeps (the address as Sugar normalised it).
    st.typed.clear();
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
    if (!s.code) {
      focusFirst(showFieldProblems(form, view.cid, [{ field: 'code', label: 'LBL_LEADFWD_ERR_CODE_REQUIRED' }]));
      return;
    }
    await pairWith(s.service_url, s.code);
    state(view).config = await loadSettings();
    state(view).typed.delete('service_url');
    showIdentities(view);
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
    // What was typed is what the administrator is working on, tested or not: no later paint replaces it.
    state(view).typed.add('service_url');
    const hello = await testConnection(url);
    replaceChildren(out, t(hello.paired ? 'LBL_LEADFWD_CONFIG_CONNECTED_PAIRED' : 'LBL_LEADFWD_CONFIG_CONNECTED', { url }));
  });
}

export const configView = {
  initialize(view: SidecarView): void {
    addStyles();
    const st: ConfigState = { typed: new Set(), disposed: false };
    view._lfState = st;
    loadSettings()
      .then(
        (c) => {
          st.config = c;
        },
        (e) => {
          st.error = e;
        },
      )
      .then(() => {
        if (st.disposed) return;
        paint(view);
        showIdentities(view);
      });
  },
  beforeRender(view: SidecarView): void {
    keepTyped(formOf(view), state(view));
  },
  _render(view: SidecarView): void {
    const form = formOf(view);
    if (!form) return;
    const st = state(view);
    restoreTyped(form, st);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void save(view);
    });
    form.addEventListener('input', (e) => {
      const name = (e.target as HTMLInputElement).name;
      st.typed.add(name);
      clearFieldError(form, view.cid, name);
    });
    form.addEventListener('change', (e) => {
      st.typed.add((e.target as HTMLInputElement).name);
    });
    form.querySelector('.leadfwd-test-connection')?.addEventListener('click', () => void test(view));
    form.querySelector('.leadfwd-pair')?.addEventListener('click', () => void pair(view));
    form.querySelector<HTMLInputElement>('input[name="code"]')?.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') {
        e.preventDefault();
        void pair(view);
      }
    });
    paint(view);
    showIdentities(view);
  },
  _dispose(view: SidecarView): void {
    if (state(view)) state(view).disposed = true;
    state(view)?.identities?.dispose();
  },
};
