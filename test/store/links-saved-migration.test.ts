// The migration that marks when a campaign's links were saved (SQLite 0022, PostgreSQL 0024) on a database written
// before it: a campaign with links, and one without links whose mail went out, count as saved and stay tracked; one
// sending with neither (its links not saved yet when the version changed) is upcoming until its links are saved.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { loadMigrations, MIGRATIONS_DIR, migrate } from '../../service/src/store/migrate.js';
import { openPgStore, PG_MIGRATIONS_DIR } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { tempDir } from './helpers.js';

const cleanups: Array<() => void> = [];
let pg: PgServer | undefined;
afterAll(async () => {
  while (cleanups.length) cleanups.pop()!();
  await pg?.destroy();
});

/** The shipped migrations up to, not including, the one named `before`. */
function migrationsBefore(from: string, before: string): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'migrations');
  mkdirSync(dir);
  for (const f of readdirSync(from).filter((f) => f.endsWith('.sql') && f < before)) copyFileSync(join(from, f), join(dir, f));
  return dir;
}

interface Adapter {
  name: string;
  /** A database of the schema before the migration, raw statements on it, then this version's store on it. */
  open(): Promise<{ sql(text: string): void; reopen(): Promise<Store> }>;
}

const sqlite: Adapter = {
  name: 'sqlite',
  async open() {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'leadfwd.sqlite');
    const db = new Database(file);
    migrate(db, loadMigrations(migrationsBefore(MIGRATIONS_DIR, '0022_')), () => new Date().toISOString());
    return {
      sql: (text) => db.exec(text),
      reopen: async () => {
        db.close();
        return openStore(file);
      },
    };
  },
};

const postgres: Adapter = {
  name: 'postgres',
  async open() {
    pg ??= await startPostgres();
    const server = pg;
    await (await openPgStore(server.url, { schema: 'before', migrationsDir: migrationsBefore(PG_MIGRATIONS_DIR, '0024_') })).close();
    return {
      sql: (text) => void server.psql(`SET search_path TO before; ${text}`, 'leadfwd'),
      reopen: async () => (await openPgStore(server.url, { schema: 'before' })) as unknown as Store,
    };
  },
};

const at = new Date().toISOString();
const campaign = (id: string) => `('${id}', '${id}', 'sending', 'Hi', 'Acme', 'news@acme.test', '${at}', '${at}', '${at}')`;
const row = (id: string, state: string) => `('${id}', '${id}@x.test', 'Contacts', 'r-${id}', 'tl-1', '${id}@x.test', '${state}')`;

describe.each(debianPgBin() ? [sqlite, postgres] : [sqlite])('links saved, on a database from before ($name)', (adapter) => {
  it('counts a campaign with links, or with mail out, as saved; one with neither is upcoming until its links are saved', async () => {
    const { sql, reopen } = await adapter.open();
    sql(`INSERT INTO campaigns (id, name, status, subject, from_name, from_email, send_at, created_at, updated_at)
      VALUES ${['linked', 'plain', 'starting'].map(campaign).join(', ')}`);
    sql(`INSERT INTO recipients (campaign_id, address_key, module, record_id, list_id, email, state)
      VALUES ${[row('linked', 'queued'), row('plain', 'accepted'), row('starting', 'queued')].join(', ')}`);
    sql(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES ('linked', 0, 'https://linked.test/a')`);
    const store = await reopen();
    try {
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const read = await store.campaigns.trackedLinks(since, 100);
      expect([...new Set(read.spans.map((s) => s.campaignId))].sort()).toEqual(['linked', 'plain']);
      expect(read.links).toEqual({ linked: ['https://linked.test/a'] });
      expect(read.upcoming).toEqual(['starting']);
      await store.campaigns.saveLinks('starting', ['https://starting.test/a']);
      expect(await store.campaigns.trackedAmong(['starting'])).toEqual(['starting']);
    } finally {
      await store.close();
    }
  }, 60_000);
});
