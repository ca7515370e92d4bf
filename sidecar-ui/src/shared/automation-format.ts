// Pure shaping of an automation's view into what the dashlet prints: one row per step, a wait's length.
// No DOM, no Sugar, so the rules are unit-tested.
import { sentCount } from './format.js';
import type { AutomationStatus, AutomationStep, AutomationWindow } from './service-types.js';

/** Literal keys, so the label test sees every status label the dashlet can ask for. */
export const AUTOMATION_STATUS_LABEL: Record<AutomationStatus, string> = {
  active: 'LBL_LEADFWD_AUTOMATION_ACTIVE',
  paused: 'LBL_LEADFWD_AUTOMATION_PAUSED',
  stopped: 'LBL_LEADFWD_AUTOMATION_STOPPED',
};

export const automationStatusLabel = (s: string) => AUTOMATION_STATUS_LABEL[s as AutomationStatus] ?? 'LBL_LEADFWD_AUTOMATION_ACTIVE';

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** A wait's length in the largest whole units: "2 d", "1 d 6 h", "30 min", "45 s". */
export function formatWaitSeconds(seconds: number): string {
  const s = Math.round(n(seconds));
  const units: Array<[number, string]> = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.length ? parts.join(' ') : '0 s';
}

export function formatWindow(w: AutomationWindow): string {
  const days = Array.isArray(w.weekdays) && w.weekdays.length ? w.weekdays.join(', ') : '';
  return `${days} ${w.from}–${w.to} ${w.timeZone}`.trim();
}

export interface StepRow {
  key: string;
  kind: 'wait' | 'email';
  /** The email step's name, or the wait's length / window. */
  title: string;
  waiting: number;
  /** Email steps only; zero before the step first sends. */
  passed: number;
  sent: number;
  opened: number;
  clicked: number;
}

export function stepRows(steps: AutomationStep[] | undefined): StepRow[] {
  return (Array.isArray(steps) ? steps : []).map((s) => {
    if (s.type === 'wait') {
      const title = s.window ? formatWindow(s.window) : formatWaitSeconds(s.seconds ?? 0);
      return { key: s.key, kind: 'wait', title, waiting: n(s.waiting), passed: 0, sent: 0, opened: 0, clicked: 0 };
    }
    return {
      key: s.key,
      kind: 'email',
      title: s.name || s.subject || s.key,
      waiting: n(s.waiting),
      passed: n(s.passed),
      sent: s.delivery ? sentCount(s.delivery) : 0,
      opened: n(s.engagement?.opened),
      clicked: n(s.engagement?.clicked),
    };
  });
}
