// One campaign's report in the LeadFWD area: sent, accepted, bounced, opened, clicked, opted out, people and
// machines apart; opens and clicks by hour (a chart, its numbers a table for screen readers); clicks per link;
// results by mailbox provider; bounces, complaints and opt-outs as lists of Sugar records; the messages whose
// hand-off ended uncertain with the operator's choices; the CSV export; the Sugar Campaign. What Sugar does not let
// the user do (change the campaign, export it) is not offered, and said once.
import { STATUS_CLASS } from '../dashlet/card.js';
import { showAlert } from '../shared/alert.js';
import { getApp, t, tn } from '../shared/app.js';
import { type DrawnChart, hourly, timeChart } from '../shared/chart.js';
import { h, replaceChildren } from '../shared/dom.js';
import { formatPercent, isActive } from '../shared/format.js';
import { latestReads } from '../shared/reads.js';
import { campaignFromRoute } from '../shared/routes.js';
import type { CampaignReport, CampaignView, PeopleKind, PeoplePage, Person, ProviderGroup, ProviderResult } from '../shared/service-types.js';
import { chartTime, statusDate, when } from '../shared/status-date.js';
import { userTimeZone } from '../shared/time.js';
import { type AreaContext, type AreaPage, button, col, dataTable, isBlocking, timeNow } from './area.js';
import { downloadText } from './download.js';
import { abTestSection, followUpSection } from './report-features.js';

const REFRESH_MS = 10_000;
const PEOPLE_PAGE = 50;

export const PROVIDER_LABEL: Record<ProviderGroup, string> = {
  google: 'LBL_LEADFWD_PROVIDER_GOOGLE',
  microsoft: 'LBL_LEADFWD_PROVIDER_MICROSOFT',
  yahoo: 'LBL_LEADFWD_PROVIDER_YAHOO',
  apple: 'LBL_LEADFWD_PROVIDER_APPLE',
  other: 'LBL_LEADFWD_PROVIDER_OTHER',
};

/** Each list of people: its heading, and what it says while nobody is on it. */
const LIST_LABELS: Record<PeopleKind, { title: string; none: string }> = {
  bounced: { title: 'LBL_LEADFWD_LIST_BOUNCED', none: 'LBL_LEADFWD_LIST_BOUNCED_NONE' },
  complaint: { title: 'LBL_LEADFWD_LIST_COMPLAINTS', none: 'LBL_LEADFWD_LIST_COMPLAINTS_NONE' },
  opted_out: { title: 'LBL_LEADFWD_LIST_OPTED_OUT', none: 'LBL_LEADFWD_LIST_OPTED_OUT_NONE' },
  uncertain: { title: 'LBL_LEADFWD_LIST_UNCERTAIN', none: 'LBL_LEADFWD_LIST_UNCERTAIN_NONE' },
};
const FACT_LABEL: Record<string, string> = {
  hard_bounce: 'LBL_LEADFWD_FACT_HARD_BOUNCE',
  soft_bounce: 'LBL_LEADFWD_FACT_SOFT_BOUNCE',
  complaint: 'LBL_LEADFWD_FACT_COMPLAINT',
  opt_out: 'LBL_LEADFWD_FACT_OPT_OUT',
};

/** Why a person opted out, in words (the service's reason codes); anything else is shown as it came. */
const OPT_OUT_LABEL: Record<string, string> = {
  one_click: 'LBL_LEADFWD_OPT_OUT_ONE_CLICK',
  page: 'LBL_LEADFWD_OPT_OUT_PAGE',
  mailto: 'LBL_LEADFWD_OPT_OUT_MAILTO',
  complaint: 'LBL_LEADFWD_OPT_OUT_COMPLAINT',
  webhook: 'LBL_LEADFWD_OPT_OUT_WEBHOOK',
};

/** Sugar's own record route for a target (Sidecar modules); Users and anything else stay plain text. */
export function recordHref(module: string, id: string): string | undefined {
  return ['Contacts', 'Leads', 'Prospects', 'Accounts'].includes(module) ? `#${module}/${encodeURIComponent(id)}` : undefined;
}

