// `npm run migrate-store`: copies the SQLite store (LEADFWD_DATA_DIR/leadfwd.sqlite, or `--from <backup file>`) into
// an empty PostgreSQL database (LEADFWD_DATABASE_URL), migrated here to this version's schema first.
//
// Online, and loses nothing: triggers in the SQLite file first start recording the key of every row the running
// service writes (migrate-store-changes.ts); then every table is copied in one PostgreSQL transaction (all or
// nothing), in batches, from one consistent SQLite snapshot (a read transaction); the rows written meanwhile are
// brought over at once. While the service still runs the recording goes on and the command exits 2; once it is
// stopped, `--catch-up` brings over the rest (seconds: only those rows), removes the triggers and marks the file
// moved, so the service no longer starts on it. Every catch-up is one PostgreSQL transaction; after each, every
// table's row count is compared with the snapshot's and identity sequences are moved past the largest ids. It
// refuses a target that holds any row or another application's tables (before migrating anything), a SQLite store of
// another schema version, a table or column PostgreSQL lacks, and a second move while one is under way (`--restart`
// starts over). `--cancel` gives a move up, or takes a moved file back.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ConfigError, loadConfig, redactDatabaseUrl } from '../service/src/config.js';
import { StoreMigrationError } from '../service/src/ports/errors.js';
import { loadMigrations, pendingMigrations } from '../service/src/store/migrate.js';
import {
  CHANGES_TABLE,
  clearMoveMarks,
  fileIdentity,
  MOVE_TABLE,
  MOVED_TABLE,
  type MoveMarks,
  type MoveUnderWay,
  moveMarks,
  quoteName as quote,
} from '../service/src/store/move-marks.js';
import { inTransaction, openPgStore } from '../service/src/store/pg/db.js';
import { deleteGone, finishCapture, forgetKeys, presentRows, recordedKeys, startCapture, takeSoleUse } from './migrate-store-changes.js';

export class MigrateStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateStoreError';
  }
}

export interface TableCopy {
  table: string;
  sqlite: number;
  postgres: number;
}

export interface StoreCopy {
  tables: TableCopy[];
  /** Rows the service wrote after the copy's snapshot (recorded keys), brought over by the catch-up. */
  changes: number;
  /**
   * No other connection had the SQLite file open at the end (the service was stopped): PostgreSQL holds the store as
   * it was left, and the triggers recording the service's writes are gone. Otherwise they keep recording, for
   * `--catch-up`.
   */
  complete: boolean;
}

/** Bind parameters per INSERT stay under PostgreSQL's 65,535. */
const MAX_PARAMS = 60_000;

interface MoveOptions {
  /** The SQLite file: the service's leadfwd.sqlite or a backup of it. */
  sqlitePath: string;
  databaseUrl: string;
  /** Rows per INSERT (fewer when a table has many columns). */
  batchRows?: number;
  /** A PostgreSQL schema other than `public` (tests). */
  schema?: string;
}

/** The first run: the copy of one snapshot into an empty database, then a catch-up with what was written meanwhile. */
export async function migrateStore(o: MoveOptions & { /** Give up a move under way from this file and start anew. */ restart?: boolean }): Promise<StoreCopy> {
  return await withStores(o, { fresh: true, restart: o.restart }, async (lite, client, batchRows, target) => {
    const move = { id: randomUUID(), target, at: new Date().toISOString() };
    // Before the snapshot, so every write after it is recorded (one just before it is in both: copied twice, alike).
    startCapture(lite, liteTables(lite), move);
    try {
      await copySnapshot(lite, client, batchRows, move.id);
    } catch (err) {
      clearMoveMarks(lite); // nothing was copied: the service's file is left as it was
      throw err;
    }
    // Past the copy's commit the recording stays, whatever happens: `--catch-up` can always take over from here.
    return await catchUp(lite, client, batchRows, target);
  });
}

/** `--catch-up`: brings the copy up to date with what the service wrote since; complete once the service is stopped. */
export async function catchUpStore(o: MoveOptions): Promise<StoreCopy> {
  return await withStores(o, { fresh: false }, async (lite, client, batchRows, target) => await catchUp(lite, client, batchRows, target));
}

