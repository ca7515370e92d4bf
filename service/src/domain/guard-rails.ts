// Guard rails: complaint and hard-bounce rates high enough to harm a sending domain's reputation pause sending for
// that identity, with the reason, until an operator resumes it. Mailbox providers act on complaint rates of 0.1 %
// to 0.3 % (Gmail, Yahoo: email-standards.md §1); a bounce rate of a few percent means a bad list.

export interface GuardRailSettings {
  /** Complaints per accepted message above which sending pauses (0.001 = 0.1 %). */
  maxComplaintRate: number;
  /** Hard bounces per accepted message above which sending pauses. */
  maxHardBounceRate: number;
  /** Rates are judged only once this many messages were accepted, so one early complaint is not 100 %. */
  minSample: number;
}

export const DEFAULT_GUARD_RAILS: GuardRailSettings = { maxComplaintRate: 0.001, maxHardBounceRate: 0.05, minSample: 500 };

export interface SendingStats {
  accepted: number;
  complaints: number;
  hardBounces: number;
}

/** The reason to pause, or undefined when the rates are within bounds (or the sample is too small to tell). */
export function guardRailBreach(s: SendingStats, g: GuardRailSettings): string | undefined {
  if (s.accepted < g.minSample) return undefined;
  const pct = (r: number) => `${(r * 100).toFixed(2).replace(/\.?0+$/, '')} %`;
  const complaints = s.complaints / s.accepted;
  if (complaints > g.maxComplaintRate) {
    return `complaint rate ${pct(complaints)} (${s.complaints} of ${s.accepted}) is over ${pct(g.maxComplaintRate)}`;
  }
  const bounces = s.hardBounces / s.accepted;
  if (bounces > g.maxHardBounceRate) {
    return `hard-bounce rate ${pct(bounces)} (${s.hardBounces} of ${s.accepted}) is over ${pct(g.maxHardBounceRate)}`;
  }
  return undefined;
}