/** The Sugar Campaign's detail view: a legacy (BWC) page in Sugar 8–12. */
export const sugarCampaignHref = (id: string) => `#bwc/index.php?module=Campaigns&action=DetailView&record=${encodeURIComponent(id)}`;

/** A file name for the export: the campaign's name in plain characters and the day. */
export function exportFileName(name: string, at: Date): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'campaign';
  return `${base}-${at.toISOString().slice(0, 10)}.csv`;
}

const CONFIRM_ACCEPTED = ['LBL_LEADFWD_CONFIRM_ACCEPTED_ONE', 'LBL_LEADFWD_CONFIRM_ACCEPTED'] as const;
const CONFIRM_RESEND = ['LBL_LEADFWD_CONFIRM_RESEND_ONE', 'LBL_LEADFWD_CONFIRM_RESEND'] as const;
const DONE_ACCEPTED = ['LBL_LEADFWD_DONE_ACCEPTED_ONE', 'LBL_LEADFWD_DONE_ACCEPTED'] as const;
const DONE_RESEND = ['LBL_LEADFWD_DONE_RESEND_ONE', 'LBL_LEADFWD_DONE_RESEND'] as const;

interface PeopleState {
  rows: Person[];
  total: number;
  hidden: number;
}

interface ReportState {
  id: string;
  view?: CampaignView;
  report?: CampaignReport;
  lists: Partial<Record<PeopleKind, PeopleState>>;
  /** Uncertain messages ticked for a decision (kept across refreshes). */
  selected: Set<number>;
  charts: DrawnChart[];
  timer?: number;
  exportBusy: boolean;
  deciding: boolean;
  canExport: boolean;
  /** The message line tells of a failed read: the next good read clears it (an action's refusal stays). */
  readFailed: boolean;
}

/** A report section: its heading, an optional hint, and a body that is painted again on each refresh. */
const section = (cid: string, key: string, title: string, hint?: string) =>
  h(
    'section',
    { class: `leadfwd-report-section leadfwd-report-${key}`, 'aria-labelledby': `${cid}-${key}-title` },
    h('h2', { class: 'leadfwd-section-title', id: `${cid}-${key}-title`, tabindex: '-1' }, title),
    hint ? h('p', { class: 'help-block' }, hint) : null,
    h('div', { class: 'leadfwd-section-body' }),
  );

/** The section's body, emptied, to paint into. */
function body(s: HTMLElement): HTMLElement {
  const b = s.querySelector<HTMLElement>('.leadfwd-section-body')!;
  replaceChildren(b);
  return b;
}

function personLink(p: Person): Node {
  const label = p.name || p.email;
  const href = recordHref(p.module, p.recordId);
  return href ? h('a', { href, class: 'leadfwd-record-link' }, label) : document.createTextNode(label);
}

/** The results table: each measure for people, for machines and bots apart, and as a share of the accepted. */
function resultsTable(r: CampaignReport): HTMLTableElement {
  const rate = (n: number) => (r.accepted > 0 ? formatPercent(n / r.accepted) : '–');
  const row = (key: string, label: string, people: string, machines: string, share: string) =>
    h(
      'tr',
      { 'data-measure': key },
      h('th', { scope: 'row' }, t(label)),
      h('td', { class: 'leadfwd-num leadfwd-people' }, people),
      h('td', { class: 'leadfwd-num leadfwd-machines' }, machines),
      h('td', { class: 'leadfwd-num leadfwd-share' }, share),
    );
  const uncertain = r.recipients?.uncertain ?? 0;
  return dataTable(
    'leadfwd-results-table',
    t('LBL_LEADFWD_RESULTS'),
    [col('LBL_LEADFWD_COL_MEASURE'), col('LBL_LEADFWD_COL_PEOPLE', true), col('LBL_LEADFWD_COL_MACHINES', true), col('LBL_LEADFWD_COL_SHARE', true)],
    [
      row('sent', 'LBL_LEADFWD_MEASURE_SENT', String(r.sent), '', ''),
      row('accepted', 'LBL_LEADFWD_MEASURE_ACCEPTED', String(r.accepted), '', r.sent > 0 ? formatPercent(r.accepted / r.sent) : '–'),
      row(
        'bounced',
        'LBL_LEADFWD_MEASURE_BOUNCED',
        t('LBL_LEADFWD_BOUNCES_SPLIT', { hard: r.bounced.hard, soft: r.bounced.soft }),
        '',
        r.sent > 0 ? formatPercent((r.bounced.hard + r.bounced.soft) / r.sent) : '–',
      ),
      row('opened', 'LBL_LEADFWD_MEASURE_OPENED', String(r.opened.people), t('LBL_LEADFWD_MACHINE_ONLY', { n: r.opened.machineOnly }), rate(r.opened.people)),
      row('clicked', 'LBL_LEADFWD_MEASURE_CLICKED', String(r.clicked.people), t('LBL_LEADFWD_BOTS_ONLY', { n: r.clicked.botOnly }), rate(r.clicked.people)),
      row('opted-out', 'LBL_LEADFWD_MEASURE_OPTED_OUT', String(r.optedOut), '', rate(r.optedOut)),
      row('complaints', 'LBL_LEADFWD_MEASURE_COMPLAINTS', String(r.complaints), '', rate(r.complaints)),
      r.blocked ? row('blocked', 'LBL_LEADFWD_MEASURE_BLOCKED', String(r.blocked), '', '') : null,
      uncertain ? row('uncertain', 'LBL_LEADFWD_MEASURE_UNCERTAIN', String(uncertain), '', '') : null,
    ],
  );
}

