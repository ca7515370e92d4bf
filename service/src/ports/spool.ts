// A tracking process's local, durable spool of hits its database could not take (an outage, a failover): kept on the
// process's own disk and replayed into the store once it answers again (engagement/spooling.ts).
import type { IpMatches } from '../domain/bot-detect.js';
import type { TrackedLinks } from './campaigns.js';

/**
 * An open, click or one-click opt-out as it reached the process, before any database look-up. `key` is unique for
 * ever; `at` is when it arrived (an opt-out counts from then, not from its replay).
 */
export interface SpooledHit {
  key: string;
  kind: 'open' | 'click' | 'optout';
  rowId: number;
  /**
   * What the process knew of the row when it spooled the hit (its tracked links or its row cache): the replay
   * records the hit only on a row that still matches it. After a lossy failover (a standby promoted without the last
   * commits) a row id may name someone else; absent in files written before it was kept, and for rows unknown here.
   */
  campaignId?: string;
  /** A short hash of the row's address key, when the row itself was read before (never the address on this disk). */
  addressHash?: string;
  /** The token's person check (domain/tokens.ts): names the row's campaign and address, whether the row was read or not. */
  person?: string;
  linkIndex?: number;
  /** The key the failed write would have taken had it committed: taken already, it did (its answer was lost). */
  commitKey?: string;
  /** Opt-outs: the way the reader asked (RFC 8058 one-click, or the page's button). */
  reason?: 'one_click' | 'page';
  method: string;
  userAgent?: string;
  /** The client's network (/24, /48) only: the full address is worked out into `ipMatched` before it is spooled. */
  ip?: string;
  /** What the full address matched of the bot rules' networks (absent in files written before it was kept). */
  ipMatched?: IpMatches;
  at: string;
}

export interface HitSpool {
  /** Resolves once the hits are on disk (fsync); each gets its key here. */
  append(hits: Array<Omit<SpooledHit, 'key'>>): Promise<void>;
  /**
   * Ends the file being appended to (the next append starts another) and answers every ended file, oldest first;
   * `hits()` reads one (only when asked: an outage's spool may be far larger than memory should hold at once),
   * `done()` removes it once its hits are in the store. A file is answered again until it is done.
   */
  ended(): Promise<Array<{ hits(): Promise<SpooledHit[]>; done(): Promise<void> }>>;
  /** Hits appended and not yet done, this run's and those found on disk at start (one per file until it is read). */
  size(): number;
  /** Bytes on disk not yet done (files found at start included). */
  bytes(): number;
  /** When the oldest file still waiting was started (its first hit's time, near enough); undefined when none waits. */
  oldest(): Date | undefined;
  close(): Promise<void>;
}

/**
 * What a tracking process keeps in its data folder so that, restarted while PostgreSQL is down, it can start from it
 * (composition.ts): the tracked links it last read, and what start-up checks against the database (the schema
 * version and the secret check it last saw there).
 */
export interface TrackingSnapshot {
  /** The database's schema version (migrations applied) when it was saved. */
  schemaVersion: number;
  /** The database's secret check (a value sealed with the shared LEADFWD_SECRET, never the secret). */
  secretCheck: string;
  savedAt: string;
  links: TrackedLinks;
}

export interface SnapshotFile {
  /** The last snapshot saved, or undefined when none was (or it cannot be read: then the process waits, as without). */
  read(): TrackingSnapshot | undefined;
  /** Whether a file is there at all: one that is but cannot be read is worth a warning, a first start's absence not. */
  found(): boolean;
  /** Replaces it atomically (a crash leaves the old one or the new one); false when it is too large to keep. */
  write(s: TrackingSnapshot): Promise<boolean>;
}
