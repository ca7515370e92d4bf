// What the operator's tools read of the store: a write probe, counts for metrics, the online backup.

/** Operator-facing reads and the online backup; kept off the repos because no use case needs them. */
export interface StoreOps {
  /** A rolled-back write of about one batch; throws StoreUnavailableError when it would not fit or cannot be written. */
  probeWritable(): void;
  /** Counts for metrics: recipients by state, pending outbox rows and the oldest one's due time, raw events by type. */
  opsCounts(): {
    recipients: Record<string, number>;
    outboxPending: number;
    outboxOldestDueAt: string | undefined;
    events: Record<string, number>;
    hits: { kind: string; human: number; machine: number }[];
  };
  /** Online copy of the whole database to `file` while the service keeps running. */
  backup(file: string): Promise<void>;
}
