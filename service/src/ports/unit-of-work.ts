// The transaction boundary every use case that writes more than one fact goes through.
//
// Today's store (SQLite, better-sqlite3) is synchronous, so repositories return values and transaction() takes a
// synchronous function. How an asynchronous adapter (PostgreSQL) fits without rewriting the use cases:
// - it implements the same per-port interfaces with methods returning promises, and the ports become
//   `Awaitable<T>` returns (T | Promise<T>) one port at a time, each use case awaiting what it calls;
// - transaction(fn) becomes `transaction<T>(fn: (tx) => Promise<T>): Promise<T>`: the adapter runs fn on one
//   pooled connection inside BEGIN … COMMIT (ROLLBACK on a throw) and hands fn the repositories bound to it, so
//   every call inside uses that connection; nested calls become SAVEPOINTs as they are in SQLite now;
// - use cases already name their boundaries (one transaction() per fact and its outbox item), so only the call
//   sites' `await`s change, not where the boundaries are.
// The contract suites in test/store/contract/ take a factory, so a second adapter runs them unchanged.

/** Synchronous today; nested calls become savepoints. Everything inside commits or rolls back together. */
export interface UnitOfWork {
  transaction<T>(fn: () => T): T;
}
