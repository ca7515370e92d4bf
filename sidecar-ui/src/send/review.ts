// The review step: what will be sent, from whom, to which lists, when (in the user's Sugar time zone), and the
// extraction audit the service computed for exactly this campaign.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { skips } from '../shared/format.js';
import type { CampaignView, IdentityChoice, MergeField } from '../shared/service-types.js';
import { table } from '../shared/table.js';
import { formatInZone, zonedToUtc } from '../shared/time.js';
import { abSummary } from './ab-test.js';
import { labelOf } from './lists.js';
import type { SendForm } from './validate.js';

export interface SummaryOptions {
  listName: (id: string) => string;
  /** The subject as the chosen recipient gets it, once their preview is in. */
  subject?: string;
  recipient?: string;
  fields: Record<string, MergeField[]>;
  /** How many the audience counted (for an A/B test's split), once known. */
  audience?: number;
}

/** A field's label from whichever module's list has it, else its name. */
function fieldName(name: string, fields: Record<string, MergeField[]>): string {
  for (const [module, list] of Object.entries(fields)) {
    const f = list.find((x) => x.name === name);
    if (f) return labelOf(f, module);
  }
  return name;
}

export function renderSummary(el: Element, f: SendForm, o: SummaryOptions): void {
  const row = (label: string, value: Node | string, cls = '') => [h('dt', {}, t(label)), h('dd', { class: cls }, value)];
  const at = f.schedule === 'later' ? zonedToUtc(f.sendAtLocal, f.timeZone) : undefined;
  replaceChildren(
    el,
    h(
      'dl',
      { class: 'leadfwd-summary' },
      o.subject !== undefined
        ? row(
            'LBL_LEADFWD_SUBJECT',
            h('span', {}, o.subject, o.recipient ? h('span', { class: 'help-inline' }, ` ${t('LBL_LEADFWD_SUBJECT_FOR', { name: o.recipient })}`) : null),
            'leadfwd-summary-subject',
          )
        : row('LBL_LEADFWD_SUBJECT', t('LBL_LEADFWD_SUBJECT_PENDING'), 'leadfwd-summary-subject'),
      row('LBL_LEADFWD_FROM', `${f.fromName} <${f.fromEmail}>`, 'leadfwd-summary-from'),
      f.replyTo.trim() ? row('LBL_LEADFWD_REPLY_TO', f.replyTo.trim()) : null,
      row(
        'LBL_LEADFWD_AUDIENCE',
        [...f.targetListIds, ...f.leadfwdListIds, ...(f.savedFilterIds ?? []), ...(f.reportIds ?? [])].map(o.listName).join(', '),
        'leadfwd-summary-lists',
      ),
      row('LBL_LEADFWD_MERGE_FIELDS', f.customFields.length ? f.customFields.map((n) => fieldName(n, o.fields)).join(', ') : t('LBL_LEADFWD_MERGE_NONE')),
      row('LBL_LEADFWD_SCHEDULE', at ? formatInZone(at, f.timeZone) : t('LBL_LEADFWD_SCHEDULE_NOW'), 'leadfwd-summary-schedule'),
    ),
    f.abTest ? abSummary(f.abTest, f, o.audience) : null,
  );
}

/** Extraction still running: lists and records read so far. */
export function renderCounting(el: Element, c?: CampaignView): void {
  const p = c?.audit?.progress;
  replaceChildren(
    el,
    h(
      'p',
      { class: 'alert alert-info' },
      p ? t('LBL_LEADFWD_AUDIT_COUNTING_PROGRESS', { done: p.listsDone, total: p.listsTotal, records: p.recordsRead }) : t('LBL_LEADFWD_AUDIT_COUNTING'),
    ),
  );
}

