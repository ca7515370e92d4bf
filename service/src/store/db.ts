// Opens the SQLite store: the only place that creates a better-sqlite3 connection.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreInUseError } from '../ports/errors.js';
import type { OpsCounts, Store, StoreOps } from '../ports/index.js';
import { type Checkpointer, startCheckpointer } from './checkpointer.js';
import { gated, guarded, StoreInputError, StoreMigrationError, StoreUnavailableError, translate } from './errors.js';
import { RECIPIENTS_BY_STATE } from './ledger-values.js';
import { loadMigrations, migrate } from './migrate.js';
import { clearMoveMarks, moveMarks } from './move-marks.js';
import { SqliteAbTestRepo } from './sqlite-ab-test-repo.js';
import { SqliteAutomationRepo } from './sqlite-automation-repo.js';
import { SqliteCampaignRepo } from './sqlite-campaign-repo.js';
import { SqliteDeliverabilityRepo } from './sqlite-deliverability-repo.js';
import { SqliteDayAllowanceRepo, SqliteProviderSlotRepo, SqliteProviderThrottleRepo } from './sqlite-delivery-shares-repo.js';
import { SqliteEngagementRepo } from './sqlite-engagement-repo.js';
import { SqliteEventRepo } from './sqlite-event-repo.js';
import { SqliteFollowUpRepo } from './sqlite-follow-up-repo.js';
import { SqliteIdentityRepo } from './sqlite-identity-repo.js';
import { SqliteLeaseRepo, SqliteRateRepo, SqliteSugarSessionRepo } from './sqlite-lease-repo.js';
import { SqliteLeadfwdListRepo } from './sqlite-list-repo.js';
import { SqliteOutboxRepo } from './sqlite-outbox-repo.js';
import { SqliteRecipientRepo } from './sqlite-recipient-repo.js';
import { SqliteRelayRepo } from './sqlite-relay-repo.js';
import { SqliteReportRepo } from './sqlite-report-repo.js';
import { SqliteScoreRepo } from './sqlite-score-repo.js';
import { SqliteSplitWinnerRepo } from './sqlite-split-winner-repo.js';
import { SqliteSuppressionRepo } from './sqlite-suppression-repo.js';
import { SqliteWritebackRepo } from './sqlite-writeback-repo.js';

export type * from '../ports/index.js';
export { StoreInputError, StoreMigrationError, StoreUnavailableError } from './errors.js';

