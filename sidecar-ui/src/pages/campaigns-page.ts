// The LeadFWD area's campaign list: search and filters (status, sender, send dates in the user's Sugar time zone),
// a page of campaigns with their key figures (people, not machines), and the campaigns of automations grouped under
// their automation instead of flooding the list. Names open each campaign's report.
import { STATUS_CLASS, uncertainWaiting } from '../dashlet/card.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { CHANGED_EVENT, openSendFlow } from '../shared/drawer.js';
import { formatPercent } from '../shared/format.js';
import { latestReads } from '../shared/reads.js';
import { automationHref, reportHref } from '../shared/routes.js';
import type { AutomationSummary, CampaignPage, CampaignStatus, CampaignView } from '../shared/service-types.js';
import { statusDate } from '../shared/status-date.js';
import { userTimeZone, zonedToUtc } from '../shared/time.js';
import { type AreaContext, type AreaPage, button, col, dataTable, isBlocking, timeNow } from './area.js';
import { statusBadge } from './automation-controls.js';

const PAGE_SIZE = 20;

/** The statuses a person filters by, in the order of a campaign's life, with their labels written out. */
const STATUS_CHOICES: Array<[CampaignStatus | '', string]> = [
  ['', 'LBL_LEADFWD_FILTER_ANY_STATUS'],
  ['pending', 'LBL_LEADFWD_STATUS_PENDING'],
  ['sending', 'LBL_LEADFWD_STATUS_SENDING'],
  ['sent', 'LBL_LEADFWD_STATUS_SENT'],
  ['paused', 'LBL_LEADFWD_STATUS_PAUSED'],
  ['cancelled', 'LBL_LEADFWD_STATUS_CANCELLED'],
  ['failed', 'LBL_LEADFWD_STATUS_FAILED'],
];

export interface CampaignFilters {
  q: string;
  status: string;
  fromEmail: string;
  /** YYYY-MM-DD in the user's Sugar time zone; '' for none. */
  from: string;
  to: string;
}

/** The list's query: the filters given (dates as instants of the user's days), a page, and never held reviews. */
export function campaignQuery(f: CampaignFilters, zone: string, offset: number, o: { automation?: string; limit?: number } = {}): string {
  const p = new URLSearchParams({
    limit: String(o.limit ?? PAGE_SIZE),
    offset: String(offset),
    held: 'false',
    automation: o.automation ?? 'none',
    figures: 'true',
  });
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.status) p.set('status', f.status);
  if (f.fromEmail.trim()) p.set('fromEmail', f.fromEmail.trim());
  const day = (d: string, next: boolean) => {
    const start = zonedToUtc(`${d}T00:00`, zone);
    if (!start) return undefined;
    if (!next) return start.toISOString();
    // The day after, at midnight in the zone: a filter "to 3 May" includes all of 3 May.
    const [y, m, dd] = d.split('-').map(Number);
    const after = new Date(Date.UTC(y, m - 1, dd + 1)).toISOString().slice(0, 10);
    return zonedToUtc(`${after}T00:00`, zone)?.toISOString();
  };
  const after = f.from ? day(f.from, false) : undefined;
  const before = f.to ? day(f.to, true) : undefined;
  if (after) p.set('sentAfter', after);
  if (before) p.set('sentBefore', before);
  return `/campaigns?${p.toString()}`;
}

interface ListState {
  filters: CampaignFilters;
  offset: number;
  page?: CampaignPage;
  automations?: AutomationSummary[];
  /** Step campaigns of the automations a person opened, by automation id. */
  steps: Record<string, CampaignView[] | 'loading'>;
  loading: boolean;
}

function field(cid: string, name: string, label: string, control: HTMLElement): HTMLElement {
  control.id = `${cid}-${name}`;
  control.setAttribute('name', name);
  return h('div', { class: 'control-group leadfwd-filter' }, h('label', { class: 'control-label', for: control.id }, label), control);
}

