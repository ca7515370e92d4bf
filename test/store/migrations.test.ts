import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, StoreMigrationError } from '../../service/src/store/db.js';
import { loadMigrations, MIGRATIONS_DIR } from '../../service/src/store/migrate.js';
import { tempDir } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A private copy of the shipped migrations, so a test can add or edit files without touching the real ones. */
function copyOfMigrations(): { dir: string; files: string[]; next: string } {
  const target = join(dir(), 'migrations');
  mkdirSync(target);
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const f of files) copyFileSync(join(MIGRATIONS_DIR, f), join(target, f));
  return { dir: target, files, next: String(files.length + 1).padStart(4, '0') };
}

function versions(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('creates the folder, applies every migration once and configures the connection', () => {
    const file = join(dir(), 'nested', 'deeper', 'leadfwd.db');
    const store = openStore(file);
    store.close();
    const known = loadMigrations().map((m) => m.version);
    expect(versions(file)).toEqual(known);

    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('is idempotent on reopen and keeps the data', () => {
    const file = join(dir(), 'leadfwd.db');
    const a = openStore(file);
    a.suppressions.add('x@example.test', 'x@example.test', 'manual');
    a.close();
    const b = openStore(file);
    expect(b.suppressions.get('x@example.test')?.reason).toBe('manual');
    b.close();
    expect(versions(file)).toEqual(loadMigrations().map((m) => m.version));
  });

  it('turns on foreign keys for every connection', () => {
    const store = openStore(':memory:');
    expect(() =>
      store.recipients.insertMany('no-such-campaign', [
        { module: 'Contacts', id: 'c', listId: 'l', email: 'a@b.test', fields: {}, trackingConsent: false, addressKey: 'a@b.test' },
      ]),
    ).toThrow(/FOREIGN KEY/);
    store.close();
  });

  it('refuses to start on a database written by a newer version', () => {
    const file = join(dir(), 'leadfwd.db');
    openStore(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(
      9999,
      'from_the_future',
      'x',
      new Date().toISOString(),
    );
    db.close();
    expect(() => openStore(file)).toThrow(StoreMigrationError);
    expect(() => openStore(file)).toThrow(/migration 9999 \(from_the_future\).*newer LeadFWD version/);
  });

  it('refuses a migration that was edited after it was applied', () => {
    const { dir: migrations } = copyOfMigrations();
    const file = join(dir(), 'leadfwd.db');
    openStore(file, { migrationsDir: migrations }).close();
    writeFileSync(join(migrations, '0001_init.sql'), '-- edited\n', { flag: 'a' });
    expect(() => openStore(file, { migrationsDir: migrations })).toThrow(/migration 1 \(init\) changed after it was applied/);
  });

  it('applies a new migration on the next open, inside the same all-or-nothing transaction', () => {
    const { dir: migrations, files, next } = copyOfMigrations();
    const shipped = files.map((_, i) => i + 1);
    const file = join(dir(), 'leadfwd.db');
    openStore(file, { migrationsDir: migrations }).close();

    // A broken next migration must leave neither its table nor its version row behind.
    writeFileSync(join(migrations, `${next}_extra.sql`), 'CREATE TABLE extra (id INTEGER);\nTHIS IS NOT SQL;\n');
    expect(() => openStore(file, { migrationsDir: migrations })).toThrow(/syntax error/);
    expect(versions(file)).toEqual(shipped);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(0);
    db.close();

    writeFileSync(join(migrations, `${next}_extra.sql`), 'CREATE TABLE extra (id INTEGER);\n');
    openStore(file, { migrationsDir: migrations }).close();
    expect(versions(file)).toEqual([...shipped, shipped.length + 1]);
  });

  it('rejects badly numbered migration files before touching the database', () => {
    const { dir: migrations, files, next } = copyOfMigrations();
    const skipping = `${String(files.length + 2).padStart(4, '0')}_skipped_one.sql`;
    writeFileSync(join(migrations, skipping), 'SELECT 1;');
    expect(() => loadMigrations(migrations)).toThrow(new RegExp(`should be number ${next}`));
    rmSync(join(migrations, skipping));
    writeFileSync(join(migrations, 'notes.sql'), 'SELECT 1;');
    expect(() => loadMigrations(migrations)).toThrow(/must look like 0001_name.sql/);
  });
});
