// When a campaign's rows will go, given its sender identity's warm-up plan and daily limit and what each provider
// group already got today: the schedule the Review step shows before the user confirms, and the campaign view
// while it sends ("the rest goes on …"). A campaign that would need more than MAX_DAYS does not fit: it is refused
// before anything is sent.
import type { SenderIdentity } from '../domain/identity.js';
import { type MailboxProvider, reportGroup } from '../domain/mailbox-provider.js';
import { type ScheduleDay, warmupSchedule } from '../domain/warmup.js';
import type { ProviderGroup, StorePart } from '../ports/index.js';

export const MAX_DAYS = 60;

export interface CampaignSchedule {
  days: ScheduleDay[];
  fits: boolean;
  /** Why it spreads over days (the warm-up plan, the daily limit), when it does. */
  limitedBy?: Array<'warmup' | 'perDay'>;
  /** While every row left waits for its time (a throttled provider, tomorrow's allowance): when the next one goes. */
  nextSendAt?: string;
}

export type ScheduleStore = StorePart<{ recipients: 'queuedByProvider' | 'nextDue' }>;

const NO_PLAN = { startDate: '2000-01-01', startPerDay: Number.MAX_SAFE_INTEGER, growth: 1, targetPerDay: Number.MAX_SAFE_INTEGER };

export async function campaignSchedule(
  store: ScheduleStore,
  identity: SenderIdentity,
  campaignId: string,
  acceptedToday: Partial<Record<ProviderGroup, number>>,
  now: Date,
): Promise<CampaignSchedule> {
  const perGroup: Record<string, number> = {};
  for (const [provider, n] of Object.entries(await store.recipients.queuedByProvider(campaignId))) {
    const g = reportGroup((provider || 'unknown') as MailboxProvider);
    perGroup[g] = (perGroup[g] ?? 0) + n;
  }
  const limitedBy: Array<'warmup' | 'perDay'> = [];
  const s = warmupSchedule(identity.warmup ?? NO_PLAN, now, perGroup, {
    sentToday: acceptedToday as Record<string, number>,
    ...(identity.rate.perDay ? { dailyCap: identity.rate.perDay } : {}),
    maxDays: MAX_DAYS,
  });
  if (s.days.length > 1 || !s.fits) {
    if (identity.warmup) limitedBy.push('warmup');
    if (identity.rate.perDay) limitedBy.push('perDay');
  }
  const next = await store.recipients.nextDue(campaignId);
  return { ...s, ...(limitedBy.length ? { limitedBy } : {}), ...(next && next > now.toISOString() ? { nextSendAt: next } : {}) };
}

/** The refusal for a schedule that does not fit, in words. */
export function scheduleProblem(identity: SenderIdentity, s: CampaignSchedule): string | undefined {
  if (s.fits) return undefined;
  const sent = s.days.reduce((n, d) => n + d.count, 0);
  return (
    `sender identity "${identity.name}" can send only ${sent} of this campaign's messages within ${MAX_DAYS} days ` +
    `(${[
      identity.warmup ? `warm-up from ${identity.warmup.startPerDay} a day per provider` : '',
      identity.rate.perDay ? `at most ${identity.rate.perDay} a day` : '',
    ]
      .filter(Boolean)
      .join(', ')}): send to fewer people, or raise the plan`
  );
}
