// Warm-up: a new sending domain or relay earns the trust of mailbox providers by sending a little more each day.
// A plan is a daily ramp (a start volume growing by a factor each day, or explicit steps), counted in UTC days
// from its start date, applied to each mailbox provider on its own (providers judge volume they receive), with an
// optional cap across all providers. A campaign larger than today's allowance spreads over the following days;
// the schedule is computed before the user confirms.

export interface WarmupPlan {
  /** UTC date (YYYY-MM-DD) of day 1. */
  startDate: string;
  /** Messages per provider on day 1. */
  startPerDay: number;
  /** Day-over-day growth, e.g. 1.5; 1 = flat. */
  growth: number;
  /** Explicit per-day volumes that replace the ramp for the first days (day 1 first). */
  steps?: number[];
  /** Once the ramp reaches this per-provider volume, the plan is done (no more limit from it). */
  targetPerDay: number;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateWarmupPlan(p: unknown): { plan?: WarmupPlan; problems: string[] } {
  const problems: string[] = [];
  const o = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
  const posInt = (v: unknown, name: string, max = 100_000_000) => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max) problems.push(`${name} must be a whole number from 1 to ${max}`);
  };
  // Date.parse rolls 2026-02-31 over into March: the date must read back as written.
  const start = typeof o.startDate === 'string' && DATE.test(o.startDate) ? Date.parse(`${o.startDate}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== o.startDate) problems.push('startDate must be a date (YYYY-MM-DD)');
  posInt(o.startPerDay, 'startPerDay');
  posInt(o.targetPerDay, 'targetPerDay');
  if (typeof o.growth !== 'number' || !(o.growth >= 1 && o.growth <= 10)) problems.push('growth must be a number from 1 to 10');
  if (o.steps !== undefined) {
    if (!Array.isArray(o.steps) || o.steps.length > 365) problems.push('steps must be a list of at most 365 daily volumes');
    else o.steps.forEach((s, i) => posInt(s, `steps[${i}]`));
  }
  if (problems.length === 0 && (o.targetPerDay as number) < (o.startPerDay as number)) problems.push('targetPerDay must be at least startPerDay');
  return problems.length ? { problems } : { plan: o as unknown as WarmupPlan, problems };
}

/** Day number of `at` in the plan: 1 on startDate, 0 or less before it. */
export function planDay(plan: WarmupPlan, at: Date): number {
  return Math.floor((at.getTime() - Date.parse(`${plan.startDate}T00:00:00Z`)) / DAY_MS) + 1;
}

/** Messages one provider may receive on plan day `day`; Infinity once the ramp reached its target. */
export function dailyAllowance(plan: WarmupPlan, day: number): number {
  if (day < 1) return plan.steps?.[0] ?? plan.startPerDay;
  if (plan.steps && day <= plan.steps.length) return plan.steps[day - 1];
  const rampDay = day - (plan.steps?.length ?? 0);
  const from = plan.steps?.length ? plan.steps[plan.steps.length - 1] * plan.growth : plan.startPerDay;
  const v = Math.floor(from * plan.growth ** (rampDay - 1));
  return v >= plan.targetPerDay ? Infinity : v;
}

export interface ScheduleDay {
  date: string;
  count: number;
}

/**
 * How a send of `perProvider` messages (by provider) spreads over days from `from`, given what each provider already
 * got today (`sentToday`) and an optional cap per day across providers. Days with nothing to send are left out.
 * Returns at most `maxDays` days; `fits` is false when the send would need more.
 */
export function warmupSchedule(
  plan: WarmupPlan,
  from: Date,
  perProvider: Record<string, number>,
  opts: { sentToday?: Record<string, number>; dailyCap?: number; maxDays?: number } = {},
): { days: ScheduleDay[]; fits: boolean } {
  const left = { ...perProvider };
  const days: ScheduleDay[] = [];
  const maxDays = opts.maxDays ?? 60;
  for (let i = 0; i < maxDays && Object.values(left).some((n) => n > 0); i++) {
    const at = new Date(from.getTime() + i * DAY_MS);
    const allowance = dailyAllowance(plan, planDay(plan, at));
    const sentTotal = i === 0 ? Object.values(opts.sentToday ?? {}).reduce((a, b) => a + b, 0) : 0;
    let capLeft = Math.max(0, (opts.dailyCap ?? Infinity) - sentTotal);
    let count = 0;
    for (const provider of Object.keys(left).sort()) {
      const already = i === 0 ? (opts.sentToday?.[provider] ?? 0) : 0;
      const n = Math.min(left[provider], Math.max(0, allowance - already), capLeft);
      left[provider] -= n;
      capLeft -= n;
      count += n;
    }
    if (count > 0) days.push({ date: at.toISOString().slice(0, 10), count });
  }
  return { days, fits: Object.values(left).every((n) => n === 0) };
}