/** `--cancel`: a move given up (its triggers go) or a moved file taken back (the service may start on it again). */
export function cancelMove(sqlitePath: string): MoveMarks {
  const lite = openLite(sqlitePath);
  try {
    const marks = moveMarks(lite);
    clearMoveMarks(lite);
    return marks;
  } finally {
    lite.close();
  }
}

function openLite(sqlitePath: string): Database.Database {
  if (!existsSync(sqlitePath)) throw new MigrateStoreError(`no SQLite store at ${sqlitePath} (check LEADFWD_DATA_DIR or --from)`);
  if (!statSync(sqlitePath).isFile())
    throw new MigrateStoreError(`${sqlitePath} is a folder, not a SQLite store file (--from takes the file, e.g. leadfwd.sqlite)`);
  // Writable: the triggers are installed in it. The wait is for the running service's write transactions.
  return new Database(sqlitePath, { fileMustExist: true, timeout: 10_000 });
}

async function withStores<T>(
  o: MoveOptions,
  mode: { fresh: boolean; restart?: boolean },
  fn: (lite: Database.Database, client: pg.Client, batchRows: number, target: string) => Promise<T>,
): Promise<T> {
  const where = redactDatabaseUrl(o.databaseUrl);
  const target = o.schema ? `${where} (schema ${o.schema})` : where;
  const lite = openLite(o.sqlitePath);
  try {
    checkSqliteVersion(lite);
    const under = moveMarks(lite).underWay;
    if (mode.fresh && under && !mode.restart) {
      throw new MigrateStoreError(
        `a move from this file into ${under.target} is under way: run \`npm run migrate-store -- --catch-up\` to go on with it, \`-- --cancel\` to give it up, or \`-- --restart\` to start a new one (that one can then no longer be caught up)`,
      );
    }
    if (mode.fresh) await refuseUnlessEmpty(o.databaseUrl, o.schema, where);
    else if (!under) throw new MigrateStoreError(`no move is under way from ${o.sqlitePath}: run npm run migrate-store first`);
    else await refuseUnlessMoved(o.databaseUrl, o.schema, where);
    // Migrates an empty database to this version's schema; refuses one of a newer version.
    try {
      await (await openPgStore(o.databaseUrl, { poolSize: 1, ...(o.schema ? { schema: o.schema } : {}) })).close();
    } catch (err) {
      throw new MigrateStoreError(`PostgreSQL at ${where} cannot be used: ${(err as Error).message}`);
    }
    return await withClient(o.databaseUrl, o.schema, where, async (client) => await fn(lite, client, o.batchRows ?? 1000, target));
  } finally {
    lite.close();
  }
}

/** A catch-up needs the database the first run filled: one with LeadFWD's schema, not an empty or another one. */
async function refuseUnlessMoved(url: string, schema: string | undefined, where: string): Promise<void> {
  const tables = await withClient(url, schema, where, async (client) => await schemaTables(client));
  if (!tables.has('schema_migrations') || !tables.has('recipients')) {
    throw new MigrateStoreError(`the PostgreSQL database at ${where} holds no LeadFWD store: give --catch-up the database the first run filled`);
  }
}

/**
 * Before anything is migrated: a database holding rows (an older LeadFWD's, whose processes would stop taking work
 * once its schema moved on) or another application's tables is refused as it is.
 */
async function refuseUnlessEmpty(url: string, schema: string | undefined, where: string): Promise<void> {
  await withClient(url, schema, where, async (client) => {
    const tables = [...(await schemaTables(client)).keys()].sort();
    if (tables.length === 0) return;
    // Other tools keep a schema_migrations table too; LeadFWD's has these columns.
    const ours =
      tables.includes('schema_migrations') &&
      Number(
        (
          await client.query(
            "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name IN ('version', 'name', 'checksum', 'applied_at')",
          )
        ).rows[0].n,
      ) === 4;
    if (!ours) {
      throw new MigrateStoreError(
        `the PostgreSQL database holds tables that are not LeadFWD's (${tables.slice(0, 10).join(', ')}${tables.length > 10 ? ', …' : ''}); give migrate-store an empty database, nothing was changed`,
      );
    }
    await refuseRows(
      client,
      tables.filter((t) => t !== 'schema_migrations'),
      'nothing was copied and its schema was not changed',
    );
  });
}

