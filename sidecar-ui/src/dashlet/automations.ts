// The dashlet's "Automations" section: each automation with its status, enrolments and, per step, the
// targets waiting there and, for emails, passed / sent / people who opened and clicked.
import { t } from '../shared/app.js';
import { automationStatusLabel, stepRows, type StepRow } from '../shared/automation-format.js';
import { h } from '../shared/dom.js';
import type { ServiceClient } from '../shared/service-client.js';
import type { AutomationSummary, AutomationView } from '../shared/service-types.js';

/** The newest automations with their step counts; one failed view drops only that automation. */
export async function fetchAutomations(client: ServiceClient, limit: number): Promise<AutomationView[]> {
  const { automations } = await client.get<{ automations: AutomationSummary[] }>(`/automations?limit=${Math.max(1, limit)}`);
  const views = await Promise.all(automations.slice(0, limit).map((a) => client.get<AutomationView>(`/automations/${encodeURIComponent(a.id)}`).catch(() => undefined)));
  return views.filter((v): v is AutomationView => !!v);
}

const cell = (cls: string, value: string | number) => h('td', { class: cls }, String(value));

function stepRow(r: StepRow): HTMLTableRowElement {
  const email = r.kind === 'email';
  return h('tr', { class: `leadfwd-step leadfwd-step-${r.kind}`, 'data-step-key': r.key },
    h('th', { scope: 'row', class: 'leadfwd-step-name' }, email ? r.title : t('LBL_LEADFWD_AUTOMATION_WAIT', { length: r.title })),
    cell('leadfwd-step-waiting', r.waiting),
    cell('leadfwd-step-passed', email ? r.passed : '-'),
    cell('leadfwd-step-sent', email ? r.sent : '-'),
    cell('leadfwd-step-opened', email ? r.opened : '-'),
    cell('leadfwd-step-clicked', email ? r.clicked : '-'));
}

function stepsTable(a: AutomationView): HTMLElement {
  const rows = stepRows(a.steps);
  if (!rows.length) return h('p', { class: 'leadfwd-line leadfwd-empty' }, t('LBL_LEADFWD_AUTOMATION_NO_STEPS'));
  const head = ['LBL_LEADFWD_AUTOMATION_STEP', 'LBL_LEADFWD_AUTOMATION_WAITING', 'LBL_LEADFWD_AUTOMATION_PASSED',
    'LBL_LEADFWD_AUTOMATION_SENT', 'LBL_LEADFWD_C_OPENED', 'LBL_LEADFWD_C_CLICKED'];
  return h('table', { class: 'leadfwd-steps' },
    h('caption', { class: 'leadfwd-steps-caption' }, t('LBL_LEADFWD_AUTOMATION_STEPS_CAPTION', { name: a.name })),
    h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, rows.map(stepRow)));
}

export function automationCard(a: AutomationView): HTMLLIElement {
  const e = a.enrolments ?? { active: 0, done: 0, left: 0 };
  return h('li', { class: 'leadfwd-automation', 'data-automation-id': a.id, 'data-status': a.status },
    h('div', { class: 'leadfwd-campaign-head' },
      h('strong', { class: 'leadfwd-automation-name' }, a.name),
      h('span', { class: `leadfwd-badge leadfwd-badge-${a.status}` }, t(automationStatusLabel(a.status)))),
    h('p', { class: 'leadfwd-line leadfwd-enrolments' }, t('LBL_LEADFWD_AUTOMATION_ENROLMENTS', { active: e.active, done: e.done, left: e.left })),
    stepsTable(a));
}
