// Campaign lifecycle rules, kept pure so the store, the scheduler and the HTTP layer agree on them.
import type { CampaignStatus } from './types.js';

/** Statuses the scheduler never moves a campaign out of (a person may reopen a sent one: see TRANSITIONS). */
export const FINAL_STATUSES: readonly CampaignStatus[] = ['sent', 'cancelled', 'failed'];

export const TRANSITIONS: Record<CampaignStatus, CampaignStatus[]> = {
  draft: ['extracting', 'cancelled'],
  extracting: ['pending', 'failed', 'cancelled', 'paused'],
  pending: ['sending', 'paused', 'cancelled'],
  sending: ['sent', 'paused', 'failed', 'cancelled'],
  // A paused campaign goes back to the phase it was paused in (see resumeTarget).
  paused: ['pending', 'sending', 'extracting', 'cancelled'],
  // Final for the scheduler; only an operator reopens a sent campaign, to send its uncertain messages again.
  sent: ['sending'],
  cancelled: [],
  failed: [],
};

export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

export function isFinal(status: CampaignStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** The statuses from which `to` may be reached; handy as `allowedFrom` for a compare-and-set. */
export function sourcesOf(to: CampaignStatus): CampaignStatus[] {
  return (Object.keys(TRANSITIONS) as CampaignStatus[]).filter((from) => canTransition(from, to));
}

/**
 * The status a paused campaign resumes to: the one it had just before its latest pause.
 * History is oldest first, as CampaignRepo.history returns it.
 */
export function resumeTarget(entries: Array<{ status: CampaignStatus }>): CampaignStatus {
  // A note (CampaignRepo.note) repeats the status it was written in; only changes of status count here.
  const history = entries.filter((e, i) => i === 0 || e.status !== entries[i - 1].status);
  const last = history[history.length - 1];
  if (last?.status !== 'paused') {
    throw new LifecycleError(`campaign is not paused (current status: ${last?.status ?? 'none'})`);
  }
  const before = history[history.length - 2];
  if (!before || !canTransition('paused', before.status)) {
    throw new LifecycleError(`cannot tell where the paused campaign resumes to (before the pause: ${before?.status ?? 'none'})`);
  }
  return before.status;
}
