// The engagement score written to each person in Sugar: recent human opens and clicks add, bounces and complaints
// take away, older events count less (half-life decay). Documented in the README; weights are settings.

export interface ScoreWeights {
  /** Per campaign the person opened (human opens only). */
  open: number;
  /** Per campaign the person clicked in (bot clicks excluded). */
  click: number;
  hardBounce: number;
  complaint: number;
  optOut: number;
  /** Days after which an event counts half. */
  halfLifeDays: number;
}

export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = { open: 5, click: 15, hardBounce: -40, complaint: -60, optOut: -20, halfLifeDays: 60 };

export type ScoredEvent = { kind: 'open' | 'click' | 'hardBounce' | 'complaint' | 'optOut'; at: string };

/** 0 to 100, rounded: the decayed sum of the person's events, capped. */
export function engagementScore(events: readonly ScoredEvent[], w: ScoreWeights, now: Date): number {
  let sum = 0;
  for (const e of events) {
    const ageDays = Math.max(0, (now.getTime() - Date.parse(e.at)) / 86_400_000);
    sum += w[e.kind] * 0.5 ** (ageDays / w.halfLifeDays);
  }
  return Math.max(0, Math.min(100, Math.round(sum)));
}

/** An Account is as engaged as its most engaged person: a sum would rank big accounts first for their size alone. */
export const accountScore = (memberScores: readonly number[]): number => (memberScores.length ? Math.max(...memberScores) : 0);