async function withClient<T>(url: string, schema: string | undefined, where: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  client.on('error', () => {}); // a lost connection fails the query in flight, which rolls its transaction back
  try {
    await client.connect();
  } catch (err) {
    throw new MigrateStoreError(`PostgreSQL at ${where} cannot be used: ${(err as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** migrate-store only fills an empty database: rows in any of these tables refuse it, saying what was left as it was. */
async function refuseRows(client: pg.Client, tables: string[], leftAlone: string): Promise<void> {
  const withRows: string[] = [];
  for (const t of tables) if ((await client.query(`SELECT EXISTS (SELECT 1 FROM ${quote(t)}) AS any`)).rows[0].any) withRows.push(t);
  if (withRows.length) {
    throw new MigrateStoreError(`the PostgreSQL database is not empty (rows in ${withRows.join(', ')}); migrate-store only fills an empty one, ${leftAlone}`);
  }
}

/** The SQLite store must be at exactly this version's schema, as PostgreSQL is about to be. */
function checkSqliteVersion(lite: Database.Database): void {
  const hasTable = lite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) throw new MigrateStoreError('the SQLite file is not a LeadFWD store (it has no schema_migrations table)');
  const applied = lite.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as Array<{
    version: number;
    name: string;
    checksum: string;
  }>;
  let pending: number;
  try {
    pending = pendingMigrations(applied, loadMigrations()).length;
  } catch (err) {
    if (err instanceof StoreMigrationError) throw new MigrateStoreError(`the SQLite store does not match this version: ${err.message}`);
    throw err;
  }
  if (pending > 0) {
    throw new MigrateStoreError(
      `the SQLite store is ${pending} migration(s) behind this version: start this version of the service on it once (it migrates at start), stop it, then run migrate-store again`,
    );
  }
}

/**
 * The schema's tables and their columns. Views (pg_stat_statements's, say) and an extension's own tables (PostGIS's
 * spatial_ref_sys) come with the database, not with an application: neither is LeadFWD's nor in its way.
 */
async function schemaTables(client: pg.Client): Promise<Map<string, Set<string>>> {
  const { rows } = await client.query(
    `SELECT c.relname AS t, a.attname AS col FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
  );
  const tables = new Map<string, Set<string>>();
  for (const r of rows as Array<{ t: string; col: string }>) {
    if (!tables.has(r.t)) tables.set(r.t, new Set());
    tables.get(r.t)!.add(r.col);
  }
  return tables;
}

/** The SQLite tables to copy: LeadFWD's own, without its migrations' record and a move's marks. */
function liteTables(lite: Database.Database): string[] {
  return (
    lite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT IN ('schema_migrations', ?, ?, ?)")
      .all(CHANGES_TABLE, MOVE_TABLE, MOVED_TABLE) as Array<{ name: string }>
  ).map((t) => t.name);
}

const liteColumns = (lite: Database.Database, table: string) =>
  (lite.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((c) => c.name);

async function copySnapshot(lite: Database.Database, client: pg.Client, batchRows: number, moveId: string): Promise<TableCopy[]> {
  // One snapshot for every table: a read transaction holds it (WAL), whatever the service commits meanwhile.
  lite.exec('BEGIN');
  try {
    const tables = liteTables(lite);
    const pgColumns = await schemaTables(client);
    pgColumns.delete('schema_migrations');
    const problems: string[] = [];
    for (const t of tables) {
      const target = pgColumns.get(t);
      if (!target) problems.push(`table ${t} has no PostgreSQL counterpart`);
      else for (const c of liteColumns(lite, t)) if (!target.has(c)) problems.push(`column ${t}.${c} has no PostgreSQL counterpart`);
    }
    for (const t of pgColumns.keys()) if (!tables.includes(t)) problems.push(`PostgreSQL table ${t} has no SQLite counterpart`);
    if (problems.length) throw new MigrateStoreError(`the two schemas differ, nothing was copied: ${problems.join('; ')}`);

    // Again right before the copy: a process may have started on the database since the first look.
    await refuseRows(client, tables, 'nothing was copied');

    const order = await parentsFirst(client, tables);
    return await inTransaction(client, async () => {
      // The move's mark in the target: catch-ups go only into this database, each past what the last one brought.
      await client.query(`CREATE TABLE ${MOVE_TABLE} (id TEXT PRIMARY KEY, applied_up_to BIGINT NOT NULL DEFAULT 0, completed_at TEXT)`);
      await client.query(`INSERT INTO ${MOVE_TABLE} (id) VALUES ($1)`, [moveId]);
      for (const t of order) {
        const cols = liteColumns(lite, t);
        // In rowid (or primary key) order, so identity ids and the order of events stay as they were.
        const rows = lite
          .prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(t)}`)
          .raw(true)
          .iterate() as IterableIterator<unknown[]>;
        await insertRows(client, t, cols, rows, batchRows);
      }
      return await settleCopy(lite, client, tables, 'after the copy');
    });
  } finally {
    lite.exec('COMMIT');
  }
}

/**
 * Brings PostgreSQL to a newer snapshot for the keys the triggers recorded since the last one. When no other
 * connection has the file open (the service stopped), it is the last: the triggers go, the file says where its data
 * went, and the service cannot start on the file meanwhile. Otherwise the keys brought over are forgotten and
 * recording goes on.
 */
async function catchUp(lite: Database.Database, client: pg.Client, batchRows: number, target: string): Promise<StoreCopy> {
  const move = moveMarks(lite).underWay!;
  // The lock below proves the service stopped only on the file it writes: a copy of it (cp while it runs) holds the
  // same marks, takes the lock at once, and completed the move while the service went on writing to the original.
  if (move.file && move.file !== fileIdentity(lite.name)) {
    throw new MigrateStoreError(
      `${lite.name} is not the file this move started on, but a copy of it (or a file put in its place): a copy cannot show that the service stopped, so nothing was brought over from it. Stop the service and run \`npm run migrate-store -- --catch-up\` on the store file itself (LEADFWD_DATA_DIR, or --from the file the move started on)`,
    );
  }
  const sole = takeSoleUse(lite);
  const at = new Date().toISOString();
  let upTo = 0;
  let changes = 0;
  const tables = await inTransaction(client, async () => {
    // Locked before the SQLite snapshot is taken and until the commit: catch-ups into one database go one at a
    // time, each from a newer snapshot than the one before.
    const applied = await lockMove(client, move);
    lite.exec('BEGIN');
    try {
      // Read in the snapshot the keys come from: what the file forgot is not among them.
      if (applied < moveMarks(lite).underWay!.forgottenUpTo) {
        throw new MigrateStoreError(
          'this PostgreSQL database misses rows a catch-up brought into another one (a copy of it?) and the file has forgotten: start the move again with --restart into an empty database',
        );
      }
      const recorded = recordedKeys(lite);
      upTo = recorded.upTo;
      const names = liteTables(lite);
      const order = await parentsFirst(client, names);
      for (const t of [...order].reverse()) changes += await deleteGone(lite, client, t, recorded.keys.get(t) ?? []);
      for (const t of order) {
        const keys = recorded.keys.get(t);
        if (!keys?.length) continue;
        const cols = liteColumns(lite, t);
        const rows = presentRows(lite, t, cols, keys);
        changes += rows.length;
        await overwriteRows(client, t, cols, rows, batchRows);
      }
      await client.query(`UPDATE ${MOVE_TABLE} SET applied_up_to = $1, completed_at = $2`, [upTo, sole ? at : null]);
      return await settleCopy(lite, client, names, 'after the catch-up');
    } finally {
      lite.exec('COMMIT');
    }
  });
  if (sole) finishCapture(lite, target, at);
  else forgetKeys(lite, upTo, target);
  return { tables, changes, complete: sole };
}

/** The target's mark of this move, locked, and how far it has applied the recorded keys; another move's is refused. */
async function lockMove(client: pg.Client, move: MoveUnderWay): Promise<number> {
  let row: { id: string; applied_up_to: string } | undefined;
  try {
    row = (await client.query(`SELECT id, applied_up_to FROM ${MOVE_TABLE} FOR UPDATE NOWAIT`)).rows[0];
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01') throw new MigrateStoreError(`this PostgreSQL database was not filled by the move under way (into ${move.target})`);
    if (code === '55P03') throw new MigrateStoreError('another catch-up into this database is running; run this one once it has ended');
    throw err;
  }
  if (row?.id !== move.id) {
    throw new MigrateStoreError(`this PostgreSQL database was filled by another move than the one under way (into ${move.target})`);
  }
  return Number(row.applied_up_to);
}

/**
 * The snapshot's rows over PostgreSQL's, in batches. A batch can meet a unique value (the default identity, a name)
 * that another changed row still holds in PostgreSQL and gives up later in the order: then the rows go one by one,
 * each that collides waiting for the others, until none is left or none moves (values that went round in a
 * circle, which the message names).
 */
async function overwriteRows(client: pg.Client, table: string, cols: string[], rows: unknown[][], batchRows: number): Promise<void> {
  const onConflict = await overwrite(client, table, cols);
  const attempt = async (part: unknown[][], perInsert: number) => {
    await client.query('SAVEPOINT rows');
    try {
      await insertRows(client, table, cols, part, perInsert, onConflict);
      await client.query('RELEASE SAVEPOINT rows');
      return true;
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT rows');
      if ((err as { code?: string }).code !== '23505') throw err;
      return false;
    }
  };
  if (await attempt(rows, batchRows)) return;
  let waiting = rows;
  while (waiting.length) {
    const still: unknown[][] = [];
    for (const row of waiting) if (!(await attempt([row], 1))) still.push(row);
    if (still.length === waiting.length) {
      throw new MigrateStoreError(
        `${still.length} rows of ${table} hold unique values (a name, the default) another of them holds in PostgreSQL: change one of them in LeadFWD and run --catch-up again`,
      );
    }
    waiting = still;
  }
}

/** `ON CONFLICT` on PostgreSQL's primary key: the row as the snapshot has it replaces the copied one. */
async function overwrite(client: pg.Client, table: string, cols: string[]): Promise<string> {
  const key = (
    await client.query(
      `SELECT a.attname AS c FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [quote(table)],
    )
  ).rows.map((r) => r.c as string);
  const rest = cols.filter((c) => !key.includes(c));
  const action = rest.length ? `DO UPDATE SET ${rest.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}` : 'DO NOTHING';
  return ` ON CONFLICT (${key.map(quote).join(', ')}) ${action}`;
}

/** Identity sequences moved past the largest ids, and every table's row count compared with the snapshot's. */
async function settleCopy(lite: Database.Database, client: pg.Client, tables: string[], when: string): Promise<TableCopy[]> {
  // Identity columns continue after the largest copied id, so the next insert does not collide with a copied row.
  const identities = (
    await client.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'")
  ).rows as Array<{ table_name: string; column_name: string }>;
  for (const { table_name: t, column_name: c } of identities) {
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(c)}), 0) + 1, false) FROM ${quote(t)}`, [quote(t), c]);
  }
  const result: TableCopy[] = [];
  for (const t of tables) {
    const sqlite = (lite.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n;
    result.push({ table: t, sqlite, postgres: Number((await client.query(`SELECT count(*) AS n FROM ${quote(t)}`)).rows[0].n) });
  }
  const wrong = result.filter((r) => r.sqlite !== r.postgres);
  if (wrong.length) {
    throw new MigrateStoreError(`row counts differ ${when} (${wrong.map((r) => `${r.table}: ${r.sqlite} vs ${r.postgres}`).join(', ')}); nothing was kept`);
  }
  return result;
}

/** The tables in an order where every foreign key's parent is filled before its children. */
async function parentsFirst(client: pg.Client, tables: string[]): Promise<string[]> {
  const edges = (
    await client.query(
      `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c
         JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
        WHERE c.contype = 'f' AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
    )
  ).rows as Array<{ child: string; parent: string }>;
  const done: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (done.includes(t) || visiting.has(t)) return; // a cycle or a self-reference: rows of one table go in their order
    visiting.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent);
    visiting.delete(t);
    done.push(t);
  };
  for (const t of tables) visit(t);
  return done.filter((t) => tables.includes(t));
}

async function insertRows(client: pg.Client, table: string, cols: string[], rows: Iterable<unknown[]>, batchRows: number, onConflict = ''): Promise<void> {
  const perInsert = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / cols.length)));
  const head = `INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES `;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    const values = batch.map((_, i) => `(${cols.map((__, j) => `$${i * cols.length + j + 1}`).join(', ')})`).join(', ');
    await client.query(head + values + onConflict, batch.flat());
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= perInsert) await flush();
  }
  await flush();
}

const OPTIONS = { from: { type: 'string' }, 'catch-up': { type: 'boolean' }, restart: { type: 'boolean' }, cancel: { type: 'boolean' } } as const;
const USAGE = 'usage: npm run migrate-store -- [--from <SQLite file>] [--catch-up | --restart | --cancel]';

/**
 * The command's arguments; anything else (a typo, --help, --dry-run) is refused before anything is touched, as is an
 * option npm took for itself (`npm run migrate-store --catch-up`, without the `--`, ran a first copy instead).
 */
function parseArguments(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const tookByNpm = Object.keys(OPTIONS).filter((o) => env[`npm_config_${o.replace('-', '_')}`] !== undefined);
  if (tookByNpm.length)
    throw new MigrateStoreError(
      `npm kept --${tookByNpm.join(' and --')} for itself (the options go after \`--\`): run \`npm run migrate-store -- --${tookByNpm[0]}${tookByNpm[0] === 'from' ? ' <file>' : ''}\`; nothing was done`,
    );
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new MigrateStoreError(`${(err as Error).message.split('\n')[0]}; nothing was done. ${USAGE}`);
  }
  const v = parsed.values;
  const modes = (['catch-up', 'restart', 'cancel'] as const).filter((m) => v[m]);
  if (modes.length > 1) throw new MigrateStoreError(`--${modes.join(' and --')} do not go together; nothing was done. ${USAGE}`);
  if (v.from !== undefined && (!v.from.trim() || v.from.startsWith('--'))) throw new MigrateStoreError(`--from needs a file; nothing was done. ${USAGE}`);
  return { from: v.from, mode: modes[0] };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/migrate-store.ts')) {
  try {
    const args = parseArguments(process.argv.slice(2));
    const config = loadConfig(process.env, { requireSecret: false });
    const sqlitePath = args.from !== undefined ? resolve(args.from) : config.dataDir === ':memory:' ? '' : join(config.dataDir, 'leadfwd.sqlite');
    if (!sqlitePath) throw new MigrateStoreError('LEADFWD_DATA_DIR is :memory:; there is no SQLite store to copy');
    if (args.mode === 'cancel') {
      const { moved, underWay } = cancelMove(sqlitePath);
      if (moved) {
        console.log(
          `${sqlitePath} had been moved to ${moved.target} at ${moved.at}; it is taken back: the service may run on it again, without what was written in PostgreSQL since`,
        );
      } else if (underWay)
        console.log(`the move from ${sqlitePath} into ${underWay.target} is given up: its triggers are gone; the PostgreSQL copy was left as it is`);
      else console.log(`no move was under way from ${sqlitePath}`);
      process.exit(0);
    }
    if (!config.database) throw new MigrateStoreError('LEADFWD_DATABASE_URL is not set: name the PostgreSQL database to copy into (postgres://…)');
    const options = { sqlitePath, databaseUrl: config.database.url };
    const { tables, changes, complete } =
      args.mode === 'catch-up' ? await catchUpStore(options) : await migrateStore({ ...options, restart: args.mode === 'restart' });
    const width = Math.max(...tables.map((c) => c.table.length));
    console.log(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
    for (const c of tables) console.log(`${c.table.padEnd(width)}  ${String(c.sqlite).padStart(10)}  ${String(c.postgres).padStart(10)}`);
    console.log(
      `${tables.reduce((n, c) => n + c.postgres, 0)} rows in ${tables.length} tables in ${redactDatabaseUrl(config.database.url)}, as in ${sqlitePath}; ${changes} written meanwhile brought over`,
    );
    if (complete) console.log('The move is complete: start the service with LEADFWD_DATABASE_URL (and the same LEADFWD_SECRET and LEADFWD_PUBLIC_URL).');
    else {
      console.error(
        'The service still has the SQLite store open: what it writes from now on is recorded in the file. Stop it, run `npm run migrate-store -- --catch-up` ' +
          '(only the rows written since; run it while the service runs too, to keep the last one short), then start the service with LEADFWD_DATABASE_URL.',
      );
      process.exitCode = 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) console.error(e.message);
    else if (e instanceof MigrateStoreError) console.error(`migrate-store refused: ${e.message}`);
    else console.error(`migrate-store failed, nothing was kept: ${(e as Error).message}`);
    process.exit(1);
  }
}