function filterForm(cid: string, st: ListState, apply: () => void, reset: () => void): HTMLFormElement {
  const status = h(
    'select',
    {},
    STATUS_CHOICES.map(([v, label]) => h('option', { value: v, selected: st.filters.status === v }, t(label))),
  );
  const form = h(
    'form',
    { class: 'leadfwd-filters', role: 'search', 'aria-label': t('LBL_LEADFWD_FILTERS') },
    field(cid, 'q', t('LBL_LEADFWD_FILTER_SEARCH'), h('input', { type: 'search', value: st.filters.q, autocomplete: 'off' })),
    field(cid, 'status', t('LBL_LEADFWD_FILTER_STATUS'), status),
    field(cid, 'fromEmail', t('LBL_LEADFWD_FILTER_SENDER'), h('input', { type: 'text', value: st.filters.fromEmail, autocomplete: 'off' })),
    field(cid, 'from', t('LBL_LEADFWD_FILTER_FROM_DATE'), h('input', { type: 'date', value: st.filters.from })),
    field(cid, 'to', t('LBL_LEADFWD_FILTER_TO_DATE'), h('input', { type: 'date', value: st.filters.to })),
    h(
      'div',
      { class: 'leadfwd-buttons leadfwd-filter-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary leadfwd-filter-apply' }, t('LBL_LEADFWD_FILTER_APPLY')),
      button(t('LBL_LEADFWD_FILTER_RESET'), 'leadfwd-filter-reset', reset),
    ),
  );
  const read = () => {
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value;
    st.filters = { q: v('q'), status: v('status'), fromEmail: v('fromEmail'), from: v('from'), to: v('to') };
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    read();
    apply();
  });
  // A choice made in a list or a calendar applies at once; typed text applies with Enter or the button.
  for (const n of ['status', 'from', 'to']) (form.elements.namedItem(n) as HTMLElement).addEventListener('change', () => (read(), apply()));
  return form;
}

function figureCells(c: CampaignView): HTMLElement[] {
  const f = c.figures;
  const cell = (cls: string, v: string) => h('td', { class: `leadfwd-num ${cls}` }, v);
  if (!f || c.status === 'draft' || c.status === 'extracting' || c.status === 'pending')
    return ['accepted', 'opened', 'clicked', 'bounced', 'opted-out'].map((k) => cell(`leadfwd-fig-${k}`, '–'));
  const rate = (n: number) => (f.accepted > 0 ? ` (${formatPercent(n / f.accepted)})` : '');
  return [
    cell('leadfwd-fig-accepted', String(f.accepted)),
    cell('leadfwd-fig-opened', `${f.opened}${rate(f.opened)}`),
    cell('leadfwd-fig-clicked', `${f.clicked}${rate(f.clicked)}`),
    cell('leadfwd-fig-bounced', String(f.bounced)),
    cell('leadfwd-fig-opted-out', String(f.optedOut)),
  ];
}

function campaignTable(caption: string, campaigns: CampaignView[], zone: string, cls = ''): HTMLTableElement {
  const figures = [
    'LBL_LEADFWD_FIG_ACCEPTED_HEAD',
    'LBL_LEADFWD_FIG_OPENED_HEAD',
    'LBL_LEADFWD_FIG_CLICKED_HEAD',
    'LBL_LEADFWD_FIG_BOUNCED_HEAD',
    'LBL_LEADFWD_FIG_OPTED_OUT_HEAD',
  ].map((label) => col(label, true));
  return dataTable(
    `table-striped leadfwd-campaign-table ${cls}`,
    caption,
    [col('LBL_LEADFWD_COL_CAMPAIGN'), col('LBL_LEADFWD_COL_STATUS'), col('LBL_LEADFWD_COL_WHEN'), col('LBL_LEADFWD_COL_FROM'), ...figures],
    campaigns.map((c) =>
      h(
        'tr',
        { class: 'leadfwd-campaign-row', 'data-campaign-id': c.id, 'data-status': c.status },
        h(
          'th',
          { scope: 'row' },
          h('a', { class: 'leadfwd-campaign-name', href: reportHref(c.id) }, c.name),
          h('span', { class: 'help-block leadfwd-subject' }, c.subject),
        ),
        h(
          'td',
          {},
          h('span', { class: `${STATUS_CLASS[c.status] ?? 'label'} leadfwd-status-label` }, t(`LBL_LEADFWD_STATUS_${c.status.toUpperCase()}`)),
          uncertainWaiting(c),
        ),
        h('td', { class: 'leadfwd-date' }, statusDate(c, zone)),
        h('td', { class: 'leadfwd-from' }, c.fromEmail),
        figureCells(c),
      ),
    ),
  );
}

