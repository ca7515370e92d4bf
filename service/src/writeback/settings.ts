import { DEFAULT_SCORE_WEIGHTS, type ScoreWeights } from '../domain/engagement-score.js';
import type { OptOutScope } from '../domain/writeback.js';

export interface WritebackSettings {
  /** Outbox rows claimed at once; one claim usually travels as one POST /bulk. */
  batchSize: number;
  /** Most sub-requests in one POST /bulk. */
  bulkMax: number;
  /** Most POST /bulk calls waiting on Sugar at the same time. */
  inFlight: number;
  /** Most Sugar calls per second from the write-back (0 = no limit). */
  ratePerSecond: number;
  /** Attempts before a row that keeps failing for a transient reason is declared dead. */
  maxAttempts: number;
  /** Which of the target's addresses an opt-out flags in Sugar. */
  optOutScope: OptOutScope;
  /** Backoff between attempts of one row. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often an idle worker looks for due rows. */
  pollMs: number;
  /** The engagement score written to people in Sugar (`leadfwd_score_c`) and rolled up to their Account. */
  score: {
    enabled: boolean;
    weights: ScoreWeights;
    /** A person's facts within one window of this length are one write, due when the window ends. */
    windowMs: number;
  };
}

export const DEFAULT_WRITEBACK: WritebackSettings = {
  batchSize: 300,
  bulkMax: 800,
  inFlight: 2,
  ratePerSecond: 10,
  maxAttempts: 25,
  optOutScope: 'all',
  retryBaseMs: 1000,
  retryMaxMs: 300_000,
  pollMs: 200,
  score: { enabled: false, weights: DEFAULT_SCORE_WEIGHTS, windowMs: 60_000 },
};
