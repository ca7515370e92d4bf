// A database of the schema just before one migration, on both adapters, for tests of what that migration does to
// data written before it: raw statements on the old schema, then this version's store opened on it (which migrates).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { loadMigrations, MIGRATIONS_DIR, migrate } from '../../service/src/store/migrate.js';
import { openPgStore, PG_MIGRATIONS_DIR } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { tempDir } from './helpers.js';

export interface BeforeMigration {
  name: string;
  /** A database of the schema before the migration, raw statements on it, then this version's store on it. */
  open(): Promise<{ sql(text: string): void; reopen(): Promise<Store> }>;
}

/**
 * The adapters (PostgreSQL where its binaries are here), each opening a database migrated up to, not including, the
 * migration files whose names start with `sqliteBefore` / `pgBefore` (e.g. '0022_').
 */
export function adaptersBefore(sqliteBefore: string, pgBefore: string): BeforeMigration[] {
  const cleanups: Array<() => void> = [];
  let pg: PgServer | undefined;
  afterAll(async () => {
    while (cleanups.length) cleanups.pop()!();
    await pg?.destroy();
  });
  const migrationsBefore = (from: string, before: string): string => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dir = join(t.dir, 'migrations');
    mkdirSync(dir);
    for (const f of readdirSync(from).filter((f) => f.endsWith('.sql') && f < before)) copyFileSync(join(from, f), join(dir, f));
    return dir;
  };
  const sqlite: BeforeMigration = {
    name: 'sqlite',
    async open() {
      const t = tempDir();
      cleanups.push(t.cleanup);
      const file = join(t.dir, 'leadfwd.sqlite');
      const db = new Database(file);
      migrate(db, loadMigrations(migrationsBefore(MIGRATIONS_DIR, sqliteBefore)), () => new Date().toISOString());
      return {
        sql: (text) => db.exec(text),
        reopen: async () => {
          db.close();
          return openStore(file);
        },
      };
    },
  };
  const postgres: BeforeMigration = {
    name: 'postgres',
    async open() {
      pg ??= await startPostgres();
      const server = pg;
      const schema = `before_${cleanups.length}`;
      await (await openPgStore(server.url, { schema, migrationsDir: migrationsBefore(PG_MIGRATIONS_DIR, pgBefore) })).close();
      return {
        sql: (text) => void server.psql(`SET search_path TO ${schema}; ${text}`, 'leadfwd'),
        reopen: async () => (await openPgStore(server.url, { schema })) as unknown as Store,
      };
    },
  };
  return debianPgBin() ? [sqlite, postgres] : [sqlite];
}

/** A sent campaign 'c1' with one recipient (a@x.test), written as the old schema holds them; its row id as SQL. */
export function seedOneRecipient(sql: (text: string) => unknown, at: string): string {
  sql(`INSERT INTO campaigns (id, name, status, subject, from_name, from_email, send_at, created_at, updated_at)
    VALUES ('c1', 'c1', 'sent', 'Hi', 'Acme', 'news@acme.test', '${at}', '${at}', '${at}')`);
  sql(`INSERT INTO recipients (campaign_id, address_key, module, record_id, list_id, email, state)
    VALUES ('c1', 'a@x.test', 'Contacts', 'r-a', 'tl-1', 'a@x.test', 'accepted')`);
  return "(SELECT row_id FROM recipients WHERE campaign_id = 'c1')";
}
