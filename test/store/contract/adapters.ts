// The store adapters every contract suite in this folder runs against, one suite per port. A second adapter
// (PostgreSQL) adds itself here, with a factory giving a fresh, migrated, empty store per test, and runs every
// suite unchanged. Tests that need SQLite itself (files, crash recovery, query plans, WAL) stay in test/store/.
import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../../service/src/ports/index.js';
import { openStore } from '../../../service/src/store/db.js';
import { manualClock, newCampaign, targets } from '../helpers.js';

export interface StoreFactoryOptions {
  /** Source of "now" for the times the store records. */
  clock?: () => Date;
  /** An outbox claim older than this may be claimed again. */
  outboxStaleMs?: number;
}

export type StoreFactory = (opts?: StoreFactoryOptions) => Store;

export const adapters: Array<{ name: string; open: StoreFactory }> = [{ name: 'sqlite', open: (opts) => openStore(':memory:', opts) }];

export type ManualClock = ReturnType<typeof manualClock>;

/**
 * A fresh store from `open` before each test (closed after it), on a manual clock started at `start` (or the real
 * clock with `realTime`), handed to `use` with that clock.
 */
export function storePerTest(
  open: StoreFactory,
  use: (store: Store, clock: ManualClock) => void,
  opts: { start?: string; outboxStaleMs?: number; realTime?: boolean } = {},
): void {
  let store: Store | undefined;
  beforeEach(() => {
    const clock = manualClock(opts.start);
    store = open({ ...(opts.realTime ? {} : { clock: clock.now }), ...(opts.outboxStaleMs ? { outboxStaleMs: opts.outboxStaleMs } : {}) });
    use(store, clock);
  });
  afterEach(() => store?.close());
}

/** Campaign 'c' with one ledger row; returns the row's id. */
export async function oneRecipient(store: Store): Promise<number> {
  await store.campaigns.create(newCampaign(), 'c');
  await store.recipients.insertMany('c', targets(1));
  return (await store.recipients.list('c', { limit: 1, offset: 0 }))[0].rowId;
}
