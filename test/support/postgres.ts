// The throwaway PostgreSQL cluster lives in scripts/ so the benchmarks can start one too (scripts never import test/).
import { afterAll, beforeAll } from 'vitest';
import { type PgServer, startPostgres } from '../../scripts/postgres.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';

export { debianPgBin, freePort, type PgServer, startPostgres } from '../../scripts/postgres.js';

/**
 * Within a describe: a throwaway cluster and one store per process owner on one schema, each with its own pool, as
 * separate service processes have. `stores` fills before the first test; `server()` gives the cluster (psql).
 */
export function useProcessStores(schema: string, o: { owners?: string[]; poolSize?: number } = {}) {
  let pg: PgServer | undefined;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    for (const owner of o.owners ?? ['a', 'b']) stores.push(await openPgStore(pg.url, { schema, owner, poolSize: o.poolSize ?? 2 }));
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.destroy();
  });
  return { stores, server: () => pg! };
}

type Tx = Parameters<Parameters<PgStore['transaction']>[0]>[0];

/**
 * Runs `first` in a transaction of `holder` held open until `second` (started meanwhile) has had time to wait for it,
 * then commits: two processes' statements meeting at a chosen moment, every run. Answers both results.
 */
export async function whileHeldOpen<A, B>(holder: PgStore, first: (tx: Tx) => A | Promise<A>, second: () => B | Promise<B>): Promise<[A, B]> {
  let commit!: () => void;
  const held = new Promise<void>((r) => (commit = r));
  let ran!: (a: A) => void;
  const inFlight = new Promise<A>((r) => (ran = r));
  const holding = holder.transaction(async (tx) => {
    ran(await first(tx));
    await held;
  });
  // A `first` that throws ends the transaction: that failure, not a wait for ever.
  const a = await Promise.race([inFlight, holding.then(() => Promise.reject(new Error('the held transaction ended early')))]);
  const waiting = second();
  await new Promise((r) => setTimeout(r, 100));
  commit();
  const [, b] = await Promise.all([holding, waiting]);
  return [a, b];
}