function linksTable(r: CampaignReport): Node {
  const links = r.links ?? [];
  if (!links.length) return h('p', { class: 'help-block' }, t('LBL_LEADFWD_NO_LINKS'));
  return dataTable(
    'table-striped leadfwd-links',
    t('LBL_LEADFWD_PAGE_LINKS'),
    [col('LBL_LEADFWD_PAGE_LINK'), col('LBL_LEADFWD_PAGE_PEOPLE', true), col('LBL_LEADFWD_PAGE_CLICKS', true), col('LBL_LEADFWD_PAGE_BOT_CLICKS', true)],
    links.map((l) =>
      h(
        'tr',
        {},
        h('td', { class: 'leadfwd-url' }, l.url),
        h('td', { class: 'leadfwd-num' }, String(l.people)),
        h('td', { class: 'leadfwd-num' }, String(l.clicks)),
        h('td', { class: 'leadfwd-num' }, String(l.botClicks)),
      ),
    ),
  );
}

function providersTable(providers: ProviderResult[]): HTMLTableElement {
  const num = (v: number) => h('td', { class: 'leadfwd-num' }, String(v));
  const figures = [
    'LBL_LEADFWD_COL_RECIPIENTS',
    'LBL_LEADFWD_FIG_ACCEPTED_HEAD',
    'LBL_LEADFWD_FIG_BOUNCED_HEAD',
    'LBL_LEADFWD_FIG_OPENED_HEAD',
    'LBL_LEADFWD_FIG_CLICKED_HEAD',
    'LBL_LEADFWD_FIG_OPTED_OUT_HEAD',
    'LBL_LEADFWD_MEASURE_COMPLAINTS',
  ];
  return dataTable(
    'table-striped leadfwd-providers',
    t('LBL_LEADFWD_PROVIDERS'),
    [col('LBL_LEADFWD_COL_PROVIDER'), ...figures.map((label) => col(label, true))],
    providers.map((p) =>
      h(
        'tr',
        { 'data-provider': p.provider },
        h('th', { scope: 'row' }, t(PROVIDER_LABEL[p.provider])),
        num(p.recipients),
        num(p.accepted),
        num(p.hardBounces + p.softBounces),
        num(p.opened),
        num(p.clicked),
        num(p.optOuts),
        num(p.complaints),
      ),
    ),
  );
}

