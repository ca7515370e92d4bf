// The online part of `npm run migrate-store`: while the service keeps running on SQLite, triggers in its file record
// the primary key of every row it inserts, updates or deletes after the copy's snapshot began (a table of keys, no
// row data). `--catch-up` then brings PostgreSQL to a newer snapshot by re-copying (or deleting) only those rows, in
// one PostgreSQL transaction; run while the service is stopped (no other connection has the file open: an exclusive
// lock proves it and keeps the service from starting meanwhile), it is the last one and removes the triggers.
import type Database from 'better-sqlite3';
import type pg from 'pg';

/** The recorded keys; not a LeadFWD table, so never copied. */
export const CHANGES_TABLE = 'leadfwd_move_changes';
const TRIGGER_PREFIX = 'leadfwd_move_';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A table's primary key columns in SQLite, in key order. */
export function sqliteKey(lite: Database.Database, table: string): string[] {
  return (lite.prepare('SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as Array<{ name: string }>).map((c) => c.name);
}

export function capturing(lite: Database.Database): boolean {
  return lite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(CHANGES_TABLE) !== undefined;
}

/** Starts (or restarts, forgetting what an earlier move recorded) recording the keys every write touches. */
export function startCapture(lite: Database.Database, tables: string[]): void {
  lite.transaction(() => {
    lite.exec(`CREATE TABLE IF NOT EXISTS ${CHANGES_TABLE} (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, pk TEXT NOT NULL)`);
    lite.exec(`DELETE FROM ${CHANGES_TABLE}`);
    for (const t of tables) {
      const key = sqliteKey(lite, t);
      const keyOf = (row: 'NEW' | 'OLD') => `json_array(${key.map((c) => `${row}.${quote(c)}`).join(', ')})`;
      const log = (row: 'NEW' | 'OLD') => `INSERT INTO ${CHANGES_TABLE} (tbl, pk) VALUES (${literal(t)}, ${keyOf(row)});`;
      const name = (what: string) => quote(`${TRIGGER_PREFIX}${t}_${what}`);
      lite.exec(`CREATE TRIGGER IF NOT EXISTS ${name('ins')} AFTER INSERT ON ${quote(t)} BEGIN ${log('NEW')} END`);
      // A key that changed leaves its old row behind in PostgreSQL unless that key is recorded too.
      lite.exec(
        `CREATE TRIGGER IF NOT EXISTS ${name('upd')} AFTER UPDATE ON ${quote(t)} BEGIN ${log('NEW')}
          INSERT INTO ${CHANGES_TABLE} (tbl, pk) SELECT ${literal(t)}, ${keyOf('OLD')} WHERE ${keyOf('OLD')} IS NOT ${keyOf('NEW')}; END`,
      );
      lite.exec(`CREATE TRIGGER IF NOT EXISTS ${name('del')} AFTER DELETE ON ${quote(t)} BEGIN ${log('OLD')} END`);
    }
  })();
}

/** Removes the triggers and the recorded keys: the file is as the service made it. */
export function stopCapture(lite: Database.Database): void {
  lite.transaction(() => {
    const triggers = lite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'")
      .all(`${TRIGGER_PREFIX.replace(/_/g, '\\_')}%`) as Array<{ name: string }>;
    for (const { name } of triggers) lite.exec(`DROP TRIGGER ${quote(name)}`);
    lite.exec(`DROP TABLE IF EXISTS ${CHANGES_TABLE}`);
  })();
}

/**
 * True when this connection alone has the file open; it then keeps an exclusive lock until it closes, so the service
 * cannot start (and write) while the last catch-up runs. Another connection (the running service) answers false at once.
 */
export function takeSoleUse(lite: Database.Database): boolean {
  const timeout = lite.pragma('busy_timeout', { simple: true });
  lite.pragma('busy_timeout = 0');
  lite.pragma('locking_mode = EXCLUSIVE');
  try {
    lite.exec('BEGIN EXCLUSIVE');
    lite.exec('COMMIT');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    lite.pragma('locking_mode = NORMAL');
    return false;
  } finally {
    lite.pragma(`busy_timeout = ${Number(timeout)}`);
  }
}

/** The recorded keys up to `seq`, per table, each once. Call inside the read transaction the rows are read in. */
export function recordedKeys(lite: Database.Database): { upTo: number; keys: Map<string, unknown[][]> } {
  const upTo = (lite.prepare(`SELECT coalesce(max(seq), 0) AS n FROM ${CHANGES_TABLE}`).get() as { n: number }).n;
  const keys = new Map<string, unknown[][]>();
  for (const r of lite.prepare(`SELECT tbl, pk FROM ${CHANGES_TABLE} WHERE seq <= ? GROUP BY tbl, pk ORDER BY min(seq)`).all(upTo) as Array<{
    tbl: string;
    pk: string;
  }>) {
    if (!keys.has(r.tbl)) keys.set(r.tbl, []);
    keys.get(r.tbl)!.push(JSON.parse(r.pk) as unknown[]);
  }
  return { upTo, keys };
}

export function forgetKeys(lite: Database.Database, upTo: number): void {
  lite.prepare(`DELETE FROM ${CHANGES_TABLE} WHERE seq <= ?`).run(upTo);
}

/**
 * Brings PostgreSQL's copy of `table` to the snapshot for the recorded keys: rows gone from SQLite are deleted, the
 * others inserted or overwritten. Deletions first (children before parents, by the caller's order), so a row
 * deleted and inserted again under a new key frees its unique values before the new one arrives.
 */
export async function deleteGone(lite: Database.Database, client: pg.Client, table: string, keys: unknown[][]): Promise<number> {
  const key = sqliteKey(lite, table);
  const find = lite.prepare(`SELECT 1 FROM ${quote(table)} WHERE ${key.map((c) => `${quote(c)} IS ?`).join(' AND ')}`).pluck();
  const gone = keys.filter((k) => find.get(...k) === undefined);
  // Each key compared column by column: PostgreSQL types every parameter from its column.
  for (let i = 0; i < gone.length; i += 200) {
    const part = gone.slice(i, i + 200);
    const match = part.map((_, n) => `(${key.map((c, j) => `${quote(c)} = $${n * key.length + j + 1}`).join(' AND ')})`).join(' OR ');
    await client.query(`DELETE FROM ${quote(table)} WHERE ${match}`, part.flat());
  }
  return gone.length;
}

/** The rows of `keys` still in the snapshot, as raw values in `cols` order. */
export function presentRows(lite: Database.Database, table: string, cols: string[], keys: unknown[][]): unknown[][] {
  const key = sqliteKey(lite, table);
  const read = lite.prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)} WHERE ${key.map((c) => `${quote(c)} IS ?`).join(' AND ')}`).raw(true);
  return keys.map((k) => read.get(...k) as unknown[] | undefined).filter((r): r is unknown[] => r !== undefined);
}
