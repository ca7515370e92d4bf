// A tracking process's local, durable spool of hits its database could not take (an outage, a failover): kept on the
// process's own disk and replayed into the store once it answers again (engagement/spooling.ts).

/** An open or click as it reached the process, before any database look-up. `key` is unique for ever. */
export interface SpooledHit {
  key: string;
  kind: 'open' | 'click';
  rowId: number;
  linkIndex?: number;
  method: string;
  userAgent?: string;
  ip?: string;
  at: string;
}

export interface HitSpool {
  /** Resolves once the hits are on disk (fsync); each gets its key here. */
  append(hits: Array<Omit<SpooledHit, 'key'>>): Promise<void>;
  /**
   * Ends the file being appended to (the next append starts another) and answers every ended file's hits, oldest
   * first; `done()` removes a file once its hits are in the store. A file is answered again until it is done.
   */
  ended(): Promise<Array<{ hits: SpooledHit[]; done(): Promise<void> }>>;
  /** Hits appended and not yet done, this run's and those found on disk at start. */
  size(): number;
  close(): Promise<void>;
}
