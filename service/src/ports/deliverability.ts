// Delivery volume per identity, campaign, provider group and UTC day: what the deliverability view shows, what
// warm-up counts against, and what guard rails judge. Written in the same transaction as the outcome or fact.
import type { ProviderGroup } from '../domain/mailbox-provider.js';
import type { Awaitable } from './unit-of-work.js';

export type { ProviderGroup };

export interface VolumeCounts {
  accepted: number;
  deferred: number;
  failed: number;
  hardBounces: number;
  softBounces: number;
  blocks: number;
  complaints: number;
}

export interface VolumeDelta extends Partial<VolumeCounts> {
  identityId: string;
  campaignId: string;
  provider: ProviderGroup;
  /** UTC date, YYYY-MM-DD. */
  day: string;
}

export interface DeliverabilityRepo {
  /** Adds the counts (one upsert per distinct key). */
  add(deltas: VolumeDelta[]): Awaitable<void>;
  /** Per day and provider group, oldest first, from `sinceDay` on. */
  daily(identityId: string, sinceDay: string): Awaitable<Array<VolumeCounts & { day: string; provider: ProviderGroup }>>;
  /** Sums for one identity since a day, or for one campaign. */
  totals(scope: { identityId: string; sinceDay: string } | { campaignId: string }): Awaitable<VolumeCounts>;
  /** Accepted messages of one identity on one day, by provider group. */
  acceptedOn(identityId: string, day: string): Awaitable<Partial<Record<ProviderGroup, number>>>;
}
