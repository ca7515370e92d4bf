// The deliverability page of the LeadFWD area (#Home/layout/leadfwd-deliverability, issue 16): per sender identity,
// whether it sends or is paused (a guard rail's or an administrator's pause, with the reason), the mailbox providers
// that slowed or paused it right now in their own words and when they resume, and per UTC day and provider how many
// messages were accepted, deferred, bounced and complained about, with rates. Administrators only (the service
// answers the figures to them alone); everyone else is told so and nothing is asked. Through the relay, like every
// LeadFWD screen.

import { areaTabs, timeNow } from '../pages/area.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError, isPassing } from '../shared/errors.js';
import { laterTries, latestReads } from '../shared/reads.js';
import { DELIVERABILITY_LAYOUT } from '../shared/routes.js';
import { connect } from '../shared/settings.js';
import { when } from '../shared/status-date.js';
import { addStyles } from '../shared/style.js';
import { table } from '../shared/table.js';
import { userTimeZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';

interface Throttle {
  provider: string;
  level: 'slowed' | 'paused';
  rateFactor: number;
  resumeAt?: string;
  reason?: string;
}
interface IdentityRow {
  id: string;
  name: string;
  isDefault: boolean;
  paused?: { reason: string; at: string; by: string } | null;
  throttles?: Throttle[];
}
interface Counts {
  accepted: number;
  deferred: number;
  bounced: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  rates: { deferred: number; bounced: number; complained: number };
}
export interface Deliverability {
  since: string;
  days: Array<Counts & { day: string; provider: string }>;
  totals: Counts;
}

interface PageState {
  root: HTMLElement;
  days: number;
  disposed: boolean;
  read: ReturnType<typeof latestReads>;
  /** Read once: a page opened while the service was away asks again by itself (`tries`) until it is. */
  shown?: boolean;
  tries?: ReturnType<typeof laterTries>;
}

const PROVIDER_LABEL: Record<string, string> = {
  google: 'LBL_LEADFWD_DELIV_PROVIDER_GOOGLE',
  microsoft: 'LBL_LEADFWD_DELIV_PROVIDER_MICROSOFT',
  yahoo: 'LBL_LEADFWD_DELIV_PROVIDER_YAHOO',
  apple: 'LBL_LEADFWD_DELIV_PROVIDER_APPLE',
  other: 'LBL_LEADFWD_DELIV_PROVIDER_OTHER',
  unknown: 'LBL_LEADFWD_DELIV_PROVIDER_UNKNOWN',
};
/** A provider's name in words: the big four by name, `mx:<domain>` as its MX domain. */
export const providerName = (p: string) => (PROVIDER_LABEL[p] ? t(PROVIDER_LABEL[p]) : p.replace(/^mx:/, ''));
export const percent = (r: number) => `${(r * 100).toFixed(r > 0 && r < 0.01 ? 2 : 1)} %`;
const at = (iso: string) => when(iso, userTimeZone());

function throttleList(list: Throttle[]) {
  if (!list.length) return h('p', { class: 'leadfwd-deliv-no-throttle' }, t('LBL_LEADFWD_DELIV_NO_THROTTLE'));
  return h(
    'ul',
    { class: 'leadfwd-deliv-throttles' },
    list.map((th) =>
      h(
        'li',
        { 'data-provider': th.provider },
        h('strong', {}, `${providerName(th.provider)}: `),
        th.level === 'paused' && th.resumeAt
          ? t('LBL_LEADFWD_DELIV_PAUSED_UNTIL', { date: at(th.resumeAt) })
          : t('LBL_LEADFWD_DELIV_SLOWED', { share: percent(th.rateFactor) }),
        th.reason ? h('q', { class: 'leadfwd-deliv-words' }, th.reason) : null,
      ),
    ),
  );
}

function volumeTable(name: string, d: Deliverability) {
  const cells = (c: Counts) => [
    h('td', { class: 'leadfwd-num' }, c.accepted.toLocaleString()),
    h('td', { class: 'leadfwd-num' }, `${c.deferred.toLocaleString()} (${percent(c.rates.deferred)})`),
    h('td', { class: 'leadfwd-num' }, `${c.bounced.toLocaleString()} (${percent(c.rates.bounced)})`),
    h('td', { class: 'leadfwd-num' }, `${c.complaints.toLocaleString()} (${percent(c.rates.complained)})`),
  ];
  if (!d.days.length) return h('p', {}, t('LBL_LEADFWD_DELIV_NOTHING', { since: d.since }));
  return table(
    'table table-condensed leadfwd-deliv-table',
    h('caption', { class: 'help-block' }, t('LBL_LEADFWD_DELIV_CAPTION', { name, since: d.since })),
    [
      'LBL_LEADFWD_DELIV_DAY',
      'LBL_LEADFWD_DELIV_PROVIDER',
      'LBL_LEADFWD_DELIV_ACCEPTED',
      'LBL_LEADFWD_DELIV_DEFERRED',
      'LBL_LEADFWD_DELIV_BOUNCED',
      'LBL_LEADFWD_DELIV_COMPLAINED',
    ].map((l) => t(l)),
    [...d.days]
      .sort((a, b) => b.day.localeCompare(a.day) || a.provider.localeCompare(b.provider))
      .map((r) =>
        h('tr', { 'data-day': r.day, 'data-provider': r.provider }, h('th', { scope: 'row' }, r.day), h('td', {}, providerName(r.provider)), cells(r)),
      ),
    h('tfoot', {}, h('tr', { class: 'leadfwd-deliv-total' }, h('th', { scope: 'row', colspan: 2 }, t('LBL_LEADFWD_DELIV_TOTAL')), cells(d.totals))),
  );
}

async function load(st: PageState): Promise<void> {
  const body = st.root.querySelector('.leadfwd-deliv-body')!;
  const message = st.root.querySelector('.leadfwd-message') as HTMLElement;
  const status = st.root.querySelector('.leadfwd-status')!;
  const latest = st.read();
  st.tries?.stop();
  replaceChildren(status, t('LBL_LEADFWD_LOADING_PAGE'));
  message.hidden = true;
  try {
    const client = connect();
    const { identities } = await client.get<{ identities: IdentityRow[] }>('/identities');
    const figures = await Promise.all(
      identities.map((i) => client.get<Deliverability>(`/identities/${encodeURIComponent(i.id)}/deliverability?days=${st.days}`)),
    );
    if (st.disposed || !latest()) return;
    replaceChildren(
      body,
      identities.map((i, n) =>
        h(
          'section',
          { class: 'leadfwd-deliv-identity', 'data-identity-id': i.id, 'aria-labelledby': `leadfwd-deliv-${i.id}` },
          h('h2', { class: 'leadfwd-section-title', id: `leadfwd-deliv-${i.id}` }, i.isDefault ? t('LBL_LEADFWD_DELIV_DEFAULT', { name: i.name }) : i.name),
          i.paused
            ? h(
                'p',
                { class: 'alert alert-warning leadfwd-deliv-paused' },
                t('LBL_LEADFWD_DELIV_IDENTITY_PAUSED', { date: at(i.paused.at), reason: i.paused.reason }),
              )
            : h('p', { class: 'leadfwd-deliv-sending' }, t('LBL_LEADFWD_DELIV_IDENTITY_SENDS')),
          throttleList(i.throttles ?? []),
          volumeTable(i.name, figures[n]),
        ),
      ),
    );
    replaceChildren(status, t('LBL_LEADFWD_DELIV_UPDATED', { date: timeNow() }));
    st.shown = true;
  } catch (e) {
    if (st.disposed || !latest()) return;
    replaceChildren(status);
    replaceChildren(message, describeError(e).text);
    message.hidden = false;
    if (!st.shown && isPassing(e)) (st.tries ??= laterTries(() => void load(st))).later();
  }
}

function build(view: SidecarView): HTMLElement {
  const st = view._lfState as PageState;
  const range = h(
    'select',
    {
      id: `${view.cid}-days`,
      name: 'days',
      onchange: (e: Event) => {
        st.days = Number((e.target as HTMLSelectElement).value);
        void load(st);
      },
    },
    [7, 30, 90].map((n) => h('option', { value: n, ...(n === st.days ? { selected: true } : {}) }, t('LBL_LEADFWD_DELIV_LAST_DAYS', { n }))),
  );
  return h(
    'div',
    { class: 'leadfwd-deliv-root' },
    h('nav', { class: 'leadfwd-area-nav', 'aria-label': t('LBL_LEADFWD_AREA_NAV') }, areaTabs(DELIVERABILITY_LAYOUT)),
    h('div', { class: 'leadfwd-toolbar' }, h('h1', { class: 'leadfwd-title', id: `${view.cid}-title`, tabindex: '-1' }, t('LBL_LEADFWD_DELIV_TITLE'))),
    h('p', { class: 'help-block' }, t('LBL_LEADFWD_DELIV_INTRO')),
    h('div', { class: 'alert alert-danger leadfwd-message', role: 'alert', hidden: true }),
    h('div', { class: 'leadfwd-status help-block', role: 'status', 'aria-live': 'polite' }),
    h(
      'div',
      { class: 'leadfwd-buttons' },
      h('label', { for: `${view.cid}-days` }, t('LBL_LEADFWD_DELIV_RANGE')),
      range,
      h('button', { type: 'button', class: 'btn leadfwd-deliv-refresh', onclick: () => void load(st) }, t('LBL_LEADFWD_DELIV_REFRESH')),
    ),
    h('div', { class: 'leadfwd-deliv-body' }),
  );
}

export const deliverabilityView = {
  initialize(view: SidecarView): void {
    addStyles();
    const st: PageState = { root: h('div'), days: 30, disposed: false, read: latestReads() };
    view._lfState = st;
    st.root = build(view);
    if (getApp().user?.get('type') === 'admin') void load(st);
    else {
      const message = st.root.querySelector('.leadfwd-message') as HTMLElement;
      message.className = 'alert alert-info leadfwd-message';
      message.setAttribute('role', 'status');
      replaceChildren(message, t('LBL_LEADFWD_DELIV_ADMINS_ONLY'));
      message.hidden = false;
      st.root.querySelector('.leadfwd-buttons')?.remove();
    }
  },
  /** Sidecar's template is an empty frame: the page's own nodes are put back into it on every render. */
  _render(view: SidecarView): void {
    const st = view._lfState as PageState;
    const slot = view.el.querySelector('.leadfwd-deliverability');
    if (slot && st.root.parentNode !== slot) replaceChildren(slot, st.root);
  },
  _dispose(view: SidecarView): void {
    const st = view._lfState as PageState | undefined;
    if (!st) return;
    st.disposed = true;
    st.tries?.stop();
  },
};
