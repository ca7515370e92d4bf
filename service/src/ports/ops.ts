// What the operator's tools read of the store: a write probe, counts for metrics, the online backup.
import type { StoreUnavailableError } from './errors.js';
import type { Awaitable } from './unit-of-work.js';

/** The figures /metrics reads at scrape time. */
export interface OpsCounts {
  recipients: Record<string, number>;
  outboxPending: number;
  outboxOldestDueAt: string | undefined;
  events: Record<string, number>;
  hits: { kind: string; human: number; machine: number }[];
}

/** Operator-facing reads and the online backup; kept off the repos because no use case needs them. */
export interface StoreOps {
  /** A rolled-back write of about one batch; throws StoreUnavailableError when it would not fit or cannot be written. */
  probeWritable(): Awaitable<void>;
  /**
   * Why this process must take no more work because a newer LeadFWD version migrated the database under it (several
   * processes share one PostgreSQL); undefined while the schema is the one it knows. SQLite has one process per file.
   */
  newerSchema(): Awaitable<string | undefined>;
  /** The value sealed with the service secret every process must open (domain/secret-check.ts); undefined before the first start. */
  secretCheck(): Awaitable<string | undefined>;
  /** Compare-and-set: keeps `sealed` only while the stored value is still `from`; false when another process changed it first. */
  putSecretCheck(sealed: string, from: string | undefined, atIso: string): Awaitable<boolean>;
  /** The secret checks of the other LeadFWD stores this database holds (PostgreSQL: other schemas; SQLite: none). */
  secretChecksElsewhere(): Awaitable<Array<{ place: string; sealed: string }>>;
  /** `fn` while no other process of the database runs its own (PostgreSQL: one lock across its schemas). */
  firstStart<T>(fn: () => Promise<T>): Promise<T>;
  /** Counts for metrics: recipients by state, pending outbox rows and the oldest one's due time, raw events by type. */
  opsCounts(): Awaitable<OpsCounts>;
  /**
   * Online copy of the whole database to `file` while the service keeps running. Only the embedded SQLite store has
   * one; PostgreSQL answers BackupUnsupportedError (its own tools, pg_dump or the provider's backups, do it better).
   */
  backup(file: string): Promise<void>;
  /**
   * Tells `listener` each time a call finds the database unreachable (PostgreSQL: any statement, anywhere in the
   * process), so /readyz turns at once instead of at its next probe. Only the PostgreSQL store has it.
   */
  onUnavailable?(listener: (err: StoreUnavailableError) => void): void;
}
