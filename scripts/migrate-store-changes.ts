// The online part of `npm run migrate-store`: while the service keeps running on SQLite, triggers in its file record
// the primary key of every row it inserts, updates or deletes after the copy's snapshot began (a table of keys, no
// row data). `--catch-up` then brings PostgreSQL to a newer snapshot by re-copying (or deleting) only those rows, in
// one PostgreSQL transaction; run while the service is stopped (no other connection has the file open: an exclusive
// lock proves it and keeps the service from starting meanwhile), it is the last one: the triggers go and the file
// says where its data went. A move has an id kept in the file and in the target, so a catch-up goes only into the
// database its move filled, and no further than that database has followed.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { CHANGES_TABLE, clearMoveMarks, fileIdentity, MOVE_TABLE, MOVED_TABLE, quoteName as quote, TRIGGER_PREFIX } from '../service/src/store/move-marks.js';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A table's primary key columns in SQLite, in key order. */
export function sqliteKey(lite: Database.Database, table: string): string[] {
  return (lite.prepare('SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as Array<{ name: string }>).map((c) => c.name);
}

/** Starts a move (forgetting any earlier one's marks): from now on the key of every row written is recorded. */
export function startCapture(lite: Database.Database, tables: string[], move: { id: string; target: string; at: string }): void {
  lite.transaction(() => {
    clearMoveMarks(lite);
    lite.exec(
      `CREATE TABLE ${MOVE_TABLE} (id TEXT NOT NULL, target TEXT NOT NULL, started_at TEXT NOT NULL, forgotten_up_to INTEGER NOT NULL DEFAULT 0, file TEXT)`,
    );
    lite.prepare(`INSERT INTO ${MOVE_TABLE} (id, target, started_at, file) VALUES (?, ?, ?, ?)`).run(move.id, move.target, move.at, fileIdentity(lite.name));
    // AUTOINCREMENT: a number is never given twice, even once the table was emptied, so "up to n" stays meaningful.
    lite.exec(`CREATE TABLE ${CHANGES_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, pk TEXT NOT NULL)`);
    for (const t of tables) {
      const key = sqliteKey(lite, t);
      const keyOf = (row: 'NEW' | 'OLD') => `json_array(${key.map((c) => `${row}.${quote(c)}`).join(', ')})`;
      const log = (row: 'NEW' | 'OLD') => `INSERT INTO ${CHANGES_TABLE} (tbl, pk) VALUES (${literal(t)}, ${keyOf(row)});`;
      const name = (what: string) => quote(`${TRIGGER_PREFIX}${t}_${what}`);
      lite.exec(`CREATE TRIGGER ${name('ins')} AFTER INSERT ON ${quote(t)} BEGIN ${log('NEW')} END`);
      // A key that changed leaves its old row behind in PostgreSQL unless that key is recorded too.
      lite.exec(
        `CREATE TRIGGER ${name('upd')} AFTER UPDATE ON ${quote(t)} BEGIN
          INSERT INTO ${CHANGES_TABLE} (tbl, pk) SELECT ${literal(t)}, ${keyOf('OLD')} WHERE ${keyOf('OLD')} IS NOT ${keyOf('NEW')}; ${log('NEW')} END`,
      );
      lite.exec(`CREATE TRIGGER ${name('del')} AFTER DELETE ON ${quote(t)} BEGIN ${log('OLD')} END`);
    }
  })();
}

/** The move is over: triggers and recorded keys go, and the file says where its data went (the service then refuses it). */
export function finishCapture(lite: Database.Database, target: string, at: string): void {
  lite.transaction(() => {
    clearMoveMarks(lite);
    lite.exec(`CREATE TABLE ${MOVED_TABLE} (target TEXT NOT NULL, at TEXT NOT NULL)`);
    lite.prepare(`INSERT INTO ${MOVED_TABLE} (target, at) VALUES (?, ?)`).run(target, at);
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

/**
 * The recorded keys up to `upTo`, per table, each once, in the order of its last change: the order in which SQLite
 * itself let the rows take their unique values (a new default identity after the old one gave it up). Read inside
 * the read transaction the rows are read in.
 */
export function recordedKeys(lite: Database.Database): { upTo: number; keys: Map<string, unknown[][]> } {
  const upTo = (lite.prepare(`SELECT coalesce(max(seq), 0) AS n FROM ${CHANGES_TABLE}`).get() as { n: number }).n;
  const keys = new Map<string, unknown[][]>();
  for (const r of lite.prepare(`SELECT tbl, pk FROM ${CHANGES_TABLE} WHERE seq <= ? GROUP BY tbl, pk ORDER BY max(seq)`).all(upTo) as Array<{
    tbl: string;
    pk: string;
  }>) {
    if (!keys.has(r.tbl)) keys.set(r.tbl, []);
    keys.get(r.tbl)!.push(JSON.parse(r.pk) as unknown[]);
  }
  return { upTo, keys };
}

/** The keys up to `upTo` were brought over into `target` (committed): forgotten, and the mark every later target must have reached. */
export function forgetKeys(lite: Database.Database, upTo: number, target: string): void {
  lite.transaction(() => {
    lite.prepare(`DELETE FROM ${CHANGES_TABLE} WHERE seq <= ?`).run(upTo);
    // The database that has it all now (the one the first run filled, or a copy of it caught up instead).
    lite.prepare(`UPDATE ${MOVE_TABLE} SET forgotten_up_to = max(forgotten_up_to, ?), target = ?`).run(upTo, target);
  })();
}

/** SQLite's match for one key (IS: a NULL in a key column matches NULL). */
const byKey = (key: string[]) => key.map((c) => `${quote(c)} IS ?`).join(' AND ');

/**
 * Brings PostgreSQL's copy of `table` to the snapshot for the recorded keys: rows gone from SQLite are deleted, the
 * others inserted or overwritten. Deletions first (children before parents, by the caller's order), so a row
 * deleted and inserted again under a new key frees its unique values before the new one arrives.
 */
export async function deleteGone(lite: Database.Database, client: pg.Client, table: string, keys: unknown[][]): Promise<number> {
  const key = sqliteKey(lite, table);
  const find = lite.prepare(`SELECT 1 FROM ${quote(table)} WHERE ${byKey(key)}`).pluck();
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
  const read = lite.prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)} WHERE ${byKey(sqliteKey(lite, table))}`).raw(true);
  return keys.map((k) => read.get(...k) as unknown[] | undefined).filter((r): r is unknown[] => r !== undefined);
}
