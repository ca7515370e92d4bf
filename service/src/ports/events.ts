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

export interface EventRepo {
  add(e: { recipientRowId: number; campaignId: string; type: string; at: string; data?: Record<string, unknown> }): Awaitable<number>;
  list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): Awaitable<EngagementEvent[]>;
  pruneOlderThan(iso: string): Awaitable<number>;
  /** Raw events of a campaign per UTC hour ('2026-11-26T09'), machine hits (data.machine) apart. */
  countByHour(campaignId: string): Awaitable<Array<{ hour: string; type: string; machine: boolean; count: number }>>;
}
