// The throwaway PostgreSQL cluster lives in scripts/ so the benchmarks can start one too (scripts never import test/).
import { afterAll, beforeAll } from 'vitest';
import { type PgServer, startPostgres } from '../../scripts/postgres.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';

export { debianPgBin, type PgServer, startPostgres } from '../../scripts/postgres.js';

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
