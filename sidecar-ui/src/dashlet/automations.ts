// The dashlet's automations: one line each — name (opening it in the builder), status, who is enrolled, what its emails did — with Pause, Resume
// and Stop. Their step campaigns are not listed as campaigns of their own: they belong to the automation.
import { t } from '../shared/app.js';
import { automationStatusLabel, stepRows } from '../shared/automation-format.js';
import { h } from '../shared/dom.js';
import { automationHref } from '../shared/routes.js';
import type { ServiceClient } from '../shared/service-client.js';
import type { AutomationStatus, AutomationSummary, AutomationView } from '../shared/service-types.js';
import { actionButtons, rowHead } from './card.js';

export type AutomationAction = 'pause' | 'resume' | 'stop';

/** The newest automations with their step counts; one failed view drops only that automation. */
export async function fetchAutomations(client: ServiceClient, limit: number): Promise<AutomationView[]> {
  const { automations } = await client.get<{ automations: AutomationSummary[] }>(`/automations?limit=${Math.max(1, limit)}`);
  const views = await Promise.all(
    automations.slice(0, limit).map((a) => client.get<AutomationView>(`/automations/${encodeURIComponent(a.id)}`).catch(() => undefined)),
  );
  return views.filter((v): v is AutomationView => !!v);
}

const STATUS_CLASS: Record<AutomationStatus, string> = { active: 'label label-info', paused: 'label label-warning', stopped: 'label' };

/** Sent, opened and clicked over every email step of the automation. */
export function automationTotals(a: AutomationView): { sent: number; opened: number; clicked: number } {
  return stepRows(a.steps).reduce((s, r) => ({ sent: s.sent + r.sent, opened: s.opened + r.opened, clicked: s.clicked + r.clicked }), {
    sent: 0,
    opened: 0,
    clicked: 0,
  });
}

export function automationCard(a: AutomationView, onAction?: (a: AutomationView, action: AutomationAction) => void): HTMLLIElement {
  const e = a.enrolments ?? { active: 0, done: 0, left: 0 };
  const sum = automationTotals(a);
  const can: AutomationAction[] = !onAction ? [] : a.status === 'active' ? ['pause', 'stop'] : a.status === 'paused' ? ['resume', 'stop'] : [];
  return h(
    'li',
    { class: 'leadfwd-automation', 'data-automation-id': a.id, 'data-status': a.status },
    rowHead('automation', a.name, automationHref(a.id), STATUS_CLASS[a.status], t(automationStatusLabel(a.status))),
    h('p', { class: 'leadfwd-line help-block leadfwd-enrolments' }, t('LBL_LEADFWD_AUTOMATION_ENROLMENTS', { active: e.active, done: e.done, left: e.left })),
    h(
      'p',
      { class: 'leadfwd-line leadfwd-automation-totals' },
      t('LBL_LEADFWD_AUTOMATION_TOTALS', { steps: stepRows(a.steps).filter((r) => r.kind === 'email').length, ...sum }),
    ),
    actionButtons(can, { cls: 'leadfwd-automation', labels: 'LBL_LEADFWD_AUTOMATION', name: a.name }, (x) => onAction!(a, x)),
  );
}
