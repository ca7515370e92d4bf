import type Database from 'better-sqlite3';

/**
 * The connection and clock a SQLite repository works with. A subclass prepares its statements in a field
 * initialiser (`private readonly q = { … this.db.prepare(…) }`), which runs once this constructor has set `db`.
 * The clock is an ISO time for most repositories, epoch milliseconds for leases and rate buckets.
 */
export abstract class SqliteRepo<Time = string> {
  constructor(
    protected readonly db: Database.Database,
    protected readonly now: () => Time,
  ) {}
}
