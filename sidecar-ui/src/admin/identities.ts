// Administration → LeadFWD settings → Sender identities (issue 16): the identities mail is sent as, for administrators
// only (other users are never shown this section and it asks the service nothing for them). Each identity shows its
// From domains and addresses, its DKIM selector, key fingerprint and the TXT record to publish, its relay, rates,
// warm-up plan, whether it is paused and why, and its last readiness check with what to fix; an administrator creates
// and edits identities (a key pasted or made by the service; the relay password is write-only), checks readiness,
// tests the relay, pauses, resumes and deletes them. Every call goes through the package's relay (leadfwd/api/...).

import { setBusy } from '../send/form-dom.js';
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError, isPassing } from '../shared/errors.js';
import { laterTries } from '../shared/reads.js';
import { ServiceError } from '../shared/service-client.js';
import { connect } from '../shared/settings.js';
import { when } from '../shared/status-date.js';
import { userTimeZone } from '../shared/time.js';

export interface ReadinessCheck {
  id: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix?: string;
}
export interface Identity {
  id: string;
  name: string;
  isDefault: boolean;
  fromDomains: string[];
  fromAddresses: string[];
  dkim: { hasKey: boolean; domain?: string; selector?: string; fingerprint?: string; dnsRecord?: { name: string; type: string; value: string } };
  relay: { url: string; username?: string; hasPassword: boolean; maxConnections: number };
  bounceDomain: string;
  rate: { perSecond: number; perHour: number; perDay: number };
  warmup?: { startDate: string; startPerDay: number; growth: number; targetPerDay: number; steps?: number[] } | null;
  users: string[];
  approval?: { how: string; by: string; at: string } | null;
  paused?: { reason: string; at: string; by: string } | null;
  readiness?: { ok: boolean; checkedAt: string; checks: ReadinessCheck[] } | null;
  throttles?: Array<{ provider?: string; reason?: string; text?: string; until?: string; resumeAt?: string }>;
  fromEnvironment?: boolean;
}

interface IdentitiesState {
  identities?: Identity[];
  error?: string;
  /** The identity being edited ('new' for a new one), or none. */
  editing?: string;
  /** A line under an identity after an action (test connection, readiness…). */
  notes: Record<string, string>;
  disposed: boolean;
}

export const isAdmin = () => getApp().user?.get('type') === 'admin';
const list = (v: string) =>
  v
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The relay's host and port, never its credentials. */
export function relayHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export function rateText(r: Identity['rate']): string {
  const limit = (n: number, label: string) => (n > 0 ? t(label, { n: n.toLocaleString() }) : '');
  return [
    limit(r.perSecond, 'LBL_LEADFWD_IDENTITY_RATE_SECOND'),
    limit(r.perHour, 'LBL_LEADFWD_IDENTITY_RATE_HOUR'),
    limit(r.perDay, 'LBL_LEADFWD_IDENTITY_RATE_DAY'),
  ]
    .filter(Boolean)
    .join(', ');
}

export function warmupText(w: Identity['warmup']): string {
  if (!w) return t('LBL_LEADFWD_IDENTITY_WARMUP_NONE');
  return t('LBL_LEADFWD_IDENTITY_WARMUP_PLAN', {
    start: w.startDate,
    first: w.startPerDay.toLocaleString(),
    growth: w.growth,
    target: w.targetPerDay.toLocaleString(),
  });
}

/** What the service said, in words: 409 "in use" names what uses it; invalid input lists every problem. */
function failure(e: unknown): { text: string; details: string[] } {
  if (e instanceof ServiceError) {
    const problems = (e.details as { problems?: unknown })?.problems;
    const details = Array.isArray(problems) ? problems.map(String) : [];
    if (e.code === 'identity_in_use') return { text: t('LBL_LEADFWD_IDENTITY_ERR_IN_USE', { message: e.message }), details };
    if (e.code === 'invalid_identity' || e.kind === 'invalid') return { text: t('LBL_LEADFWD_IDENTITY_ERR_INVALID', { message: e.message }), details };
    if (e.code === 'admin_only') return { text: t('LBL_LEADFWD_IDENTITY_ERR_ADMIN'), details };
  }
  return { text: describeError(e).text, details: [] };
}