export const campaignsPage: AreaPage = {
  start(ctx: AreaContext) {
    const cid = ctx.view.cid;
    const zone = userTimeZone();
    const st: ListState = { filters: { q: '', status: '', fromEmail: '', from: '', to: '' }, offset: 0, steps: {}, loading: false };
    const results = h('section', { class: 'leadfwd-results', 'aria-labelledby': `${cid}-results-title` });
    const groups = h('section', { class: 'leadfwd-automation-groups', 'aria-labelledby': `${cid}-groups-title`, hidden: true });

    const read = latestReads();
    const load = async () => {
      const latest = read();
      st.loading = true;
      ctx.status(t('LBL_LEADFWD_LOADING_PAGE'));
      try {
        const [page, autos] = await Promise.all([
          ctx.client.get<CampaignPage>(campaignQuery(st.filters, zone, st.offset)),
          ctx.client.get<{ automations: AutomationSummary[] }>('/automations?limit=50'),
        ]);
        if (ctx.disposed() || !latest()) return;
        st.page = page;
        st.automations = autos.automations;
        // Step campaigns shown under an automation follow the same filters: read them again when asked.
        st.steps = {};
        ctx.clear();
        ctx.status(t('LBL_LEADFWD_UPDATED_AT', { time: timeNow() }));
      } catch (e) {
        if (!latest()) return;
        ctx.status('');
        ctx.say(e);
        if (isBlocking(e)) st.page = undefined;
      } finally {
        if (latest()) st.loading = false;
      }
      paint();
    };

    const apply = () => {
      st.offset = 0;
      void load();
    };
    const reset = () => {
      st.filters = { q: '', status: '', fromEmail: '', from: '', to: '' };
      replaceChildren(form, filterForm(cid, st, apply, reset));
      apply();
    };
    const form = h('div', { class: 'leadfwd-filter-area' }, filterForm(cid, st, apply, reset));

    function paintResults() {
      const p = st.page;
      if (!p) {
        replaceChildren(results);
        return;
      }
      const first = p.total ? p.offset + 1 : 0;
      const last = p.offset + p.campaigns.length;
      replaceChildren(
        results,
        h('h2', { class: 'leadfwd-section-title', id: `${cid}-results-title` }, t('LBL_LEADFWD_AREA_SENT_BY_PEOPLE')),
        p.campaigns.length
          ? campaignTable(t('LBL_LEADFWD_AREA_SENT_BY_PEOPLE'), p.campaigns, zone)
          : h('p', { class: 'help-block leadfwd-empty' }, t(p.total || isFiltered(st.filters) ? 'LBL_LEADFWD_NO_MATCH' : 'LBL_LEADFWD_NO_CAMPAIGNS')),
        h(
          'nav',
          { class: 'leadfwd-pager', 'aria-label': t('LBL_LEADFWD_PAGES') },
          h('span', { class: 'leadfwd-range', role: 'status' }, t('LBL_LEADFWD_RANGE', { first, last, total: p.total })),
          button(
            t('LBL_LEADFWD_PREV_PAGE'),
            'btn-small leadfwd-prev-page',
            () => {
              st.offset = Math.max(0, st.offset - PAGE_SIZE);
              void load();
            },
            { disabled: p.offset === 0 },
          ),
          button(
            t('LBL_LEADFWD_NEXT_PAGE'),
            'btn-small leadfwd-next-page',
            () => {
              st.offset += PAGE_SIZE;
              void load();
            },
            { disabled: last >= p.total },
          ),
        ),
      );
    }

    async function toggle(a: AutomationSummary) {
      if (st.steps[a.id]) {
        delete st.steps[a.id];
        paintGroups();
        return;
      }
      st.steps[a.id] = 'loading';
      paintGroups();
      try {
        const page = await ctx.client.get<CampaignPage>(campaignQuery(st.filters, zone, 0, { automation: a.id, limit: 100 }));
        st.steps[a.id] = page.campaigns;
      } catch (e) {
        delete st.steps[a.id];
        ctx.say(e);
      }
      paintGroups();
      groups.querySelector<HTMLElement>(`[data-automation-id="${a.id}"] .leadfwd-group-toggle`)?.focus();
    }

    function paintGroups() {
      const autos = st.automations ?? [];
      groups.hidden = !st.page || autos.length === 0;
      if (groups.hidden) return;
      replaceChildren(
        groups,
        h('h2', { class: 'leadfwd-section-title', id: `${cid}-groups-title` }, t('LBL_LEADFWD_AREA_FROM_AUTOMATIONS')),
        h('p', { class: 'help-block' }, t('LBL_LEADFWD_AREA_FROM_AUTOMATIONS_HINT')),
        h(
          'ul',
          { class: 'leadfwd-group-list' },
          autos.map((a) => {
            const steps = st.steps[a.id];
            const listId = `${cid}-group-${a.id}`;
            return h(
              'li',
              { class: 'leadfwd-group', 'data-automation-id': a.id },
              h(
                'div',
                { class: 'leadfwd-row-head' },
                h('a', { class: 'leadfwd-automation-name', href: automationHref(a.id) }, a.name),
                statusBadge(a.status),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small leadfwd-group-toggle',
                    'aria-expanded': steps ? 'true' : 'false',
                    'aria-controls': listId,
                    onclick: () => void toggle(a),
                  },
                  t(steps ? 'LBL_LEADFWD_HIDE_STEP_CAMPAIGNS' : 'LBL_LEADFWD_SHOW_STEP_CAMPAIGNS'),
                ),
              ),
              h('div', { id: listId, hidden: !steps }, steps === 'loading' ? h('p', { class: 'help-block' }, t('LBL_LEADFWD_LOADING_PAGE')) : null),
              Array.isArray(steps)
                ? steps.length
                  ? campaignTable(t('LBL_LEADFWD_STEP_CAMPAIGNS_OF', { name: a.name }), steps, zone, 'leadfwd-step-table')
                  : h('p', { class: 'help-block' }, t('LBL_LEADFWD_NO_STEP_CAMPAIGNS'))
                : null,
            );
          }),
        ),
      );
    }

    function paint() {
      paintResults();
      paintGroups();
    }

    // A campaign sent from here (the send flow's drawer) shows when the drawer closes.
    const changed = () => void load();
    getApp().events.on(CHANGED_EVENT, changed);
    ctx.onDispose(() => getApp().events.off(CHANGED_EVENT, changed));
    ctx.withAccess((access) => {
      if (access.can.createCampaigns) ctx.actions.appendChild(button(t('LBL_LEADFWD_SEND'), 'btn-primary leadfwd-new', () => openSendFlow({})));
      ctx.actions.appendChild(button(t('LBL_LEADFWD_REFRESH'), 'leadfwd-refresh', () => void load()));
      ctx.root.append(form, results, groups);
      void load();
    });
  },
};

const isFiltered = (f: CampaignFilters) => !!(f.q.trim() || f.status || f.fromEmail.trim() || f.from || f.to);
