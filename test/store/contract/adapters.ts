// The store adapters every contract suite in this folder runs against, one suite per port. A second adapter
// (PostgreSQL) adds itself here, with a factory giving a fresh, migrated, empty store per test, and runs every
// suite unchanged. Tests that need SQLite itself (files, crash recovery, query plans, WAL) stay in test/store/.
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../../service/src/ports/index.js';
import { openStore } from '../../../service/src/store/db.js';
import { openPgStore } from '../../../service/src/store/pg/db.js';
import { type Seeded, seededStore } from '../../engagement/helpers.js';
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

export interface StorePerTestOptions {
  /** Where the manual clock starts (8:00 UTC on 1 March 2026 unless given). */
  start?: string;
  outboxStaleMs?: number;
  /** The store reads the real clock instead of the manual one. */
  realTime?: boolean;
  owner?: string;
}

/**
 * A fresh store from `open` before each test (closed after it), on a manual clock started at `start` (or the real
 * clock with `realTime`), handed to `use` with that clock.
 */
function storePerTest(open: StoreFactory, use: (store: Store, clock: ManualClock) => unknown, opts: StorePerTestOptions = {}): void {
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

/** What a suite of `describeOnAdapters` is given: the running test's store and clock, and the adapter's name. */
export interface AdapterSuite {
  store: Store;
  clock: ManualClock;
  name: string;
  /** seededOn this adapter. */
  seeded: Seed;
}

/** How `describeOnAdapters` opens each test's store (storePerTest's options), and on which adapters (`withPostgres` unless `on`). */
export type AdapterSuiteOptions = StorePerTestOptions & { on?: typeof adapters };

/**
 * One suite per adapter, titled `title (adapter)`, with a fresh store per test as in storePerTest. The suite's body
 * runs once, before any test has a store, so `store` and `clock` stand in for the running test's own: each use
 * reaches the current one.
 */
export function describeOnAdapters(title: string, suite: (s: AdapterSuite) => void): void;
export function describeOnAdapters(title: string, opts: AdapterSuiteOptions, suite: (s: AdapterSuite) => void): void;
export function describeOnAdapters(title: string, ...args: [(s: AdapterSuite) => void] | [AdapterSuiteOptions, (s: AdapterSuite) => void]): void {
  const [{ on = withPostgres, ...opts }, suite] = args.length === 1 ? [{}, args[0]] : args;
  describe.each(on)(`${title} ($name)`, ({ name, open }) => {
    let current: { store: Store; clock: ManualClock } | undefined;
    storePerTest(open, (store, clock) => (current = { store, clock }), opts);
    afterEach(() => (current = undefined));
    suite({ store: standIn(() => current?.store), clock: standIn(() => current?.clock), name, seeded: seededOn(open) });
  });
}

/** Stands in for what `get()` returns at the moment of each use: every property is read from it, methods bound to it. */
function standIn<T extends object>(get: () => T | undefined): T {
  const target = (): T => {
    const t = get();
    if (!t) throw new Error('a contract suite used its store or clock outside a test');
    return t;
  };
  return new Proxy({} as T, {
    get: (_, key) => {
      const value = Reflect.get(target(), key);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
  });
}

type Seed = (opts?: Omit<Parameters<typeof seededStore>[0], 'open'>) => Promise<Seeded>;

/** seededStore on the adapter `open` gives, each one closed after its test. */
export function seededOn(open: StoreFactory): Seed {
  const opened: Seeded[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.store.close();
  });
  return async (opts) => {
    const s = await seededStore({ ...opts, open });
    opened.push(s);
    return s;
  };
}

/** Campaign 'c' with one ledger row; returns the row's id. */
export async function oneRecipient(store: Store): Promise<number> {
  await store.campaigns.create(newCampaign(), 'c');
  await store.recipients.insertMany('c', targets(1));
  return (await store.recipients.list('c', { limit: 1, offset: 0 }))[0].rowId;
}
