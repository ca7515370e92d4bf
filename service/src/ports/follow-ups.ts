// Who a follow-up goes to: the recipients of a sent campaign that people did not open (or did not click), read from
// the ledger, the engagement counters and the raw open events (which say which opens were Apple Mail Privacy
// Protection prefetches). Asynchronous from the start, so a PostgreSQL adapter implements it as it is.
import type { TargetModule } from '../domain/types.js';

/** `not_opened`: no human open (a human click counts as an open); `not_clicked`: no human click. */
export type FollowUpCriterion = 'not_opened' | 'not_clicked';

/** Recipients whose only opens were Apple MPP prefetches: unknown, so the person choosing decides. */
export type MppOnlyChoice = 'include' | 'exclude';

/** A sent campaign's recipients as a follow-up sees them (only messages the relay accepted count). */
export interface FollowUpCounts {
  accepted: number;
  /** People who opened (or clicked, which implies an open). */
  humanOpeners: number;
  /** No human open, but Apple MPP fetched the pixel: whether they read it is unknown. */
  mppOnly: number;
  /** No human open and no MPP prefetch either. */
  noOpen: number;
  humanClickers: number;
}

export interface FollowUpRow {
  rowId: number;
  module: TargetModule;
  recordId: string;
}

export interface FollowUpRepo {
  counts(campaignId: string): Promise<FollowUpCounts>;
  /** The accepted recipients of `campaignId` the criterion selects, after `afterRowId` in ledger order, at most `limit`. */
  page(campaignId: string, which: { criterion: FollowUpCriterion; mppOnly: MppOnlyChoice }, afterRowId: number, limit: number): Promise<FollowUpRow[]>;
}
