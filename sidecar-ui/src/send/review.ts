// The review step: what will be sent to whom and when, and the extraction audit the service computed.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { skips } from '../shared/format.js';
import type { CampaignView } from '../shared/service-types.js';
import { parseLocalDateTime, type SendForm } from './validate.js';

export function renderSummary(el: Element, f: SendForm, listName: (id: string) => string): void {
  const row = (label: string, value: string) => [h('dt', {}, t(label)), h('dd', {}, value)];
  const at = f.schedule === 'later' ? parseLocalDateTime(f.sendAtLocal) : undefined;
  replaceChildren(el, h('dl', { class: 'leadfwd-results' },
    row('LBL_LEADFWD_LISTS', [...f.targetListIds, ...f.leadfwdListIds].map(listName).join(', ')),
    row('LBL_LEADFWD_MERGE_FIELDS', f.customFields.length ? f.customFields.join(', ') : '–'),
    row('LBL_LEADFWD_FROM', `${f.fromName} <${f.fromEmail}>`),
    row('LBL_LEADFWD_SUBJECT', f.subject),
    row('LBL_LEADFWD_SCHEDULE', at ? at.toLocaleString() : t('LBL_LEADFWD_SCHEDULE_NOW'))));
}

/** Extraction still running: lists and records read so far. */
export function renderCounting(el: Element, c?: CampaignView): void {
  const p = c?.audit?.progress;
  replaceChildren(el, h('p', { class: 'leadfwd-notice' }, p
    ? t('LBL_LEADFWD_AUDIT_COUNTING_PROGRESS', { done: p.listsDone, total: p.listsTotal, records: p.recordsRead })
    : t('LBL_LEADFWD_AUDIT_COUNTING')));
}

export function renderAudit(el: Element, c: CampaignView): boolean {
  const a = c.audit;
  if (c.status === 'failed' || !a) {
    const reason = c.history[c.history.length - 1]?.reason ?? '';
    replaceChildren(el, h('p', { class: 'leadfwd-warning' }, t('LBL_LEADFWD_AUDIT_FAILED', { reason })));
    return false;
  }
  const rows = skips(a).map(([reason, n]) => h('tr', {}, h('th', { scope: 'row' }, t(`LBL_LEADFWD_SKIPPED_${reason.toUpperCase()}`)), h('td', {}, String(n))));
  replaceChildren(el,
    h('table', { class: 'leadfwd-audit-table' },
      h('caption', { class: 'leadfwd-hint' }, t('LBL_LEADFWD_AUDIT_CAPTION')),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'row' }, t('LBL_LEADFWD_AUDIT_CANDIDATES')), h('td', { class: 'leadfwd-audit-candidates' }, String(a.candidates))),
        h('tr', {}, h('th', { scope: 'row' }, t('LBL_LEADFWD_AUDIT_QUEUED')), h('td', { class: 'leadfwd-audit-queued' }, String(a.queued))),
        rows)),
    a.queued === 0 ? h('p', { class: 'leadfwd-warning' }, t('LBL_LEADFWD_AUDIT_NOBODY')) : null);
  return a.queued > 0;
}
