// `npm run backup -- <file>`: an online copy of the service's SQLite database, safe while the
// service runs (SQLite's backup API copies a consistent snapshot page by page).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../service/src/config.js';
import { BackupUnsupportedError } from '../service/src/ports/errors.js';
import { openStore } from '../service/src/store/db.js';

export async function backupDatabase(dataDir: string, target: string): Promise<{ source: string; target: string }> {
  if (dataDir === ':memory:') throw new Error('LEADFWD_DATA_DIR is :memory:, there is no database file to back up');
  const source = join(dataDir, 'leadfwd.sqlite');
  if (!existsSync(source)) throw new Error(`no database at ${source} (check LEADFWD_DATA_DIR; npm run demo keeps its data in demo-data/service)`);
  const out = resolve(target);
  if (existsSync(out)) throw new Error(`${out} exists; choose a new file name`);
  const store = openStore(source);
  try {
    await store.backup(out);
  } finally {
    store.close();
  }
  return { source, target: out };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/backup.ts')) {
  const target = process.argv[2];
  try {
    const config = loadConfig(process.env, { requireSecret: false });
    // PostgreSQL has no file of ours to copy: the same answer the store gives, before any argument is checked.
    if (config.database) throw new BackupUnsupportedError(`The PostgreSQL store (LEADFWD_DATABASE_URL)`);
    if (!target) throw new Error('usage: npm run backup -- <file>');
    const done = await backupDatabase(config.dataDir, target);
    console.log(JSON.stringify({ event: 'backup.done', ...done }));
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : `backup failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
