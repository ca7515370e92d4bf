// The PostgreSQL store on a real, throwaway server (Debian's binaries; test/support/postgres.ts): its own numbered
// migrations applied once however many processes start together, a database of a newer version or an edited
// migration refused before anything is written, an unreachable server named clearly, and outbox and send-ledger claims
// of several processes at once (FOR UPDATE SKIP LOCKED) never handing a row to two of them.
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreMigrationError, StoreUnavailableError } from '../../service/src/ports/index.js';
import { openPgStore, PG_MIGRATIONS_DIR } from '../../service/src/store/pg/db.js';
import { optionsDroppingPooler } from '../support/pg-pooler.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { newCampaign, targets } from './helpers.js';

describe.skipIf(!debianPgBin())('PostgreSQL store', () => {
  let pg: PgServer;
  let n = 0;
  const schema = () => `s${++n}`;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.destroy();
  });

  it('applies its migrations once when several processes start together', async () => {
    const s = schema();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPgStore(pg.url, { schema: s, poolSize: 2 })));
    expect(pg.psql(`SELECT count(*) FROM ${s}.schema_migrations`, 'leadfwd')).toBe(String(readdirSync(PG_MIGRATIONS_DIR).length));
    expect(await stores[0].outbox.enqueue({ key: 'k', kind: 'k', payload: { a: 1 } })).toBe(true);
    expect((await stores[3].outbox.stats()).pending).toBe(1);
    await Promise.all(stores.map((x) => x.close()));
  });

  it('refuses a database written by a newer version, and an edited migration, before writing anything', async () => {
    const s = schema();
    await (await openPgStore(pg.url, { schema: s })).close();
    pg.psql(`INSERT INTO ${s}.schema_migrations VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')`, 'leadfwd');
    await expect(openPgStore(pg.url, { schema: s })).rejects.toThrow(StoreMigrationError);
    await expect(openPgStore(pg.url, { schema: s })).rejects.toThrow(/newer LeadFWD version/);

    const t = schema();
    await (await openPgStore(pg.url, { schema: t })).close();
    const dir = mkdtempSync(join(tmpdir(), 'pg-migrations-'));
    cpSync(PG_MIGRATIONS_DIR, dir, { recursive: true });
    const first = readdirSync(dir).sort()[0];
    writeFileSync(join(dir, first), '-- edited after it shipped\nCREATE TABLE should_not_exist (x int);');
    await expect(openPgStore(pg.url, { schema: t, migrationsDir: dir })).rejects.toThrow(/changed after it was applied/);
    expect(pg.psql(`SELECT count(*) FROM pg_tables WHERE tablename = 'should_not_exist'`, 'leadfwd')).toBe('0');
  });

  it('names an unreachable server clearly, as the store being unavailable', async () => {
    const wrong = pg.url.replace(`:${pg.port}/`, ':1/');
    const err = await openPgStore(wrong, { schema: schema() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/PostgreSQL cannot be reached/);
  });

  it("names another application's table in the way of a migration, and leaves its database as it was", async () => {
    const s = schema();
    pg.psql(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.outbox (order_id int)`, 'leadfwd');
    const err = await openPgStore(pg.url, { schema: s }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreMigrationError);
    expect((err as Error).message).toMatch(/migration 1 .*relation "outbox" already exists.*another application's tables; give LeadFWD a database of its own/);
    expect(pg.psql(`SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = '${s}'`, 'leadfwd')).toBe('outbox');

    const t = schema();
    pg.psql(`CREATE SCHEMA ${t}; CREATE TABLE ${t}.schema_migrations (version bigint, dirty boolean)`, 'leadfwd');
    await expect(openPgStore(pg.url, { schema: t })).rejects.toThrow(/holds a schema_migrations table that is not LeadFWD's/);
  });

  // An operator review: both said only "PostgreSQL … refused the service: <PostgreSQL's words>".
  it('names a schema changed by hand under a migration, and a search_path whose schema does not exist, in words of its own', async () => {
    const s = schema();
    await (await openPgStore(pg.url, { schema: s })).close();
    // Versions 16 on forgotten while their objects stayed: migration 16 meets its own column, already there.
    pg.psql(`DELETE FROM ${s}.schema_migrations WHERE version >= 16`, 'leadfwd');
    const err = await openPgStore(pg.url, { schema: s }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreMigrationError);
    expect((err as Error).message).toMatch(
      /^migration 16 \(delivery_volume_slots\) failed: column "slot" of relation "delivery_volume" already exists; nothing of it was kept \(the schema stays at version 15\): the schema was changed outside LeadFWD/,
    );
    expect(pg.psql(`SELECT max(version) FROM ${s}.schema_migrations`, 'leadfwd')).toBe('15');
    // An index of its own forgotten (an operator's trial: migration 28's record deleted) was taken for another application's.
    const r = schema();
    await (await openPgStore(pg.url, { schema: r })).close();
    pg.psql(`DELETE FROM ${r}.schema_migrations WHERE version >= 28`, 'leadfwd');
    const forgotten = ((await openPgStore(pg.url, { schema: r }).catch((e: unknown) => e)) as Error).message;
    expect(forgotten).toMatch(
      /^migration 28 \(block_facts_by_time\) found .* already exists, though the schema's record says it was never applied: that record was changed outside LeadFWD; nothing of the migration was kept \(the schema stays at version 27\)/,
    );
    expect(forgotten).not.toMatch(/another application/);

    // Anything else (here a division by zero; a lock timeout in life) keeps PostgreSQL's own words, never "restore a backup".
    const dir = mkdtempSync(join(tmpdir(), 'pg-migrations-'));
    cpSync(PG_MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, `${String(readdirSync(dir).length + 1).padStart(4, '0')}_boom.sql`), 'SELECT 1 / 0;');
    const boom = await openPgStore(pg.url, { schema: schema(), migrationsDir: dir }).catch((e: unknown) => e);
    expect((boom as Error).message).toMatch(/division by zero/);
    expect((boom as Error).message).not.toMatch(/changed outside LeadFWD/);

    const nowhere = await openPgStore(`${pg.url}?options=${encodeURIComponent('-c search_path=no_such_schema')}`).catch((e: unknown) => e);
    expect(nowhere).toBeInstanceOf(StoreMigrationError);
    expect((nowhere as Error).message).toMatch(/its search_path \(no_such_schema\) names no schema that exists.*CREATE SCHEMA/);
  });

  it('takes a standby (every transaction read-only, as during a failover) for a database not available yet, not a broken one', async () => {
    pg.psql('CREATE ROLE standby LOGIN; ALTER ROLE standby SET default_transaction_read_only = on; GRANT ALL ON DATABASE leadfwd TO standby', 'leadfwd');
    const err = await openPgStore(pg.url.replace('//leadfwd@', '//standby@'), { schema: schema() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/read-only transaction/);
  });

  it('drops a connection whose transaction was refused as read-only (a primary turned standby), so the next one may reach a writable server', async () => {
    const s = schema();
    pg.psql('CREATE ROLE flipper LOGIN SUPERUSER', 'leadfwd');
    const store = await openPgStore(pg.url.replace('//leadfwd@', '//flipper@'), { schema: s, poolSize: 1 });
    try {
      let n = 0;
      const write = () => store.transaction(async (tx) => await tx.outbox.enqueue({ key: `k${++n}`, kind: 'k', payload: n }));
      expect(await write()).toBe(true);
      // A failover: the connection is cut, and the server it reaches next takes only read-only transactions.
      pg.psql(
        "ALTER ROLE flipper SET default_transaction_read_only = on; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'flipper'",
        'leadfwd',
      );
      let refused: unknown;
      for (let i = 0; i < 20 && !/read-only/.test(String((refused as Error | undefined)?.message)); i++) {
        refused = await write().then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      expect(refused).toBeInstanceOf(StoreUnavailableError);
      expect((refused as Error).message).toMatch(/read-only transaction/);
      // The new primary is writable: the pool's one connection was dropped, so the next transaction reaches it.
      pg.psql('ALTER ROLE flipper RESET default_transaction_read_only', 'leadfwd');
      expect(await write()).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses a connection that lost its startup options (a pooler dropping them), before writing anything', async () => {
    const s = schema();
    const proxy = await optionsDroppingPooler(pg.port);
    try {
      const url = pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`);
      const err = await openPgStore(url, { schema: s, owner: 'proc-a' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreMigrationError);
      expect((err as Error).message).toMatch(/leadfwd.owner "" instead of "proc-a".*a connection pooler between LeadFWD and PostgreSQL drops them/);
      expect(pg.psql(`SELECT count(*) FROM pg_namespace WHERE nspname = '${s}'`, 'leadfwd')).toBe('0');
      expect(pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = 'public'", 'leadfwd')).toBe('0');
      expect(proxy.dropped()).toBeGreaterThan(0);
      // The same settings straight to the server: opened, with the URL's own options (a statement timeout) kept too.
      const store = await openPgStore(`${pg.url}?options=${encodeURIComponent('-c statement_timeout=4321')}`, { schema: s, owner: 'proc-a' });
      try {
        const seen = await store.transaction(async (tx) => {
          const q = (tx as unknown as { outbox: { q: (t: string) => Promise<{ rows: Array<Record<string, string>> }> } }).outbox.q;
          return (await q("SELECT current_setting('statement_timeout') AS t, current_setting('leadfwd.owner') AS o")).rows[0];
        });
        expect(seen).toEqual({ t: '4321ms', o: 'proc-a' });
      } finally {
        await store.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('counts delivery volume in one row per process, and every read sums them', async () => {
    const s = schema();
    const [a, b] = await Promise.all(['proc-a', 'proc-b'].map((owner) => openPgStore(pg.url, { schema: s, poolSize: 2, owner })));
    try {
      const delta = { identityId: 'i1', campaignId: 'c1', provider: 'google' as const, day: '2026-12-03', accepted: 2, failed: 1 };
      await Promise.all([a.deliverability.add([delta]), b.deliverability.add([delta]), a.deliverability.add([delta])]);
      expect(await b.deliverability.acceptedOn('i1', '2026-12-03')).toEqual({ google: 6 });
      expect(await a.deliverability.totals({ campaignId: 'c1' })).toMatchObject({ accepted: 6, failed: 3 });
      expect(await a.deliverability.daily('i1', '2026-12-03')).toEqual([expect.objectContaining({ day: '2026-12-03', provider: 'google', accepted: 6 })]);
      // Two rows, one a process: neither process's outcome transaction waits on the other's row.
      expect(pg.psql(`SELECT slot || ':' || accepted FROM ${s}.delivery_volume ORDER BY slot`, 'leadfwd').trim().split('\n')).toEqual(['proc-a:4', 'proc-b:2']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('hands each due outbox row to exactly one of several processes claiming at once', async () => {
    const s = schema();
    const procs = await Promise.all([1, 2, 3].map(() => openPgStore(pg.url, { schema: s, poolSize: 3 })));
    for (let i = 0; i < 300; i++) await procs[0].outbox.enqueue({ key: `k${i}`, kind: 'k', payload: i });
    const now = new Date(Date.now() + 1000).toISOString();
    // Each process's connection opened first (a claim of nothing due): a pool opening one while another drains the
    // 43 batches left it none on a fresh CI machine.
    await Promise.all(procs.map((p) => p.outbox.claim(7, 'warm', '2000-01-01T00:00:00.000Z')));
    const claimed = await Promise.all(
      procs.map(async (p, w) => {
        const mine: number[] = [];
        for (;;) {
          const batch = await p.outbox.claim(7, `w${w}`, now);
          if (!batch.length) break;
          mine.push(...batch.map((b) => b.id));
        }
        return mine;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    expect(claimed.every((c) => c.length > 0)).toBe(true);
    await Promise.all(procs.map((p) => p.close()));
  });

  it('hands each queued ledger row to exactly one of several sending processes, and records each outcome once', async () => {
    const s = schema();
    const procs = await Promise.all([1, 2, 3].map(() => openPgStore(pg.url, { schema: s, poolSize: 3 })));
    await procs[0].campaigns.create(newCampaign(), 'c');
    // Two extractions of the same campaign at once (a lease lost and taken over): each person is in the ledger once.
    const added = await Promise.all([procs[0].recipients.insertMany('c', targets(300)), procs[1].recipients.insertMany('c', targets(300))]);
    expect(added[0] + added[1]).toBe(300);
    const now = new Date(Date.now() + 1000).toISOString();
    // Each process's connection opened first (a claim of nothing due): a pool opening one while another drains the
    // 43 batches left it none on a fresh CI machine.
    await Promise.all(procs.map((p) => p.outbox.claim(7, 'warm', '2000-01-01T00:00:00.000Z')));
    const claimed = await Promise.all(
      procs.map(async (p) => {
        const mine: number[] = [];
        for (;;) {
          const batch = await p.recipients.claim('c', 9, now);
          if (!batch.length) break;
          mine.push(...batch.map((r) => r.rowId));
          // Each process records what it sent; a row's outcome lands once, as 'sending' → 'accepted'.
          expect(await p.recipients.applyOutcomes(batch.map((r) => ({ rowId: r.rowId, state: 'accepted' as const })))).toHaveLength(batch.length);
        }
        return mine;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    expect(claimed.every((c) => c.length > 0)).toBe(true);
    expect(await procs[2].recipients.counts('c')).toMatchObject({ accepted: 300, queued: 0, sending: 0 });
    // A late duplicate outcome for a row already accepted changes nothing.
    expect(await procs[1].recipients.applyOutcomes([{ rowId: all[0], state: 'failed', error: 'late' }])).toEqual([]);
    await Promise.all(procs.map((p) => p.close()));
  });
});
