// Raw engagement events (pruned after the retention period).
import type { Awaitable } from './unit-of-work.js';

export interface EngagementEvent {
  id: number;
  recipientRowId: number;
  campaignId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export interface NewEngagementEvent {
  recipientRowId: number;
  campaignId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export interface EventRepo {
  add(e: NewEngagementEvent): Awaitable<number>;
  /** Several events in one statement (the open pixel's group commit). */
  addMany(events: NewEngagementEvent[]): Awaitable<void>;
  list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): Awaitable<EngagementEvent[]>;
  pruneOlderThan(iso: string): Awaitable<number>;
  /** Raw events of a campaign per UTC hour ('2026-11-26T09'), machine hits (data.machine) apart. */
  countByHour(campaignId: string): Awaitable<Array<{ hour: string; type: string; machine: boolean; count: number }>>;
}
