// An automation's status and its Pause, Resume and Stop, as every page of the area shows them (the Automations list,
// the builder, the automations' groups in the campaign list): the status as a Sugar label, the actions its status
// allows as buttons named after the automation for screen readers, Stop only once confirmed, the outcome in an alert.
import { showAlert } from '../shared/alert.js';
import { t } from '../shared/app.js';
import { automationStatusLabel } from '../shared/automation-format.js';
import { h } from '../shared/dom.js';
import type { ServiceClient } from '../shared/service-client.js';
import type { AutomationStatus, AutomationView } from '../shared/service-types.js';
import { button } from './area.js';

export type AutomationAction = 'pause' | 'resume' | 'stop';

const STATUS_CLASS: Record<AutomationStatus, string> = { active: 'label label-info', paused: 'label label-warning', stopped: 'label' };

const ACTION: Record<AutomationAction, { label: string; named: string; done: string }> = {
  pause: { label: 'LBL_LEADFWD_AUTOMATION_PAUSE', named: 'LBL_LEADFWD_AUTOMATION_PAUSE_NAMED', done: 'LBL_LEADFWD_AUTOMATION_DONE_PAUSE' },
  resume: { label: 'LBL_LEADFWD_AUTOMATION_RESUME', named: 'LBL_LEADFWD_AUTOMATION_RESUME_NAMED', done: 'LBL_LEADFWD_AUTOMATION_DONE_RESUME' },
  stop: { label: 'LBL_LEADFWD_AUTOMATION_STOP', named: 'LBL_LEADFWD_AUTOMATION_STOP_NAMED', done: 'LBL_LEADFWD_AUTOMATION_DONE_STOP' },
};

/** The status as a Sugar label (class leadfwd-status-label). */
export const statusBadge = (status: AutomationStatus) =>
  h('span', { class: `${STATUS_CLASS[status] ?? 'label'} leadfwd-status-label` }, t(automationStatusLabel(status)));

/** What an automation's status lets a person do with it. */
export const actionsFor = (status: AutomationStatus): AutomationAction[] =>
  status === 'active' ? ['pause', 'stop'] : status === 'paused' ? ['resume', 'stop'] : [];

/** The button (class leadfwd-automation-<action> and `cls`) of `action` on the automation named `name`. */
export const actionButton = (action: AutomationAction, name: string, cls: string, onclick: () => void, disabled = false) =>
  button(t(ACTION[action].label), `leadfwd-automation-${action} ${cls}`, onclick, { ariaLabel: t(ACTION[action].named, { name }), disabled });

/**
 * Runs `action` on the automation (Stop only once the person confirms it), says a success in Sugar's alert, and hands
 * `after` the service's answer or the failure, for the page to show.
 */
export function runAction(
  client: ServiceClient,
  a: { id: string; name: string },
  action: AutomationAction,
  after: (outcome: { view: AutomationView } | { error: unknown }) => void | Promise<void>,
): void {
  const run = async () => {
    let outcome: { view: AutomationView } | { error: unknown };
    try {
      outcome = { view: await client.post<AutomationView>(`/automations/${encodeURIComponent(a.id)}/${action}`) };
      showAlert('leadfwd-action', 'success', t(ACTION[action].done, { name: a.name }), { autoClose: true });
    } catch (error) {
      outcome = { error };
    }
    await after(outcome);
  };
  if (action !== 'stop') return void run();
  showAlert('leadfwd-confirm-stop', 'confirmation', t('LBL_LEADFWD_AUTOMATION_CONFIRM_STOP', { name: a.name }), { onConfirm: () => void run() });
}
