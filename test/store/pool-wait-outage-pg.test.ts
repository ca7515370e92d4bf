// Every pooled connection busy (long transactions, lock waits) past the pool's 5 s wait: pg-pool fails the waiter with
// "timeout exceeded when trying to connect", the words of an unreachable server, and the store told its listeners of
// an outage (/readyz 503 "database not writable") while PostgreSQL answered every statement. It is now a "try again"
// (PG_POOL_BUSY), no outage. Found by a review of PostgreSQL failure modes, 2026-12-06.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';

describe.skipIf(!debianPgBin())('a pool whose connections are all busy', () => {
  let server: PgServer;
  let store: PgStore;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openPgStore(server.url, { poolSize: 1 });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
  });

  it('is not reported as the database being unreachable', async () => {
    const told: string[] = [];
    expect(store.onUnavailable).toBeTypeOf('function');
    store.onUnavailable?.((err) => told.push(err.code));
    let release!: () => void;
    const busy = store.transaction(async (tx) => {
      await tx.outbox.stats();
      await new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 100));
    const waiter = await Promise.resolve(store.outbox.stats()).catch((e: unknown) => e);
    release();
    await busy;
    expect(server.psql('SELECT 1', 'leadfwd')).toBe('1'); // the server answered all along
    expect(waiter).toBeInstanceOf(StoreUnavailableError);
    expect((waiter as StoreUnavailableError).code).toBe('PG_POOL_BUSY');
    expect(told).toEqual([]);
  }, 30_000);
});
