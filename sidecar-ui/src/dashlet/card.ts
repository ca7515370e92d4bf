// One campaign in the dashlet: status, progress with ETA, extraction audit, write-back lag, results and a chart.
import { t } from '../shared/app.js';
import { barChart } from '../shared/chart.js';
import { h } from '../shared/dom.js';
import { etaMs, formatDuration, formatPercent, percent, sentCount, skippedTotal, skips, totalCount, writeBackLagMs, type RateSample } from '../shared/format.js';
import type { CampaignReport, CampaignView } from '../shared/service-types.js';

export type CampaignAction = 'pause' | 'resume' | 'cancel';

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

function progressLines(c: CampaignView, samples: RateSample[]): HTMLElement[] {
  const total = totalCount(c.progress);
  const sent = sentCount(c.progress);
  const pct = percent(sent, total);
  const bar = h('div', { class: 'leadfwd-progress-bar' });
  bar.style.width = `${pct}%`;
  const lines: HTMLElement[] = [
    h('div', { class: 'leadfwd-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct,
      'aria-label': t('LBL_LEADFWD_PROGRESS_LABEL', { name: c.name }) }, bar),
  ];
  let text = t('LBL_LEADFWD_PROGRESS_SENT', { sent, total });
  if (c.status === 'sending') {
    const eta = etaMs(samples, total - sent);
    if (eta !== undefined && eta > 0) text += ` · ${t('LBL_LEADFWD_PROGRESS_ETA', { eta: formatDuration(eta) })}`;
  } else if (c.status === 'pending') {
    text += ` · ${t('LBL_LEADFWD_SENDS_AT', { when: when(c.sendAt) })}`;
  }
  lines.push(h('p', { class: 'leadfwd-line leadfwd-progress-text' }, text));
  return lines;
}

function auditLine(c: CampaignView): HTMLElement | null {
  const a = c.audit;
  if (!a) return c.status === 'extracting' || c.status === 'draft' ? h('p', { class: 'leadfwd-line leadfwd-audit' }, t('LBL_LEADFWD_AUDIT_RUNNING')) : null;
  const parts = skips(a).map(([reason, n]) => t(`LBL_LEADFWD_SKIP_${reason.toUpperCase()}`, { n }));
  const head = t('LBL_LEADFWD_AUDIT_LINE', { candidates: a.candidates, queued: a.queued, skipped: skippedTotal(a) });
  const running = c.status === 'extracting' && a.progress ? ` ${t('LBL_LEADFWD_AUDIT_PROGRESS', { done: a.progress.listsDone, total: a.progress.listsTotal })}` : '';
  return h('p', { class: 'leadfwd-line leadfwd-audit' }, head + running + (parts.length ? ` (${parts.join(', ')})` : ''));
}

function writeBackLine(c: CampaignView): HTMLElement | null {
  const w = c.writeback;
  if (!w) return null;
  const lag = writeBackLagMs(c);
  return h('p', { class: 'leadfwd-line leadfwd-writeback' }, t('LBL_LEADFWD_WRITEBACK_LINE', {
    pending: w.pending, done: w.done, dead: w.dead, lag: lag === undefined ? '-' : formatDuration(lag),
  }));
}

function results(r: CampaignReport): HTMLElement[] {
  const pair = (label: string, value: string) => [h('dt', {}, t(label)), h('dd', {}, value)];
  const dl = h('dl', { class: 'leadfwd-results' },
    pair('LBL_LEADFWD_R_OPENED', `${r.opened.people} (${formatPercent(r.opened.rate)})`),
    pair('LBL_LEADFWD_R_MACHINE_OPENS', String(r.opened.machineOnly)),
    pair('LBL_LEADFWD_R_CLICKED', `${r.clicked.people} (${formatPercent(r.clicked.rate)})`),
    pair('LBL_LEADFWD_R_BOT_CLICKS', String(r.clicked.botOnly)),
    pair('LBL_LEADFWD_R_BOUNCED', t('LBL_LEADFWD_R_BOUNCED_VALUE', { hard: r.bounced.hard, soft: r.bounced.soft })),
    pair('LBL_LEADFWD_R_OPTED_OUT', String(r.optedOut)),
  );
  const bars = [
    { label: t('LBL_LEADFWD_C_DELIVERED'), value: r.accepted, color: '#0b63c5' },
    { label: t('LBL_LEADFWD_C_OPENED'), value: r.opened.people, color: '#2f9e44' },
    { label: t('LBL_LEADFWD_C_CLICKED'), value: r.clicked.people, color: '#7048e8' },
    { label: t('LBL_LEADFWD_C_BOUNCED'), value: r.bounced.hard + r.bounced.soft, color: '#d9480f' },
    { label: t('LBL_LEADFWD_C_OPTED_OUT'), value: r.optedOut, color: '#868e96' },
  ];
  const title = t('LBL_LEADFWD_CHART_TITLE', { summary: bars.map((b) => `${b.label} ${b.value}`).join(', ') });
  return [dl, barChart(bars, title) as unknown as HTMLElement];
}

function actions(c: CampaignView, onAction?: (c: CampaignView, a: CampaignAction) => void): HTMLElement | null {
  if (!onAction) return null;
  // A running automation's step campaign follows it: it is paused or stopped there, never on its own.
  if (c.automation && c.automation.automationStatus !== 'stopped') return null;
  const can: CampaignAction[] = [];
  if (['extracting', 'pending', 'sending'].includes(c.status)) can.push('pause');
  if (c.status === 'paused') can.push('resume');
  if (['draft', 'extracting', 'pending', 'sending', 'paused'].includes(c.status)) can.push('cancel');
  if (!can.length) return null;
  return h('div', { class: 'leadfwd-actions' }, can.map((a) => h('button', {
    type: 'button', class: `btn btn-small leadfwd-action-${a}`, 'aria-label': t(`LBL_LEADFWD_ACTION_${a.toUpperCase()}_NAMED`, { name: c.name }),
    onclick: () => onAction(c, a),
  }, t(`LBL_LEADFWD_ACTION_${a.toUpperCase()}`))));
}

export function campaignCard(c: CampaignView, report: CampaignReport | undefined, samples: RateSample[], onAction?: (c: CampaignView, a: CampaignAction) => void): HTMLLIElement {
  return h('li', { class: 'leadfwd-campaign', 'data-campaign-id': c.id, 'data-status': c.status },
    h('div', { class: 'leadfwd-campaign-head' },
      h('strong', { class: 'leadfwd-campaign-name' }, c.name),
      h('span', { class: `leadfwd-badge leadfwd-badge-${c.status}` }, t(`LBL_LEADFWD_STATUS_${c.status.toUpperCase()}`))),
    h('p', { class: 'leadfwd-line' }, c.subject),
    c.automation ? h('p', { class: 'leadfwd-line leadfwd-automation-step' }, t('LBL_LEADFWD_CAMPAIGN_OF_AUTOMATION', { name: c.automation.automationName })) : null,
    progressLines(c, samples),
    auditLine(c),
    writeBackLine(c),
    report && report.sent > 0 ? results(report) : null,
    actions(c, onAction));
}