export interface StoreOptions {
  /** Source of "now" for created/updated times; tests pass a fixed clock. */
  clock?: () => Date;
  /** An outbox claim older than this is taken to be lost with its worker (default 10 minutes). */
  outboxStaleMs?: number;
  /** How long a write waits for another connection's lock before giving up (default 5 s). */
  busyTimeoutMs?: number;
  /** Quota for the database file; writes beyond it fail as "disk full" instead of filling the real disk. */
  maxSizeBytes?: number;
  migrationsDir?: string;
  /** Checkpoint the WAL this often from a thread of its own instead of inside commits (file databases only). */
  checkpointEveryMs?: number;
  /** Told when the checkpoint thread died and SQLite's own checkpoints took over again. */
  onCheckpointerDied?: (reason: string) => void;
  /** This process's id, stamped on the ledger rows it claims (see recipients.recoverOrphaned). */
  owner?: string;
  /** How long after its process was last seen an interrupted row may not be sent again (default ANSWER_GRACE_MS). */
  answerGraceMs?: number;
  /**
   * The service's own store: no other process may hold it as its store while it is open (`StoreInUseError`). Tools
   * (backup, migrate-store) and tests reading it beside the service do not ask for this.
   */
  soleUse?: boolean;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000; // pages
const BACKGROUND_AUTOCHECKPOINT = 4000; // pages (16 MB at 4 KB)
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024; // the WAL file is cut back to this after it starts over

/** About one extraction batch of targets. */
const PROBE_BYTES = 256 * 1024;

/** The SQLite store: every port, synchronous underneath (a test may read it directly), plus the operator's tools. */
export type SqliteStore = SqliteStoreImpl;

export function openStore(path: string, opts: StoreOptions = {}): SqliteStore {
  const clock = opts.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const migrations = loadMigrations(opts.migrationsDir);
  let db: Database.Database;
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? 'EIO');
      throw new StoreUnavailableError(code, { cause: err, detail: `cannot create the data folder ${dirname(path)}: ${code}` });
    }
  }
  const sole = opts.soleUse && onDisk ? holdSoleUse(path) : undefined;
  try {
    db = new Database(path);
  } catch (err) {
    sole?.close();
    throw translate(err);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, now);
    if (opts.maxSizeBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxSizeBytes / pageSize))}`);
    }
    const store = new SqliteStoreImpl(db, path, clock, opts.outboxStaleMs ?? 10 * 60_000, opts.owner, sole, opts.answerGraceMs);
    if (opts.checkpointEveryMs && onDisk) store.checkpointInBackground(opts.checkpointEveryMs, opts.onCheckpointerDied);
    return store;
  } catch (err) {
    db.close();
    sole?.close();
    throw err instanceof StoreMigrationError ? err : translate(err);
  }
}

/**
 * An exclusive lock on `<store>.lock`, held while the store is open and released by the system when the process ends
 * however it ends: a second service on one file took the first one's rows in flight for a crashed process's at its
 * start and made them uncertain, and both sent from one ledger.
 */
function holdSoleUse(path: string): Database.Database {
  const file = `${path}.lock`;
  let lock: Database.Database | undefined;
  try {
    lock = new Database(file, { timeout: 0 });
    // A lock file this user cannot write (left by a start as root) opens read-only, silently, and locks nothing.
    accessSync(file, constants.W_OK);
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
    return lock;
  } catch (err) {
    lock?.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') throw new StoreInUseError(path);
    if ((err as { code?: unknown }).code === 'EACCES')
      throw new StoreUnavailableError('EACCES', { cause: err, detail: `this user cannot write ${file}, which keeps a second service off the store` });
    throw translate(err);
  }
}

/** The repositories as SQLite implements them: synchronous, each call one or a few statements. */
interface SqliteRepos {
  relay: SqliteRelayRepo;
  automations: SqliteAutomationRepo;
  campaigns: SqliteCampaignRepo;
  recipients: SqliteRecipientRepo;
  suppressions: SqliteSuppressionRepo;
  lists: SqliteLeadfwdListRepo;
  events: SqliteEventRepo;
  outbox: SqliteOutboxRepo;
  engagement: SqliteEngagementRepo;
  writeback: SqliteWritebackRepo;
  reports: SqliteReportRepo;
  identities: SqliteIdentityRepo;
  deliverability: SqliteDeliverabilityRepo;
  followUps: SqliteFollowUpRepo;
  abTests: SqliteAbTestRepo;
  scores: SqliteScoreRepo;
  splitWinners: SqliteSplitWinnerRepo;
  leases: SqliteLeaseRepo;
  rates: SqliteRateRepo;
  sugarSessions: SqliteSugarSessionRepo;
  providerThrottles: SqliteProviderThrottleRepo;
  dayAllowances: SqliteDayAllowanceRepo;
  providerSlots: SqliteProviderSlotRepo;
}

/** What a transaction's fn gets: the repositories on the transaction, and nested transactions as savepoints. */
export interface SqliteTx extends SqliteRepos {
  transaction<T>(fn: (tx: SqliteTx) => T): T;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

class SqliteStoreImpl implements Store, StoreOps, SqliteRepos {
  readonly relay;
  readonly automations;
  readonly campaigns;
  readonly recipients;
  readonly suppressions;
  readonly lists;
  readonly events;
  readonly outbox;
  readonly engagement;
  readonly writeback;
  readonly reports;
  readonly identities;
  readonly deliverability;
  readonly followUps;
  readonly abTests;
  readonly scores;
  readonly splitWinners;
  readonly leases;
  readonly rates;
  readonly sugarSessions;
  readonly providerThrottles;
  readonly dayAllowances;
  readonly providerSlots;
  /** The repositories bound to the open transaction (the one connection: the same objects, not gated). */
  private readonly tx: SqliteTx;
  /**
   * Set while an asynchronous transaction is open on the one connection: until it ends, calls through the store's
   * own repositories wait (they return a promise), so no other caller's statement joins it, or is lost with its rollback.
   */
  private open: Promise<void> | undefined;
  private savepoints = 0;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    clock: () => Date,
    outboxStaleMs: number,
    owner?: string,
    /** The sole-use lock (StoreOptions.soleUse), released with the store. */
    private readonly sole?: Database.Database,
    answerGraceMs?: number,
  ) {
    const now = () => clock().toISOString();
    const nowMs = () => clock().getTime();
    // Statements are prepared here, so a typo in SQL stops start-up instead of a later request.
    const events = new SqliteEventRepo(db);
    const outbox = new SqliteOutboxRepo(db, now, outboxStaleMs);
    const repos: SqliteRepos = {
      relay: guarded(new SqliteRelayRepo(db)),
      automations: guarded(new SqliteAutomationRepo(db, now)),
      campaigns: guarded(new SqliteCampaignRepo(db, now)),
      recipients: guarded(new SqliteRecipientRepo(db, now, owner ?? null, nowMs, answerGraceMs)),
      suppressions: guarded(new SqliteSuppressionRepo(db, now)),
      lists: guarded(new SqliteLeadfwdListRepo(db, now)),
      events: guarded(events),
      outbox: guarded(outbox),
      engagement: guarded(new SqliteEngagementRepo(db, { events, outbox })),
      writeback: guarded(new SqliteWritebackRepo(db, now)),
      reports: guarded(new SqliteReportRepo(db)),
      identities: guarded(new SqliteIdentityRepo(db, now)),
      deliverability: guarded(new SqliteDeliverabilityRepo(db)),
      followUps: guarded(new SqliteFollowUpRepo(db)),
      abTests: guarded(new SqliteAbTestRepo(db, now)),
      scores: guarded(new SqliteScoreRepo(db)),
      splitWinners: guarded(new SqliteSplitWinnerRepo(db)),
      leases: guarded(new SqliteLeaseRepo(db, nowMs)),
      rates: guarded(new SqliteRateRepo(db, nowMs)),
      sugarSessions: guarded(new SqliteSugarSessionRepo(db, now)),
      providerThrottles: guarded(new SqliteProviderThrottleRepo(db, now)),
      dayAllowances: guarded(new SqliteDayAllowanceRepo(db, now)),
      providerSlots: guarded(new SqliteProviderSlotRepo(db, nowMs)),
    };
    this.tx = { ...repos, transaction: (fn) => this.savepoint(fn) };
    const gate = <R extends object>(repo: R): R => gated(repo, () => this.open);
    this.relay = gate(repos.relay);
    this.automations = gate(repos.automations);
    this.campaigns = gate(repos.campaigns);
    this.recipients = gate(repos.recipients);
    this.suppressions = gate(repos.suppressions);
    this.lists = gate(repos.lists);
    this.events = gate(repos.events);
    this.outbox = gate(repos.outbox);
    this.engagement = gate(repos.engagement);
    this.writeback = gate(repos.writeback);
    this.reports = gate(repos.reports);
    this.identities = gate(repos.identities);
    this.deliverability = gate(repos.deliverability);
    this.followUps = gate(repos.followUps);
    this.abTests = gate(repos.abTests);
    this.scores = gate(repos.scores);
    this.splitWinners = gate(repos.splitWinners);
    this.leases = gate(repos.leases);
    this.rates = gate(repos.rates);
    this.sugarSessions = gate(repos.sugarSessions);
    this.providerThrottles = gate(repos.providerThrottles);
    this.dayAllowances = gate(repos.dayAllowances);
    this.providerSlots = gate(repos.providerSlots);
  }

  /**
   * BEGIN IMMEDIATE (the write lock up front, so a read-then-write cannot deadlock with another process), fn, COMMIT
   * (ROLLBACK on a throw). A synchronous fn commits before this returns, as before; an asynchronous one holds the
   * connection until it settles, and the store's own repositories wait meanwhile.
   */
  transaction<T>(fn: (tx: SqliteTx) => T): T {
    if (this.open) return this.afterOpen(() => this.transaction(fn)) as T;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw translate(err);
    }
    let result: T;
    try {
      result = fn(this.tx);
    } catch (err) {
      this.rollback();
      throw translate(err);
    }
    if (!isThenable(result)) {
      this.commit();
      return result;
    }
    let done!: () => void;
    this.open = new Promise<void>((resolve) => {
      done = resolve;
    });
    const end = () => {
      this.open = undefined;
      done();
    };
    return Promise.resolve(result).then(
      (value) => {
        try {
          this.commit();
        } finally {
          end();
        }
        return value;
      },
      (err) => {
        this.rollback();
        end();
        throw translate(err);
      },
    ) as T;
  }

  private async afterOpen<R>(call: () => R): Promise<Awaited<R>> {
    while (this.open) await this.open;
    return await call();
  }

  private commit(): void {
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      this.rollback();
      throw translate(err);
    }
  }

  private rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK'); // SQLITE_FULL may have rolled it back already
  }

  /** A nested transaction: a savepoint inside the open one. */
  private savepoint<T>(fn: (tx: SqliteTx) => T): T {
    const name = `sp${++this.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    const undo = () => {
      if (this.db.inTransaction) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
    };
    let result: T;
    try {
      result = fn(this.tx);
    } catch (err) {
      undo();
      throw translate(err);
    }
    if (!isThenable(result)) {
      this.db.exec(`RELEASE ${name}`);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.db.exec(`RELEASE ${name}`);
        return value;
      },
      (err) => {
        undo();
        throw translate(err);
      },
    ) as T;
  }

  probeWritable(): void {
    // A rolled-back write of a batch's size: it takes the write lock and allocates pages (so a quota
    // or a full disk shows) without touching the file when there is room.
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.prepare("INSERT INTO events (recipient_row_id, campaign_id, type, at, data) VALUES (0, '', 'probe', '', zeroblob(?))").run(PROBE_BYTES);
      } finally {
        if (this.db.inTransaction) this.db.exec('ROLLBACK'); // SQLITE_FULL may have rolled it back already
      }
    } catch (err) {
      throw translate(err);
    }
  }

  /** One process per file: nothing migrates it under this one. */
  newerSchema(): undefined {
    return undefined;
  }

  secretCheck(): string | undefined {
    return (this.db.prepare('SELECT sealed FROM secret_check WHERE id = 1').pluck().get() as string | undefined) ?? undefined;
  }

  /** One store per file: none beside it. */
  secretChecksElsewhere(): Array<{ place: string; sealed: string }> {
    return [];
  }

  /** One process per file (its folder's lock): nobody to wait for. */
  firstStart<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  putSecretCheck(sealed: string, from: string | undefined, atIso: string): boolean {
    const put =
      from === undefined
        ? this.db.prepare('INSERT INTO secret_check (id, sealed, updated_at) VALUES (1, ?, ?) ON CONFLICT DO NOTHING').run(sealed, atIso)
        : this.db.prepare('UPDATE secret_check SET sealed = ?, updated_at = ? WHERE id = 1 AND sealed = ?').run(sealed, atIso, from);
    return put.changes === 1;
  }

  opsCounts(): OpsCounts {
    const byKey = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
    const outbox = this.db.prepare("SELECT count(*) AS n, min(run_at) AS oldest FROM outbox WHERE state = 'pending'").get() as {
      n: number;
      oldest: string | null;
    };
    return {
      recipients: byKey(this.db.prepare(RECIPIENTS_BY_STATE).all() as { k: string; n: number }[]),
      outboxPending: outbox.n,
      outboxOldestDueAt: outbox.oldest ?? undefined,
      events: byKey(this.db.prepare('SELECT type AS k, count(*) AS n FROM events GROUP BY type').all() as { k: string; n: number }[]),
      hits: this.db.prepare('SELECT kind, total(human_hits) AS human, total(machine_hits) AS machine FROM engagement GROUP BY kind').all() as {
        kind: string;
        human: number;
        machine: number;
      }[],
    };
  }

  async backup(file: string): Promise<void> {
    if (this.path === ':memory:' || this.path === '') throw new StoreInputError('an in-memory database cannot be backed up');
    try {
      await this.db.backup(file);
    } catch (err) {
      throw translate(err);
    }
    // A move's triggers would record every write of a restored copy for ever, for a move that is not its own.
    const copy = new Database(file);
    try {
      if (moveMarks(copy).underWay) clearMoveMarks(copy);
    } finally {
      copy.close();
    }
  }

  private checkpointer: Checkpointer | undefined;

  checkpointInBackground(everyMs: number, onDied?: (reason: string) => void): void {
    const fallBack = (reason: string) => {
      this.checkpointer = undefined;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
      onDied?.(reason);
    };
    // The thread copies; a commit still checkpoints past a higher mark. Under steady writes a PASSIVE checkpoint
    // never catches the last frames, and only a fully copied WAL starts over, so without this the WAL grows for as
    // long as the load lasts. The commit that crosses it has only the frames since the thread's last pass to copy.
    this.db.pragma(`wal_autocheckpoint = ${BACKGROUND_AUTOCHECKPOINT}`);
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    try {
      this.checkpointer = startCheckpointer(this.path, { everyMs, onDied: fallBack });
    } catch (err) {
      fallBack((err as Error).message);
    }
  }

  close(): void {
    void this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
    if (this.sole?.open) this.sole.close();
  }
}
