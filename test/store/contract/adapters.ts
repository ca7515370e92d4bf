// The store adapters every contract suite in this folder runs against, one suite per port. A second adapter
// (PostgreSQL) adds itself here, with a factory giving a fresh, migrated, empty store per test, and runs every
// suite unchanged. Tests that need SQLite itself (files, crash recovery, query plans, WAL) stay in test/store/.
import { openStore } from '../../../service/src/store/db.js';
import type { Store } from '../../../service/src/ports/index.js';

export interface StoreFactoryOptions {
  /** Source of "now" for the times the store records. */
  clock?: () => Date;
  /** An outbox claim older than this may be claimed again. */
  outboxStaleMs?: number;
}

export type StoreFactory = (opts?: StoreFactoryOptions) => Store;

export const adapters: Array<{ name: string; open: StoreFactory }> = [
  { name: 'sqlite', open: (opts) => openStore(':memory:', opts) },
];
