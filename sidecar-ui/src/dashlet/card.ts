// One campaign in the dashlet, compact: its name (opening its report), status, when it was sent or sends, live
// progress while it sends, the key figures (people, not machines) and Pause / Resume / Cancel.
import { t, tn } from '../shared/app.js';
import { h } from '../shared/dom.js';
import { etaMs, formatDuration, formatPercent, percent, type RateSample, sentCount, totalCount } from '../shared/format.js';
import { reportHref } from '../shared/routes.js';
import type { CampaignReport, CampaignStatus, CampaignView } from '../shared/service-types.js';
import { statusDate } from '../shared/status-date.js';
import { userTimeZone } from '../shared/time.js';

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** Sugar's label colours by status. */
export const STATUS_CLASS: Record<CampaignStatus, string> = {
  draft: 'label',
  extracting: 'label label-info',
  pending: 'label label-info',
  sending: 'label label-info',
  sent: 'label label-success',
  paused: 'label label-warning',
  cancelled: 'label',
  failed: 'label label-important',
};

function progress(c: CampaignView, samples: RateSample[]): HTMLElement[] {
  if (!['sending', 'paused', 'extracting'].includes(c.status)) return [];
  const total = totalCount(c.progress);
  const sent = sentCount(c.progress);
  const pct = percent(sent, total);
  const bar = h('div', { class: 'bar' });
  bar.style.width = `${pct}%`;
  let text = c.status === 'extracting' ? t('LBL_LEADFWD_AUDIT_RUNNING') : t('LBL_LEADFWD_PROGRESS_SENT', { sent, total });
  if (c.status === 'sending') {
    const eta = etaMs(samples, total - sent);
    if (eta !== undefined && eta > 0) text += ` · ${t('LBL_LEADFWD_PROGRESS_ETA', { eta: formatDuration(eta) })}`;
  }
  return [
    h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': pct,
        'aria-label': t('LBL_LEADFWD_PROGRESS_LABEL', { name: c.name }),
      },
      bar,
    ),
    h('p', { class: 'leadfwd-line help-block leadfwd-progress-text' }, text),
  ];
}

/**
 * Messages whose hand-off ended uncertain wait for someone to decide (mark accepted, or send again): said where the
 * campaign is listed, linking to its report, where the decision is made.
 */
export function uncertainWaiting(c: CampaignView): HTMLElement | null {
  const n = c.progress?.uncertain ?? 0;
  if (n <= 0) return null;
  return h(
    'p',
    { class: 'leadfwd-line leadfwd-uncertain-waiting text-warning' },
    h('a', { href: reportHref(c.id) }, tn(n, ['LBL_LEADFWD_UNCERTAIN_WAITING_ONE', 'LBL_LEADFWD_UNCERTAIN_WAITING'])),
  );
}

/** People's figures; machine opens and bot clicks are left to the report page. */
export function figures(r: CampaignReport): HTMLElement {
  const item = (cls: string, label: string, value: string) => h('li', { class: cls }, h('strong', {}, value), ` ${t(label)}`);
  return h(
    'ul',
    { class: 'leadfwd-figures', 'aria-label': t('LBL_LEADFWD_FIGURES') },
    item('leadfwd-fig-accepted', 'LBL_LEADFWD_FIG_ACCEPTED', String(r.accepted)),
    item('leadfwd-fig-opened', 'LBL_LEADFWD_FIG_OPENED', `${r.opened.people} (${formatPercent(r.opened.rate)})`),
    item('leadfwd-fig-clicked', 'LBL_LEADFWD_FIG_CLICKED', `${r.clicked.people} (${formatPercent(r.clicked.rate)})`),
    item('leadfwd-fig-bounced', 'LBL_LEADFWD_FIG_BOUNCED', String(r.bounced.hard + r.bounced.soft)),
    item('leadfwd-fig-opted-out', 'LBL_LEADFWD_FIG_OPTED_OUT', String(r.optedOut)),
  );
}

function actions(c: CampaignView, onAction?: (c: CampaignView, a: CampaignAction) => void): HTMLElement | null {
  // Sugar decides per record: one the user may not change (another's, owner-only) offers nothing that would be refused.
  if (!onAction || c.mayEdit === false) return null;
  const can: CampaignAction[] = [];
  if (['extracting', 'pending', 'sending'].includes(c.status)) can.push('pause');
  if (c.status === 'paused') can.push('resume');
  if (['draft', 'extracting', 'pending', 'sending', 'paused'].includes(c.status)) can.push('cancel');
  return actionButtons(can, { cls: 'leadfwd-action', labels: 'LBL_LEADFWD_ACTION', name: c.name }, (a) => onAction(c, a));
}

/** A dashlet line's head: the campaign's or automation's name, opening it, and its status as a Sugar label. */
export function rowHead(kind: 'campaign' | 'automation', name: string, href: string, labelClass: string | undefined, status: string) {
  return h(
    'div',
    { class: 'leadfwd-row-head' },
    h('a', { class: `leadfwd-${kind}-name`, href }, name),
    h('span', { class: `${labelClass ?? 'label'} leadfwd-status-label` }, status),
  );
}

/**
 * A dashlet line's small buttons, one per action: class `${cls}-${action}`, label `${labels}_${ACTION}`, and for
 * screen readers `${labels}_${ACTION}_NAMED` with the campaign's or automation's `name`. None: null.
 */
export function actionButtons<A extends string>(actions: A[], o: { cls: string; labels: string; name: string }, onAction: (a: A) => void) {
  if (!actions.length) return null;
  return h(
    'div',
    { class: 'leadfwd-actions' },
    actions.map((a) =>
      h(
        'button',
        {
          type: 'button',
          class: `btn btn-small ${o.cls}-${a}`,
          'aria-label': t(`${o.labels}_${a.toUpperCase()}_NAMED`, { name: o.name }),
          onclick: () => onAction(a),
        },
        t(`${o.labels}_${a.toUpperCase()}`),
      ),
    ),
  );
}

export function campaignCard(
  c: CampaignView,
  report: CampaignReport | undefined,
  samples: RateSample[],
  onAction?: (c: CampaignView, a: CampaignAction) => void,
  extra?: HTMLElement | null,
): HTMLLIElement {
  return h(
    'li',
    { class: 'leadfwd-campaign', 'data-campaign-id': c.id, 'data-status': c.status },
    rowHead('campaign', c.name, reportHref(c.id), STATUS_CLASS[c.status], t(`LBL_LEADFWD_STATUS_${c.status.toUpperCase()}`)),
    h('p', { class: 'leadfwd-line help-block leadfwd-date' }, statusDate(c, userTimeZone())),
    progress(c, samples),
    report && report.sent > 0 ? figures(report) : null,
    uncertainWaiting(c),
    extra ?? null,
    actions(c, onAction),
  );
}