export function renderAudit(el: Element, c: CampaignView): boolean {
  const a = c.audit;
  if (c.status === 'failed' || !a) {
    const reason = c.history[c.history.length - 1]?.reason ?? '';
    replaceChildren(el, h('p', { class: 'alert alert-warning' }, t('LBL_LEADFWD_AUDIT_FAILED', { reason })));
    return false;
  }
  const rows = skips(a).map(([reason, n]) => h('tr', {}, h('th', { scope: 'row' }, t(`LBL_LEADFWD_SKIPPED_${reason.toUpperCase()}`)), h('td', {}, String(n))));
  replaceChildren(
    el,
    h(
      'table',
      { class: 'table table-condensed leadfwd-audit-table' },
      h('caption', { class: 'help-block' }, t('LBL_LEADFWD_AUDIT_CAPTION')),
      h(
        'tbody',
        {},
        h('tr', {}, h('th', { scope: 'row' }, t('LBL_LEADFWD_AUDIT_CANDIDATES')), h('td', { class: 'leadfwd-audit-candidates' }, String(a.candidates))),
        h('tr', {}, h('th', { scope: 'row' }, t('LBL_LEADFWD_AUDIT_QUEUED')), h('td', { class: 'leadfwd-audit-queued' }, String(a.queued))),
        rows,
      ),
    ),
    a.queued === 0 ? h('p', { class: 'alert alert-warning' }, t('LBL_LEADFWD_AUDIT_NOBODY')) : null,
    a.localTimes?.length
      ? table(
          'table table-condensed leadfwd-local-times',
          h('caption', { class: 'help-block' }, t('LBL_LEADFWD_LOCAL_PLAN')),
          [t('LBL_LEADFWD_LOCAL_COL_ZONE'), t('LBL_LEADFWD_LOCAL_COL_WHEN'), t('LBL_LEADFWD_LOCAL_COL_COUNT')],
          a.localTimes.map((g) =>
            h(
              'tr',
              {},
              h('td', {}, g.fromRecord ? g.timeZone : t('LBL_LEADFWD_LOCAL_DEFAULT_ZONE', { zone: g.timeZone })),
              h('td', {}, new Date(g.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'),
              h('td', {}, String(g.count)),
            ),
          ),
        )
      : null,
  );
  return a.queued > 0;
}

/**
 * The Settings step's sender identity: a choice only when the user may pick among several (the default first and
 * selected), and "send as the record's assigned user" where an identity allows whole domains (the assigned user's
 * address must be on one). What the user picked survives a repaint.
 */
export function renderIdentities(form: HTMLFormElement, identities: IdentityChoice[]): void {
  const select = form.elements.namedItem('senderIdentityId') as HTMLSelectElement | null;
  if (!select) return;
  const picked = select.value;
  const sorted = [...identities].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  const allows = (i: IdentityChoice) => [...i.fromDomains.map((d) => `@${d}`), ...i.fromAddresses].join(', ');
  replaceChildren(
    select,
    sorted.map((i) =>
      h('option', { value: i.isDefault ? '' : i.id }, `${i.isDefault ? t('LBL_LEADFWD_IDENTITY_NAME_DEFAULT', { name: i.name }) : i.name} (${allows(i)})`),
    ),
  );
  if (picked && sorted.some((i) => i.id === picked)) select.value = picked;
  (form.querySelector('.control-group[data-field="senderIdentityId"]') as HTMLElement).hidden = sorted.length < 2;
  (form.querySelector('.leadfwd-as-assigned') as HTMLElement).hidden = !sorted.some((i) => i.fromDomains.length > 0);
}

/** The Review step: when the identity's warm-up plan or daily limit spreads the send over days, how many go each day. */
export function renderSchedule(el: Element, c: CampaignView): boolean {
  const s = c.schedule;
  if (!s || (s.fits && s.days.length < 2)) {
    replaceChildren(el);
    return true;
  }
  const why = s.limitedBy?.includes('warmup') ? 'LBL_LEADFWD_SCHEDULE_WARMUP' : 'LBL_LEADFWD_SCHEDULE_PER_DAY';
  const day = (iso: string) =>
    new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  replaceChildren(
    el,
    table(
      'table table-condensed leadfwd-schedule-table',
      h('caption', { class: 'help-block' }, t(why, { days: s.days.length })),
      [t('LBL_LEADFWD_SCHEDULE_DAY'), t('LBL_LEADFWD_SCHEDULE_COUNT')],
      s.days.map((d) => h('tr', {}, h('th', { scope: 'row' }, day(d.date)), h('td', {}, d.count.toLocaleString()))),
    ),
    s.fits ? null : h('p', { class: 'alert alert-warning' }, t('LBL_LEADFWD_SCHEDULE_DOES_NOT_FIT')),
  );
  return s.fits;
}
