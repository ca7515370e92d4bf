// The store adapters every contract suite in this folder runs against, one suite per port. A second adapter
// (PostgreSQL) adds itself here, with a factory giving a fresh, migrated, empty store per test, and runs every
// suite unchanged. Tests that need SQLite itself (files, crash recovery, query plans, WAL) stay in test/store/.
import { afterAll, afterEach, beforeEach } from 'vitest';
import type { Store } from '../../../service/src/ports/index.js';
import { openStore } from '../../../service/src/store/db.js';
import { openPgStore } from '../../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../../support/postgres.js';
import { manualClock, newCampaign, targets } from '../helpers.js';

export interface StoreFactoryOptions {
  /** Source of "now" for the times the store records. */
  clock?: () => Date;
  /** An outbox claim older than this may be claimed again. */
  outboxStaleMs?: number;
  /** The process id stamped on claimed ledger rows. */
  owner?: string;
}

export type StoreFactory = (opts?: StoreFactoryOptions) => Store | Promise<Store>;

export const adapters: Array<{ name: string; open: StoreFactory }> = [{ name: 'sqlite', open: (opts) => openStore(':memory:', opts) }];

// PostgreSQL: one throwaway server per test file (test/support/postgres.ts, Debian's binaries), a schema of its own
// per test. It implements every port (issue 15, step 2: see store/pg/db.ts); every suite runs it too (withPostgres).
let server: Promise<PgServer> | undefined;
let schemas = 0;
afterAll(async () => {
  if (server) await (await server).destroy();
});
const postgres: { name: string; open: StoreFactory } = {
  name: 'postgres',
  open: async (opts) => {
    server ??= startPostgres();
    const { url } = await server;
    return await openPgStore(url, { ...opts, schema: `t${process.pid}_${++schemas}`, poolSize: 4 });
  },
};

/** SQLite, and PostgreSQL when its binaries are installed (Debian's; otherwise the suites run on SQLite alone). */
export const withPostgres: Array<{ name: string; open: StoreFactory }> = debianPgBin() ? [...adapters, postgres] : adapters;

export type ManualClock = ReturnType<typeof manualClock>;

/**
 * A fresh store from `open` before each test (closed after it), on a manual clock started at `start` (or the real
 * clock with `realTime`), handed to `use` with that clock.
 */
export function storePerTest(
  open: StoreFactory,
  use: (store: Store, clock: ManualClock) => unknown,
  opts: { start?: string; outboxStaleMs?: number; realTime?: boolean; owner?: string } = {},
): void {
  let store: Store | undefined;
  beforeEach(async () => {
    const clock = manualClock(opts.start);
    store = await open({
      ...(opts.realTime ? {} : { clock: clock.now }),
      ...(opts.outboxStaleMs ? { outboxStaleMs: opts.outboxStaleMs } : {}),
      ...(opts.owner ? { owner: opts.owner } : {}),
    });
    await use(store, clock);
  });
  afterEach(async () => {
    await store?.close();
  });
}

/** Campaign 'c' with one ledger row; returns the row's id. */
export async function oneRecipient(store: Store): Promise<number> {
  await store.campaigns.create(newCampaign(), 'c');
  await store.recipients.insertMany('c', targets(1));
  return (await store.recipients.list('c', { limit: 1, offset: 0 }))[0].rowId;
}
