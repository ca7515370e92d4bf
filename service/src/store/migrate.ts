// Applies the numbered, append-only migrations in order, all in one transaction (all or nothing).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { StoreMigrationError } from './errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** A store's migrations folder beside its module: `bundled` where a bundle copied them (it exists), else `source`. */
export function migrationsBeside(moduleUrl: string, bundled: string, source: string): string {
  const inBundle = fileURLToPath(new URL(bundled, moduleUrl));
  return existsSync(inBundle) ? inBundle : fileURLToPath(new URL(source, moduleUrl));
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const found = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = found.map((file, i) => {
    const m = FILE.exec(file);
    if (!m) throw new StoreMigrationError(`migration file name "${file}" must look like 0001_name.sql`);
    const version = Number(m[1]);
    // Gaps or duplicates mean two branches added the same number: stop before applying either.
    if (version !== i + 1) throw new StoreMigrationError(`migration "${file}" should be number ${String(i + 1).padStart(4, '0')}`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return { version, name: m[2], sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  if (migrations.length === 0) throw new StoreMigrationError(`no migrations found in ${dir}`);
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

function readApplied(db: Database.Database): AppliedRow[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return [];
  return db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as AppliedRow[];
}

/** The migrations still to apply; throws if the database knows more than this code or a file was edited. */
export function pendingMigrations(applied: AppliedRow[], migrations: Migration[]): Migration[] {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m) {
      throw new StoreMigrationError(
        `the database has migration ${row.version} (${row.name}) but this code only knows up to ${migrations.length}; ` +
          'it was written by a newer LeadFWD version. Upgrade the service or restore a matching backup.',
      );
    }
    if (m.checksum !== row.checksum) {
      throw new StoreMigrationError(`migration ${row.version} (${row.name}) changed after it was applied; migrations are append-only`);
    }
  }
  const done = new Set(applied.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version));
}

/** Returns the versions applied by this call. */
export function migrate(db: Database.Database, migrations: Migration[], now: () => string): number[] {
  // Nothing to do means nothing to write, so an up-to-date read-only file still opens (reads work, writes 503).
  if (pendingMigrations(readApplied(db), migrations).length === 0) return [];
  // IMMEDIATE, and re-read inside, so two processes opening the same file at once cannot both apply a migration.
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
    const applied: number[] = [];
    for (const m of pendingMigrations(readApplied(db), migrations)) {
      db.exec(m.sql);
      insert.run(m.version, m.name, m.checksum, now());
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
