// The storage ports: one interface per repository (one file each, one contract suite each in
// test/store/contract/), and the unit of work. Use cases do not take a whole Store: each declares the narrow
// part it uses (`<feature>/ports.ts`, Picks of these). The SQLite adapter (store/) implements every one;
// a PostgreSQL adapter would implement the same ones (see unit-of-work.ts). Only domain types cross this line.
import type { AbTestRepo } from './ab-tests.js';
import type { AutomationRepo } from './automations.js';
import type { CampaignRepo } from './campaigns.js';
import type { DeliverabilityRepo } from './deliverability.js';
import type { DayAllowanceRepo, ProviderSlotRepo, ProviderThrottleRepo } from './delivery-shares.js';
import type { EngagementRepo } from './engagement.js';
import type { EventRepo } from './events.js';
import type { FollowUpRepo } from './follow-ups.js';
import type { IdentityRepo } from './identities.js';
import type { LeaseRepo } from './leases.js';
import type { LeadfwdListRepo } from './lists.js';
import type { OutboxRepo } from './outbox.js';
import type { RateRepo } from './rates.js';
import type { RecipientRepo } from './recipients.js';
import type { RelayRepo } from './relay.js';
import type { ReportRepo } from './reports.js';
import type { ScoreRepo } from './scores.js';
import type { SplitWinnerRepo } from './split-winners.js';
import type { SugarSessionRepo } from './sugar-sessions.js';
import type { SuppressionRepo } from './suppressions.js';
import type { UnitOfWork } from './unit-of-work.js';
import type { WritebackRepo } from './writeback.js';

export type * from './ab-tests.js';
export type * from './automations.js';
export type * from './campaigns.js';
export type * from './deliverability.js';
export type * from './delivery.js';
export type * from './delivery-shares.js';
export * from './dns.js';
export type * from './engagement.js';
export type * from './events.js';
export type * from './follow-ups.js';
export type * from './identities.js';
export type * from './leases.js';
export type * from './lists.js';
export type * from './mail.js';
export type * from './ops.js';
export type * from './outbox.js';
export type * from './rates.js';
export type * from './recipients.js';
export type * from './relay.js';
export type * from './reports.js';
export type * from './scores.js';
export type * from './split-winners.js';
export type * from './spool.js';
export type * from './sugar-sessions.js';
export type * from './suppressions.js';
export type * from './unit-of-work.js';
export type * from './writeback.js';

/** The repositories by the name a Store gives them. */
export interface Repos {
  relay: RelayRepo;
  automations: AutomationRepo;
  campaigns: CampaignRepo;
  recipients: RecipientRepo;
  suppressions: SuppressionRepo;
  lists: LeadfwdListRepo;
  events: EventRepo;
  outbox: OutboxRepo;
  engagement: EngagementRepo;
  writeback: WritebackRepo;
  reports: ReportRepo;
  identities: IdentityRepo;
  deliverability: DeliverabilityRepo;
  followUps: FollowUpRepo;
  abTests: AbTestRepo;
  scores: ScoreRepo;
  splitWinners: SplitWinnerRepo;
  leases: LeaseRepo;
  rates: RateRepo;
  sugarSessions: SugarSessionRepo;
  providerThrottles: ProviderThrottleRepo;
  dayAllowances: DayAllowanceRepo;
  providerSlots: ProviderSlotRepo;
}

/**
 * A use case's narrow part of the store: the methods it calls, by repository. StorePart<{ campaigns: 'get' }> is
 * { campaigns: Pick<CampaignRepo, 'get'> }; add UnitOfWork when the use case commits several facts together.
 */
export type StorePart<M extends { [K in keyof Repos]?: keyof Repos[K] }> = { [K in keyof M & keyof Repos]: Pick<Repos[K], M[K] & keyof Repos[K]> };

/** Every repository behind one unit of work: what an adapter provides and the composition root hands out. */
export interface Store extends Repos, UnitOfWork {
  close(): void;
  readonly path: string;
}
export * from './errors.js';
