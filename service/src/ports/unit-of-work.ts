// The transaction boundary every use case that writes more than one fact goes through, and how both adapters fit.
//
// Every repository method returns `Awaitable<T>` (T | Promise<T>) and every use case awaits what it calls:
// - the PostgreSQL adapter returns promises (a pooled connection per call, or the transaction's connection);
// - the SQLite adapter (better-sqlite3) stays synchronous underneath and returns plain values, so its hot paths
//   (the send loop's claims and outcomes, the open pixel) pay one microtask per await and no promise per call;
//   tests that hold the SQLite store itself keep reading it synchronously.
// transaction(fn) hands fn the repositories bound to the transaction (`tx`): every call inside must go through tx,
// never through the outer store (PostgreSQL: tx runs on the transaction's connection; SQLite: the outer store waits
// for the transaction to end, so an outer call from inside fn would wait for itself). Nested tx.transaction()
// calls become SAVEPOINTs. Everything inside commits or rolls back together.
import type { Repos } from './index.js';

/** A value, or a promise of it: what a repository method returns (SQLite: the value; PostgreSQL: a promise). */
export type Awaitable<T> = T | Promise<T>;

export interface UnitOfWork {
  transaction<T>(fn: (tx: Repos & UnitOfWork) => Promise<T>): Promise<T>;
}