export function createIdentitiesSection(cid: string) {
  const st: IdentitiesState = { notes: {}, disposed: false };
  const service = connect();
  const root = h('section', { class: 'leadfwd leadfwd-identities', 'aria-labelledby': `${cid}-identities-title` });
  const message = h('div', { class: 'alert alert-danger leadfwd-message', role: 'alert', tabindex: '-1', hidden: true });
  const status = h('div', { class: 'leadfwd-status help-block', role: 'status', 'aria-live': 'polite' });
  const listEl = h('div', { class: 'leadfwd-identity-list' });
  const formSlot = h('div', { class: 'leadfwd-identity-form-slot' });
  const addButton = h('button', { type: 'button', class: 'btn leadfwd-identity-new', onclick: () => edit('new') }, t('LBL_LEADFWD_IDENTITY_NEW'));
  replaceChildren(
    root,
    h('h2', { id: `${cid}-identities-title` }, t('LBL_LEADFWD_IDENTITIES_TITLE')),
    h('p', { class: 'help-block' }, t('LBL_LEADFWD_IDENTITIES_INTRO')),
    message,
    status,
    listEl,
    h('div', { class: 'leadfwd-buttons' }, addButton),
    formSlot,
  );

  const say = (text: string, details: string[] = [], focus = true) => {
    replaceChildren(
      message,
      text,
      details.length
        ? h(
            'ul',
            { class: 'leadfwd-details' },
            details.map((d) => h('li', {}, d)),
          )
        : null,
    );
    message.hidden = !text;
    if (text && focus) message.focus();
  };

  const tries = laterTries(() => void load());
  async function load(): Promise<void> {
    tries.stop();
    try {
      const r = await service.get<{ identities: Identity[] }>('/identities');
      if (st.error) say('');
      st.identities = r.identities;
      st.error = undefined;
    } catch (e) {
      st.error = failure(e).text;
      // Never read (the service away when the page opened): asked again by itself, not left at "Loading..." for good.
      if (!st.identities && isPassing(e) && !st.disposed) tries.later();
    }
    if (!st.disposed) paint();
  }

  /** Runs one action with the section busy; a failure is said once, in the section's alert line. */
  async function act(work: () => Promise<void>): Promise<void> {
    say('');
    replaceChildren(status);
    setBusy(root as unknown as HTMLFormElement, true);
    try {
      await work();
    } catch (e) {
      const f = failure(e);
      if (!st.disposed) say(f.text, f.details);
    } finally {
      if (!st.disposed) setBusy(root as unknown as HTMLFormElement, false);
    }
  }

  function checkItem(c: ReadinessCheck) {
    const state = c.ok ? 'LBL_LEADFWD_IDENTITY_CHECK_OK' : c.required ? 'LBL_LEADFWD_IDENTITY_CHECK_PROBLEM' : 'LBL_LEADFWD_IDENTITY_CHECK_ADVICE';
    return h(
      'li',
      { class: `leadfwd-check leadfwd-check-${c.ok ? 'ok' : 'problem'}`, 'data-check': c.id },
      h('strong', {}, `${t(state)} `),
      h('span', { class: 'leadfwd-check-name' }, `${c.id.toUpperCase()}: `),
      h('span', { class: 'leadfwd-check-detail' }, c.detail),
      c.fix ? h('div', { class: 'leadfwd-check-fix' }, `${t('LBL_LEADFWD_IDENTITY_FIX')} `, h('code', {}, c.fix)) : null,
    );
  }

  function card(i: Identity) {
    const note = st.notes[i.id];
    const name = i.isDefault ? t('LBL_LEADFWD_IDENTITY_NAME_DEFAULT', { name: i.name }) : i.name;
    const state = i.paused
      ? t('LBL_LEADFWD_IDENTITY_PAUSED', { reason: i.paused.reason, by: i.paused.by, date: when(i.paused.at, userTimeZone()) })
      : i.approval
        ? t('LBL_LEADFWD_IDENTITY_MAY_SEND')
        : t('LBL_LEADFWD_IDENTITY_NOT_READY');
    const dt = (label: string, ...value: Array<Node | string>) => [h('dt', {}, t(label)), h('dd', {}, ...value)];
    const record = i.dkim.dnsRecord;
    return h(
      'article',
      { class: 'leadfwd-identity', 'data-identity-id': i.id, 'aria-labelledby': `${cid}-identity-${i.id}` },
      h('h3', { id: `${cid}-identity-${i.id}`, class: 'leadfwd-identity-name' }, name),
      h('p', { class: `leadfwd-identity-state${i.paused ? ' leadfwd-identity-paused' : ''}` }, state),
      h(
        'dl',
        { class: 'leadfwd-summary' },
        dt('LBL_LEADFWD_IDENTITY_FROM', [...i.fromDomains.map((d) => `@${d}`), ...i.fromAddresses].join(', ')),
        i.dkim.hasKey
          ? [
              ...dt('LBL_LEADFWD_IDENTITY_DKIM', t('LBL_LEADFWD_IDENTITY_DKIM_VALUE', { selector: i.dkim.selector ?? '', domain: i.dkim.domain ?? '' })),
              ...dt('LBL_LEADFWD_IDENTITY_FINGERPRINT', h('code', {}, i.dkim.fingerprint ?? '')),
              ...(record
                ? dt('LBL_LEADFWD_IDENTITY_DNS_RECORD', h('code', { class: 'leadfwd-dns-record' }, `${record.name} ${record.type} "${record.value}"`))
                : []),
            ]
          : dt('LBL_LEADFWD_IDENTITY_DKIM', t('LBL_LEADFWD_IDENTITY_NO_KEY')),
        dt('LBL_LEADFWD_IDENTITY_RELAY', relayHost(i.relay.url)),
        dt('LBL_LEADFWD_IDENTITY_BOUNCE', i.bounceDomain),
        dt('LBL_LEADFWD_IDENTITY_RATES', rateText(i.rate) || t('LBL_LEADFWD_IDENTITY_NO_LIMIT')),
        dt('LBL_LEADFWD_IDENTITY_WARMUP', warmupText(i.warmup)),
        dt('LBL_LEADFWD_IDENTITY_USERS', i.users.length ? i.users.join(', ') : t('LBL_LEADFWD_IDENTITY_USERS_ALL')),
      ),
      i.throttles?.length
        ? h(
            'ul',
            { class: 'leadfwd-throttles', 'aria-label': t('LBL_LEADFWD_IDENTITY_THROTTLED') },
            i.throttles.map((th) => h('li', {}, [th.provider, th.text ?? th.reason, th.until ?? th.resumeAt].filter(Boolean).join(' · '))),
          )
        : null,
      i.readiness
        ? h(
            'div',
            { class: 'leadfwd-readiness' },
            h(
              'p',
              {},
              t(i.readiness.ok ? 'LBL_LEADFWD_IDENTITY_READY' : 'LBL_LEADFWD_IDENTITY_NOT_READY_CHECKED', {
                date: when(i.readiness.checkedAt, userTimeZone()),
              }),
            ),
            h('ul', { class: 'leadfwd-checklist' }, i.readiness.checks.map(checkItem)),
          )
        : h('p', { class: 'leadfwd-readiness' }, t('LBL_LEADFWD_IDENTITY_NEVER_CHECKED')),
      h('div', { class: 'leadfwd-identity-note', role: 'status', 'aria-live': 'polite' }, note ?? ''),
      h(
        'div',
        { class: 'leadfwd-buttons' },
        h('button', { type: 'button', class: 'btn btn-primary leadfwd-identity-check', onclick: () => void readiness(i) }, t('LBL_LEADFWD_IDENTITY_CHECK')),
        h('button', { type: 'button', class: 'btn leadfwd-identity-test', onclick: () => void testRelay(i) }, t('LBL_LEADFWD_IDENTITY_TEST')),
        h('button', { type: 'button', class: 'btn leadfwd-identity-edit', onclick: () => edit(i.id) }, t('LBL_LEADFWD_IDENTITY_EDIT')),
        i.paused
          ? h(
              'button',
              { type: 'button', class: 'btn leadfwd-identity-resume', onclick: () => void pauseOrResume(i, 'resume') },
              t('LBL_LEADFWD_IDENTITY_RESUME'),
            )
          : h(
              'button',
              { type: 'button', class: 'btn leadfwd-identity-pause', onclick: () => void pauseOrResume(i, 'pause') },
              t('LBL_LEADFWD_IDENTITY_PAUSE'),
            ),
        h('button', { type: 'button', class: 'btn btn-danger leadfwd-identity-delete', onclick: () => remove(i) }, t('LBL_LEADFWD_IDENTITY_DELETE')),
      ),
    );
  }

  function paint(): void {
    if (st.error) say(st.error, [], false);
    const all = st.identities;
    replaceChildren(
      listEl,
      !all ? (st.error ? null : t('LBL_LEADFWD_LOADING_PAGE')) : all.length ? all.map(card) : h('p', {}, t('LBL_LEADFWD_IDENTITIES_NONE')),
    );
  }

  const replace = (i: Identity) => {
    st.identities = (st.identities ?? []).map((x) => (x.id === i.id ? i : x));
  };

  const readiness = (i: Identity) =>
    act(async () => {
      const r = await service.get<{ ok: boolean; approved: boolean }>(`/identities/${i.id}/readiness`);
      st.notes[i.id] = t(r.ok ? 'LBL_LEADFWD_IDENTITY_CHECKED_OK' : 'LBL_LEADFWD_IDENTITY_CHECKED_PROBLEMS', { name: i.name });
      await load();
    });

  const testRelay = (i: Identity) =>
    act(async () => {
      const r = await service.post<{ ok: boolean; relay: string; error?: string }>(`/identities/${i.id}/test`);
      st.notes[i.id] = r.ok
        ? t('LBL_LEADFWD_IDENTITY_TEST_OK', { relay: relayHost(r.relay) })
        : t('LBL_LEADFWD_IDENTITY_TEST_FAILED', { relay: relayHost(r.relay), error: r.error ?? '' });
      paint();
    });

  const pauseOrResume = (i: Identity, what: 'pause' | 'resume') =>
    act(async () => {
      replace(await service.post<Identity>(`/identities/${i.id}/${what}`, {}));
      st.notes[i.id] = t(what === 'pause' ? 'LBL_LEADFWD_IDENTITY_PAUSED_DONE' : 'LBL_LEADFWD_IDENTITY_RESUMED_DONE', { name: i.name });
      paint();
    });

  function remove(i: Identity): void {
    showAlert('leadfwd-confirm-identity-delete', 'confirmation', t('LBL_LEADFWD_IDENTITY_CONFIRM_DELETE', { name: i.name }), {
      onConfirm: () =>
        void act(async () => {
          await service.delete(`/identities/${i.id}`);
          delete st.notes[i.id];
          replaceChildren(status, t('LBL_LEADFWD_IDENTITY_DELETED', { name: i.name }));
          await load();
        }),
    });
  }

  /** The create/edit form: built once per edit, so nothing typed is lost to a repaint of the list. */
  function edit(id: string): void {
    st.editing = id;
    const i = id === 'new' ? undefined : st.identities?.find((x) => x.id === id);
    const f = `${cid}-identity`;
    const input = (name: string, label: string, value = '', o: { type?: string; hint?: string; required?: boolean; autocomplete?: string } = {}) =>
      h(
        'div',
        { class: 'control-group', 'data-field': name },
        h('label', { class: 'control-label', for: `${f}-${name}` }, t(label)),
        h('input', {
          type: o.type ?? 'text',
          id: `${f}-${name}`,
          name,
          value,
          autocomplete: o.autocomplete ?? 'off',
          ...(o.required ? { 'aria-required': 'true' } : {}),
          ...(o.hint ? { 'aria-describedby': `${f}-${name}-hint` } : {}),
        }),
        o.hint ? h('p', { class: 'help-block', id: `${f}-${name}-hint` }, t(o.hint)) : null,
      );
    const keyChoice = (value: string, label: string, checked: boolean) =>
      h('label', { class: 'leadfwd-choice' }, h('input', { type: 'radio', name: 'keySource', value, ...(checked ? { checked: true } : {}) }), t(label));
    const w = i?.warmup;
    const form = h(
      'form',
      { class: 'leadfwd-identity-form', novalidate: true, 'aria-labelledby': `${f}-form-title` },
      h('h3', { id: `${f}-form-title`, tabindex: '-1' }, i ? t('LBL_LEADFWD_IDENTITY_EDIT_TITLE', { name: i.name }) : t('LBL_LEADFWD_IDENTITY_NEW')),
      input('name', 'LBL_LEADFWD_IDENTITY_F_NAME', i?.name, { required: true }),
      input('fromDomains', 'LBL_LEADFWD_IDENTITY_F_DOMAINS', i?.fromDomains.join(', '), { hint: 'LBL_LEADFWD_IDENTITY_F_DOMAINS_HINT' }),
      input('fromAddresses', 'LBL_LEADFWD_IDENTITY_F_ADDRESSES', i?.fromAddresses.join(', ')),
      h(
        'fieldset',
        { class: 'leadfwd-fieldset' },
        h('legend', {}, t('LBL_LEADFWD_IDENTITY_DKIM')),
        input('dkimDomain', 'LBL_LEADFWD_IDENTITY_F_DKIM_DOMAIN', i?.dkim.domain),
        input('dkimSelector', 'LBL_LEADFWD_IDENTITY_F_SELECTOR', i?.dkim.selector, { hint: 'LBL_LEADFWD_IDENTITY_F_SELECTOR_HINT' }),
        h(
          'fieldset',
          { class: 'leadfwd-fieldset' },
          h('legend', {}, t('LBL_LEADFWD_IDENTITY_F_KEY')),
          i?.dkim.hasKey ? keyChoice('keep', 'LBL_LEADFWD_IDENTITY_F_KEY_KEEP', true) : null,
          keyChoice('generate', 'LBL_LEADFWD_IDENTITY_F_KEY_GENERATE', !i?.dkim.hasKey),
          keyChoice('paste', 'LBL_LEADFWD_IDENTITY_F_KEY_PASTE', false),
          h(
            'div',
            { class: 'control-group', 'data-field': 'privateKeyPem' },
            h('label', { class: 'control-label', for: `${f}-privateKeyPem` }, t('LBL_LEADFWD_IDENTITY_F_PEM')),
            h('textarea', { id: `${f}-privateKeyPem`, name: 'privateKeyPem', rows: 4, spellcheck: 'false', autocomplete: 'off' }),
          ),
        ),
      ),
      h(
        'fieldset',
        { class: 'leadfwd-fieldset' },
        h('legend', {}, t('LBL_LEADFWD_IDENTITY_RELAY')),
        input('relayUrl', 'LBL_LEADFWD_IDENTITY_F_RELAY_URL', i?.relay.url, { required: true, hint: 'LBL_LEADFWD_IDENTITY_F_RELAY_URL_HINT' }),
        input('relayUsername', 'LBL_LEADFWD_IDENTITY_F_USERNAME', i?.relay.username),
        input('relayPassword', 'LBL_LEADFWD_IDENTITY_F_PASSWORD', '', {
          type: 'password',
          autocomplete: 'new-password',
          hint: i?.relay.hasPassword ? 'LBL_LEADFWD_IDENTITY_F_PASSWORD_KEPT' : 'LBL_LEADFWD_IDENTITY_F_PASSWORD_HINT',
        }),
      ),
      input('bounceDomain', 'LBL_LEADFWD_IDENTITY_BOUNCE', i?.bounceDomain, { required: true }),
      h(
        'fieldset',
        { class: 'leadfwd-fieldset' },
        h('legend', {}, t('LBL_LEADFWD_IDENTITY_RATES')),
        input('perSecond', 'LBL_LEADFWD_IDENTITY_F_PER_SECOND', String(i?.rate.perSecond ?? 500), { type: 'number' }),
        input('perHour', 'LBL_LEADFWD_IDENTITY_F_PER_HOUR', String(i?.rate.perHour ?? 0), { type: 'number', hint: 'LBL_LEADFWD_IDENTITY_F_ZERO' }),
        input('perDay', 'LBL_LEADFWD_IDENTITY_F_PER_DAY', String(i?.rate.perDay ?? 0), { type: 'number' }),
      ),
      h(
        'fieldset',
        { class: 'leadfwd-fieldset' },
        h('legend', {}, t('LBL_LEADFWD_IDENTITY_WARMUP')),
        h('p', { class: 'help-block' }, t('LBL_LEADFWD_IDENTITY_F_WARMUP_HINT')),
        input('warmupStart', 'LBL_LEADFWD_IDENTITY_F_WARMUP_START', w?.startDate, { type: 'date' }),
        input('warmupFirst', 'LBL_LEADFWD_IDENTITY_F_WARMUP_FIRST', w ? String(w.startPerDay) : '', { type: 'number' }),
        input('warmupGrowth', 'LBL_LEADFWD_IDENTITY_F_WARMUP_GROWTH', w ? String(w.growth) : '', { type: 'number' }),
        input('warmupTarget', 'LBL_LEADFWD_IDENTITY_F_WARMUP_TARGET', w ? String(w.targetPerDay) : '', { type: 'number' }),
      ),
      input('users', 'LBL_LEADFWD_IDENTITY_USERS', i?.users.join(', '), { hint: 'LBL_LEADFWD_IDENTITY_F_USERS_HINT' }),
      h(
        'label',
        { class: 'leadfwd-choice' },
        h('input', { type: 'checkbox', name: 'isDefault', ...(i?.isDefault ? { checked: true, disabled: true } : {}) }),
        t('LBL_LEADFWD_IDENTITY_F_DEFAULT'),
      ),
      h(
        'div',
        { class: 'leadfwd-buttons' },
        h('button', { type: 'submit', class: 'btn btn-primary leadfwd-identity-save' }, t('LBL_LEADFWD_SAVE')),
        h('button', { type: 'button', class: 'btn leadfwd-identity-cancel', onclick: () => closeForm() }, t('LBL_LEADFWD_IDENTITY_CANCEL')),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void save(form, i);
    });
    replaceChildren(formSlot, form);
    (form.querySelector('h3') as HTMLElement).focus();
  }

  function closeForm(): void {
    st.editing = undefined;
    replaceChildren(formSlot);
    addButton.focus();
  }

  /** The form as the service's identity body: absent key means "keep it"; an empty password means "keep it". */
  function body(form: HTMLFormElement, before?: Identity): Record<string, unknown> {
    const v = (name: string) => ((form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '').trim();
    const n = (name: string) => (v(name) === '' ? undefined : Number(v(name)));
    const keySource = (form.querySelector('input[name="keySource"]:checked') as HTMLInputElement | null)?.value ?? 'generate';
    const dkimDomain = v('dkimDomain');
    const dkim =
      dkimDomain || v('dkimSelector')
        ? {
            domain: dkimDomain,
            selector: v('dkimSelector'),
            ...(keySource === 'generate' ? { generate: true } : keySource === 'paste' ? { privateKeyPem: v('privateKeyPem') } : {}),
          }
        : undefined;
    const warmup = v('warmupStart')
      ? { startDate: v('warmupStart'), startPerDay: n('warmupFirst'), growth: n('warmupGrowth'), targetPerDay: n('warmupTarget') }
      : before?.warmup
        ? null
        : undefined;
    return {
      name: v('name'),
      fromDomains: list(v('fromDomains')),
      fromAddresses: list(v('fromAddresses')),
      ...(dkim ? { dkim } : {}),
      relay: {
        url: v('relayUrl'),
        ...(v('relayUsername') ? { username: v('relayUsername') } : {}),
        ...(v('relayPassword') ? { password: v('relayPassword') } : {}),
        ...(before ? { maxConnections: before.relay.maxConnections } : {}),
      },
      bounceDomain: v('bounceDomain'),
      rate: { perSecond: n('perSecond') ?? 500, perHour: n('perHour') ?? 0, perDay: n('perDay') ?? 0 },
      ...(warmup !== undefined ? { warmup } : {}),
      users: list(v('users')),
      ...((form.elements.namedItem('isDefault') as HTMLInputElement).checked ? { isDefault: true } : {}),
    };
  }

  const save = (form: HTMLFormElement, before?: Identity) =>
    act(async () => {
      const b = body(form, before);
      const saved = before ? await service.put<Identity>(`/identities/${before.id}`, b) : await service.post<Identity>('/identities', b);
      st.notes[saved.id] = t(before ? 'LBL_LEADFWD_IDENTITY_SAVED' : 'LBL_LEADFWD_IDENTITY_CREATED', { name: saved.name });
      st.editing = undefined;
      replaceChildren(formSlot);
      await load();
      (listEl.querySelector(`[data-identity-id="${saved.id}"] h3`) as HTMLElement | null)?.setAttribute('tabindex', '-1');
      (listEl.querySelector(`[data-identity-id="${saved.id}"] h3`) as HTMLElement | null)?.focus();
    });

  return {
    el: root,
    load,
    /** The list as last loaded (tests of the view logic). */
    state: st,
    dispose() {
      st.disposed = true;
      tries.stop();
    },
  };
}

export type IdentitiesSection = ReturnType<typeof createIdentitiesSection>;
