// Applies the numbered, append-only migrations in order, all in one transaction (all or nothing).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { StoreMigrationError } from './errors.js';

export interface Migration { version: number; name: string; sql: string; checksum: string }

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const found = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
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

/** Returns the versions applied by this call. */
export function migrate(db: Database.Database, migrations: Migration[], now: () => string): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied: number[] = [];
  // IMMEDIATE so two processes opening the same file at once cannot both apply a migration.
  const run = db.transaction(() => {
    const rows = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
      .all() as Array<{ version: number; name: string; checksum: string }>;
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const m = known.get(row.version);
      if (!m) {
        throw new StoreMigrationError(
          `the database has migration ${row.version} (${row.name}) but this code only knows up to ${migrations.length}; ` +
          'it was written by a newer LeadFWD version. Upgrade the service or restore a matching backup.');
      }
      if (m.checksum !== row.checksum) {
        throw new StoreMigrationError(`migration ${row.version} (${row.name}) changed after it was applied; migrations are append-only`);
      }
    }
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      insert.run(m.version, m.name, m.checksum, now());
      applied.push(m.version);
    }
  });
  run.immediate();
  return applied;
}