export const reportPage: AreaPage = {
  start(ctx: AreaContext) {
    const cid = ctx.view.cid;
    const zone = userTimeZone();
    const id = campaignFromRoute() ?? '';
    const st: ReportState = { id, lists: {}, selected: new Set(), charts: [], exportBusy: false, deciding: false, canExport: false, readFailed: false };
    const path = (rest = '') => `/campaigns/${encodeURIComponent(id)}${rest}`;

    const head = h('div', { class: 'leadfwd-report-head' });
    const results = section(cid, 'results', t('LBL_LEADFWD_RESULTS'));
    const timeline = section(cid, 'timeline', t('LBL_LEADFWD_TIMELINE'));
    const links = section(cid, 'links', t('LBL_LEADFWD_PAGE_LINKS'));
    const providers = section(cid, 'providers', t('LBL_LEADFWD_PROVIDERS'), t('LBL_LEADFWD_PROVIDERS_HINT'));
    const lists: Record<PeopleKind, HTMLElement> = {
      bounced: section(cid, 'bounced', t(LIST_LABELS.bounced.title)),
      complaint: section(cid, 'complaint', t(LIST_LABELS.complaint.title)),
      opted_out: section(cid, 'opted_out', t(LIST_LABELS.opted_out.title)),
      uncertain: section(cid, 'uncertain', t(LIST_LABELS.uncertain.title), t('LBL_LEADFWD_UNCERTAIN_HINT')),
    };
    const history = h('details', { class: 'leadfwd-history' });
    const abTest = abTestSection(ctx, cid);
    const followUp = followUpSection(ctx, cid);

    function paintHead() {
      const c = st.view!;
      const r = st.report;
      const total = r?.recipients?.total ?? 0;
      const sent = r ? r.sent : 0;
      const progress =
        r && ['sending', 'paused'].includes(c.status) && total > 0
          ? h(
              'div',
              {
                class: 'progress',
                role: 'progressbar',
                'aria-valuemin': 0,
                'aria-valuemax': 100,
                'aria-valuenow': Math.round((sent / total) * 100),
                'aria-label': t('LBL_LEADFWD_PROGRESS_LABEL', { name: c.name }),
              },
              h('div', { class: 'bar', style: `width:${Math.round((sent / total) * 100)}%` }),
            )
          : null;
      replaceChildren(
        head,
        h(
          'dl',
          { class: 'leadfwd-summary' },
          h('dt', {}, t('LBL_LEADFWD_COL_STATUS')),
          h(
            'dd',
            {},
            h('span', { class: `${STATUS_CLASS[c.status] ?? 'label'} leadfwd-status-label` }, t(`LBL_LEADFWD_STATUS_${c.status.toUpperCase()}`)),
            ' ',
            h('span', { class: 'leadfwd-date' }, statusDate(c, zone)),
          ),
          h('dt', {}, t('LBL_LEADFWD_SUBJECT')),
          h('dd', { class: 'leadfwd-summary-subject' }, c.subject),
          h('dt', {}, t('LBL_LEADFWD_FROM')),
          h('dd', { class: 'leadfwd-summary-from' }, `${c.fromName} <${c.fromEmail}>`),
          c.automation ? h('dt', {}, t('LBL_LEADFWD_AREA_AUTOMATION')) : null,
          c.automation ? h('dd', {}, c.automation.automationName) : null,
          c.sugarCampaignId ? h('dt', {}, t('LBL_LEADFWD_SUGAR_CAMPAIGN')) : null,
          c.sugarCampaignId
            ? h('dd', {}, h('a', { class: 'leadfwd-sugar-campaign', href: sugarCampaignHref(c.sugarCampaignId) }, t('LBL_LEADFWD_OPEN_SUGAR_CAMPAIGN')))
            : null,
        ),
        progress,
        roleNote(),
      );
    }

    /** What this user may not do here, said once, instead of buttons that would fail. */
    function roleNote(): HTMLElement | null {
      const change = st.view?.mayEdit !== false;
      const key =
        !change && !st.canExport
          ? 'LBL_LEADFWD_REPORT_READ_ONLY'
          : !change
            ? 'LBL_LEADFWD_REPORT_NO_CHANGE'
            : !st.canExport
              ? 'LBL_LEADFWD_REPORT_NO_EXPORT'
              : '';
      return key ? h('p', { class: 'help-block leadfwd-role-note' }, t(key)) : null;
    }

    function paintReport() {
      const r = st.report;
      if (!r) return;
      for (const c of st.charts) c.destroy();
      st.charts = [];
      body(results).appendChild(resultsTable(r));
      const tl = r.timeline ?? [];
      const chartSlot = body(timeline);
      if (tl.some((x) => x.opens + x.clicks + x.machineOpens + x.botClicks > 0)) {
        const { times, values } = hourly(tl, ['opens', 'clicks'], { minHours: 6, maxHours: 24 * 14 });
        const chart = timeChart({
          title: t('LBL_LEADFWD_TIMELINE_CHART', { zone }),
          times,
          series: [
            { label: t('LBL_LEADFWD_CHART_OPENS'), values: values.opens, tone: 'primary' },
            { label: t('LBL_LEADFWD_CHART_CLICKS'), values: values.clicks, tone: 'success' },
          ],
          timeLabel: t('LBL_LEADFWD_CHART_HOUR'),
          formatTime: chartTime(zone),
          timeZone: zone,
          height: 180,
          width: Math.max(320, Math.min(900, (timeline.clientWidth || 640) - 8)),
        });
        chartSlot.appendChild(chart.el);
        chart.draw();
        st.charts.push(chart);
      } else chartSlot.appendChild(h('p', { class: 'help-block leadfwd-empty' }, t('LBL_LEADFWD_TIMELINE_EMPTY')));
      chartSlot.appendChild(h('p', { class: 'help-block' }, t('LBL_LEADFWD_TIMELINE_NOTE', { days: r.timelineRetentionDays ?? 90 })));
      body(links).appendChild(linksTable(r));
      body(providers).appendChild(providersTable(r.providers ?? []));
    }

    function paintHistory() {
      const c = st.view;
      if (!c) return;
      replaceChildren(
        history,
        h('summary', {}, t('LBL_LEADFWD_HISTORY')),
        h(
          'ol',
          { class: 'leadfwd-history-list' },
          [...c.history]
            .reverse()
            .map((e) =>
              h('li', {}, h('strong', {}, t(`LBL_LEADFWD_STATUS_${e.status.toUpperCase()}`)), ` ${when(e.at, zone)}`, e.reason ? ` – ${e.reason}` : ''),
            ),
        ),
      );
    }

    function peopleTable(kind: PeopleKind, p: PeopleState): Node {
      const mayDecide = kind === 'uncertain' && st.view?.mayEdit !== false;
      const undecided = p.rows.filter((r) => r.state === 'uncertain');
      const all =
        mayDecide && undecided.length
          ? h('input', {
              type: 'checkbox',
              class: 'leadfwd-select-all',
              'aria-label': t('LBL_LEADFWD_SELECT_ALL_UNCERTAIN'),
              checked: undecided.every((r) => st.selected.has(r.rowId)),
              onchange: (e: Event) => {
                for (const r of undecided) (e.target as HTMLInputElement).checked ? st.selected.add(r.rowId) : st.selected.delete(r.rowId);
                paintList(kind);
              },
            })
          : null;
      return dataTable(
        `table-striped leadfwd-people leadfwd-people-${kind}`,
        t(LIST_LABELS[kind].title),
        [
          mayDecide ? h('td', {}, all) : null,
          col('LBL_LEADFWD_COL_PERSON'),
          col('LBL_LEADFWD_COL_ADDRESS'),
          kind === 'uncertain' ? col('LBL_LEADFWD_COL_STATE') : col('LBL_LEADFWD_COL_WHAT'),
          col(kind === 'uncertain' ? 'LBL_LEADFWD_COL_DECISION' : 'LBL_LEADFWD_COL_WHEN'),
          kind === 'uncertain' ? null : col('LBL_LEADFWD_COL_DETAIL'),
        ],
        p.rows.map((r) =>
          h(
            'tr',
            { 'data-row-id': r.rowId, 'data-state': r.state },
            mayDecide
              ? h(
                  'td',
                  {},
                  r.state === 'uncertain'
                    ? h('input', {
                        type: 'checkbox',
                        class: 'leadfwd-select',
                        value: r.rowId,
                        'aria-label': t('LBL_LEADFWD_SELECT_UNCERTAIN', { address: r.email }),
                        checked: st.selected.has(r.rowId),
                        onchange: (e: Event) => {
                          (e.target as HTMLInputElement).checked ? st.selected.add(r.rowId) : st.selected.delete(r.rowId);
                          paintDecisionButtons();
                        },
                      })
                    : null,
                )
              : null,
            h('td', {}, personLink(r), h('span', { class: 'help-block' }, r.module)),
            h('td', { class: 'leadfwd-address' }, r.email),
            kind === 'uncertain'
              ? h(
                  'td',
                  {},
                  t(
                    r.state === 'uncertain' ? 'LBL_LEADFWD_STATE_UNCERTAIN' : r.state === 'accepted' ? 'LBL_LEADFWD_STATE_ACCEPTED' : 'LBL_LEADFWD_STATE_OTHER',
                  ),
                )
              : h('td', {}, r.fact ? t(FACT_LABEL[r.fact] ?? 'LBL_LEADFWD_FACT_OTHER') : ''),
            kind === 'uncertain'
              ? h(
                  'td',
                  { class: 'leadfwd-decision' },
                  r.resolution
                    ? t(r.resolution.action === 'accepted' ? 'LBL_LEADFWD_DECIDED_ACCEPTED' : 'LBL_LEADFWD_DECIDED_RESEND', {
                        who: r.resolution.by ?? t('LBL_LEADFWD_THE_API'),
                        when: when(r.resolution.at, zone),
                      })
                    : t('LBL_LEADFWD_UNDECIDED'),
                  // Why it is uncertain (again, after a resend), or why a resend left it (its sender answered late).
                  r.state === 'uncertain' && r.detail ? h('div', { class: 'leadfwd-detail' }, r.detail) : null,
                )
              : h('td', {}, when(r.at, zone)),
            kind === 'uncertain'
              ? null
              : h(
                  'td',
                  { class: 'leadfwd-detail' },
                  kind === 'opted_out' && r.detail && OPT_OUT_LABEL[r.detail] ? t(OPT_OUT_LABEL[r.detail]) : (r.detail ?? ''),
                ),
          ),
        ),
      );
    }

    const decisionButtons = h('div', { class: 'leadfwd-buttons leadfwd-decision-buttons' });

    function paintDecisionButtons() {
      const n = st.selected.size;
      replaceChildren(
        decisionButtons,
        button(t('LBL_LEADFWD_DECIDE_ACCEPTED', { n }), 'leadfwd-decide-accepted', () => decide('accepted'), { disabled: !n || st.deciding }),
        button(t('LBL_LEADFWD_DECIDE_RESEND', { n }), 'btn-primary leadfwd-decide-resend', () => decide('resend'), { disabled: !n || st.deciding }),
      );
    }

    /**
     * Undecided messages the list does not show (in modules the user's role hides, or further down): an editor may
     * still decide on them, all at once, as the API lets them.
     */
    function unlistedUndecided(p: PeopleState): HTMLElement | null {
      const undecided = st.report?.recipients?.uncertain ?? 0;
      const n = undecided - p.rows.filter((r) => r.state === 'uncertain').length;
      if (n <= 0 || st.view?.mayEdit === false) return null;
      return h(
        'div',
        { class: 'leadfwd-uncertain-unlisted' },
        h('p', { class: 'help-block' }, tn(n, ['LBL_LEADFWD_UNCERTAIN_UNLISTED_ONE', 'LBL_LEADFWD_UNCERTAIN_UNLISTED'])),
        h(
          'div',
          { class: 'leadfwd-buttons' },
          button(t('LBL_LEADFWD_DECIDE_ALL_ACCEPTED', { n: undecided }), 'leadfwd-decide-all-accepted', () => decide('accepted', undecided), {
            disabled: st.deciding,
          }),
          button(t('LBL_LEADFWD_DECIDE_ALL_RESEND', { n: undecided }), 'leadfwd-decide-all-resend', () => decide('resend', undecided), {
            disabled: st.deciding,
          }),
        ),
      );
    }

    function paintList(kind: PeopleKind) {
      const s = body(lists[kind]);
      const p = st.lists[kind];
      // Uncertain messages are rare: the section shows only when there are some (or decisions about some).
      if (kind === 'uncertain') lists.uncertain.hidden = !p || p.total + p.hidden === 0;
      if (!p) {
        s.appendChild(h('p', { class: 'help-block' }, t('LBL_LEADFWD_LOADING_PAGE')));
        return;
      }
      if (kind === 'uncertain' && st.view?.mayEdit === false && p.rows.some((r) => r.state === 'uncertain'))
        s.appendChild(h('p', { class: 'help-block leadfwd-role-note' }, t('LBL_LEADFWD_UNCERTAIN_NO_CHANGE')));
      // "None" would contradict the note on the hidden ones below.
      if (p.rows.length) s.appendChild(peopleTable(kind, p));
      else if (!p.hidden) s.appendChild(h('p', { class: 'help-block leadfwd-empty' }, t(LIST_LABELS[kind].none)));
      if (p.hidden) s.appendChild(h('p', { class: 'help-block leadfwd-hidden-note' }, t('LBL_LEADFWD_PEOPLE_HIDDEN', { n: p.hidden })));
      if (p.rows.length < p.total)
        s.appendChild(
          button(t('LBL_LEADFWD_SHOW_MORE', { shown: p.rows.length, total: p.total }), 'btn-small leadfwd-show-more', () => void loadList(kind, p.rows.length)),
        );
      if (kind === 'uncertain' && st.view?.mayEdit !== false && p.rows.some((r) => r.state === 'uncertain')) {
        paintDecisionButtons();
        s.appendChild(decisionButtons);
      }
      if (kind === 'uncertain') {
        const unlisted = unlistedUndecided(p);
        if (unlisted) s.appendChild(unlisted);
      }
    }

    async function loadList(kind: PeopleKind, offset = 0) {
      try {
        const page = await ctx.client.get<PeoplePage>(path(`/people?kind=${kind}&limit=${PEOPLE_PAGE}&offset=${offset}`));
        const before = offset ? (st.lists[kind]?.rows ?? []) : [];
        st.lists[kind] = { rows: [...before, ...page.people], total: page.total, hidden: page.hidden };
        if (kind === 'uncertain')
          for (const id of [...st.selected]) if (!page.people.some((r) => r.rowId === id && r.state === 'uncertain') && !offset) st.selected.delete(id);
      } catch (e) {
        // Said once, in the page's message line (four lists failing for one reason make one message).
        ctx.say(e);
        st.readFailed = true;
        st.lists[kind] ??= { rows: [], total: 0, hidden: 0 };
      }
      if (!ctx.disposed()) paintList(kind);
    }

    /** On the ticked messages, or with `all` (how many the report counts) on every one still undecided. */
    function decide(action: 'accepted' | 'resend', all?: number) {
      const rowIds = [...st.selected];
      const asked = all ?? rowIds.length;
      if (!asked) return;
      const run = async () => {
        st.deciding = true;
        paintList('uncertain');
        try {
          const r = await ctx.client.post<{ changed: number; arrived?: number; stillAnswerable?: number }>(
            path('/uncertain'),
            all === undefined ? { action, rowIds } : { action, all: true },
          );
          st.selected.clear();
          ctx.clear();
          // What was not done as asked is said, and stays on screen until read.
          const said = [
            ...(r.changed ? [tn(r.changed, action === 'accepted' ? DONE_ACCEPTED : DONE_RESEND)] : []),
            // Someone else decided first.
            ...(!(r.changed || r.arrived || r.stillAnswerable) ? [t('LBL_LEADFWD_DONE_NOTHING')] : []),
            ...(r.arrived ? [t('LBL_LEADFWD_DONE_ARRIVED', { n: r.arrived })] : []),
            ...(r.stillAnswerable ? [t('LBL_LEADFWD_STILL_ANSWERABLE', { n: r.stillAnswerable })] : []),
          ];
          const plain = r.changed > 0 && !r.arrived && !r.stillAnswerable;
          showAlert('leadfwd-decided', r.stillAnswerable ? 'warning' : plain ? 'success' : 'info', said.join(' '), { autoClose: plain });
        } catch (e) {
          ctx.say(e);
        } finally {
          st.deciding = false;
        }
        await refresh();
        await loadList('uncertain');
        lists.uncertain.querySelector<HTMLElement>('h2')?.focus();
      };
      const ask = action === 'accepted' ? CONFIRM_ACCEPTED : CONFIRM_RESEND;
      showAlert('leadfwd-confirm-decision', 'confirmation', tn(asked, ask), { onConfirm: () => void run() });
    }

    async function exportCsv(trigger: HTMLButtonElement) {
      if (st.exportBusy) return;
      st.exportBusy = true;
      trigger.disabled = true;
      ctx.status(t('LBL_LEADFWD_EXPORTING'));
      try {
        const csv = await ctx.client.get<string>(path('/export'));
        downloadText(exportFileName(st.view?.name ?? 'campaign', new Date()), csv, 'text/csv');
        ctx.clear();
        ctx.status(t('LBL_LEADFWD_EXPORTED'));
      } catch (e) {
        ctx.status('');
        ctx.say(e);
      } finally {
        st.exportBusy = false;
        trigger.disabled = false;
      }
    }

    const read = latestReads();
    async function refresh(): Promise<boolean> {
      const latest = read();
      try {
        const [view, report] = await Promise.all([ctx.client.get<CampaignView>(path()), ctx.client.get<CampaignReport>(path('/report'))]);
        if (ctx.disposed() || !latest()) return false;
        st.view = view;
        st.report = report;
        ctx.setTitle(view.name);
        ctx.status(t('LBL_LEADFWD_UPDATED_AT', { time: timeNow() }));
        if (st.readFailed) ctx.clear();
        st.readFailed = false;
        ctx.root.hidden = false;
        ctx.actions.querySelector<HTMLButtonElement>('.leadfwd-export')?.removeAttribute('hidden');
        paintHead();
        paintReport();
        paintHistory();
        schedule();
        void abTest.paint(view);
        void followUp.paint(view);
        return true;
      } catch (e) {
        if (!latest()) return false;
        ctx.status('');
        ctx.say(e);
        st.readFailed = true;
        // Nothing to act on while LeadFWD cannot be used here; a passing failure leaves the last figures on screen.
        if (isBlocking(e)) ctx.root.hidden = true;
        return false;
      }
    }

    /** After each good read (whichever asked for it): an active campaign is read again in REFRESH_MS. */
    function schedule() {
      window.clearTimeout(st.timer);
      st.timer = undefined;
      if (ctx.disposed()) return;
      const active = st.view && isActive(st.view.status) && !st.view.held;
      if (!active) return;
      st.timer = window.setTimeout(async () => {
        // A failed read keeps the last figures and polls on; a good one schedules the next itself.
        if (!(await refresh())) schedule();
      }, REFRESH_MS);
    }
    ctx.onDispose(() => {
      if (st.timer !== undefined) window.clearTimeout(st.timer);
      for (const c of st.charts) c.destroy();
      // Left open, it would decide on this campaign's messages from the next page, which does not name it.
      getApp().alert.dismiss('leadfwd-confirm-decision');
    });

    if (!id) {
      ctx.status('');
      ctx.say(t('LBL_LEADFWD_ERR_NO_CAMPAIGN'), 'warning');
      return;
    }
    ctx.withAccess(async (access) => {
      st.canExport = access.can.exportCampaigns !== false;
      // Nothing but the message line shows until the campaign has been read once.
      ctx.root.hidden = true;
      ctx.root.append(
        head,
        results,
        abTest.el,
        timeline,
        links,
        providers,
        lists.bounced,
        lists.complaint,
        lists.opted_out,
        lists.uncertain,
        followUp.el,
        history,
      );
      let listsRead = false;
      const readAll = async () => {
        if (!(await refresh()) || listsRead) return;
        listsRead = true;
        for (const kind of ['bounced', 'complaint', 'opted_out', 'uncertain'] as const) {
          paintList(kind);
          void loadList(kind);
        }
      };
      if (st.canExport) {
        // Offered once the campaign was read: one Sugar does not let the user see (or LeadFWD does not know) has nothing to export.
        const b: HTMLButtonElement = button(t('LBL_LEADFWD_EXPORT_CSV'), 'leadfwd-export', () => void exportCsv(b));
        b.hidden = true;
        ctx.actions.appendChild(b);
      }
      ctx.actions.appendChild(button(t('LBL_LEADFWD_REFRESH'), 'leadfwd-refresh', () => void readAll()));
      await readAll();
    });
  },
};
