// Raw engagement events (pruned after the retention period).

export interface EngagementEvent {
  id: number;
  recipientRowId: number;
  campaignId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export interface EventRepo {
  add(e: { recipientRowId: number; campaignId: string; type: string; at: string; data?: Record<string, unknown> }): number;
  list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): EngagementEvent[];
  pruneOlderThan(iso: string): number;
  /** Raw events of a campaign per UTC hour ('2026-11-26T09'), machine hits (data.machine) apart. */
  countByHour(campaignId: string): Array<{ hour: string; type: string; machine: boolean; count: number }>;
}
