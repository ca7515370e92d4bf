// `npm run migrate-store`: copies the SQLite store (LEADFWD_DATA_DIR/leadfwd.sqlite, or `--from <backup file>`) into
// an empty PostgreSQL database (LEADFWD_DATABASE_URL), migrated here to this version's schema first.
//
// Loses nothing: every table is copied in one PostgreSQL transaction (all or nothing), in batches, from one consistent
// SQLite snapshot (a read transaction: the service may keep running while it reads); the row counts of every table
// are compared before the commit, and identity sequences are moved past the largest copied ids. It refuses a
// target that holds any row or another application's tables (before migrating anything), a SQLite store of another
// schema version, and a table or column PostgreSQL lacks.
// Rows the service writes after the snapshot are not in the copy: stop the service on SQLite for the final run (or
// copy a backup taken after it stopped), then start it with LEADFWD_DATABASE_URL. A run that saw such writes says so
// and exits 2.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ConfigError, loadConfig, redactDatabaseUrl } from '../service/src/config.js';
import { StoreMigrationError } from '../service/src/ports/errors.js';
import { loadMigrations, pendingMigrations } from '../service/src/store/migrate.js';
import { inTransaction, openPgStore } from '../service/src/store/pg/db.js';

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
  /** The service committed to the SQLite file while it was copied: those writes are not in PostgreSQL. */
  writtenMeanwhile: boolean;
}

/** Bind parameters per INSERT stay under PostgreSQL's 65,535. */
const MAX_PARAMS = 60_000;

export async function migrateStore(o: {
  /** The SQLite file: the service's leadfwd.sqlite or a backup of it. */
  sqlitePath: string;
  databaseUrl: string;
  /** Rows per INSERT (fewer when a table has many columns). */
  batchRows?: number;
  /** A PostgreSQL schema other than `public` (tests). */
  schema?: string;
}): Promise<StoreCopy> {
  const where = redactDatabaseUrl(o.databaseUrl);
  if (!existsSync(o.sqlitePath)) throw new MigrateStoreError(`no SQLite store at ${o.sqlitePath} (check LEADFWD_DATA_DIR or --from)`);
  const lite = new Database(o.sqlitePath, { readonly: true, fileMustExist: true });
  try {
    checkSqliteVersion(lite);
    await refuseUnlessEmpty(o.databaseUrl, o.schema, where);
    // Migrates an empty database to this version's schema; refuses one of a newer version.
    try {
      await (await openPgStore(o.databaseUrl, { poolSize: 1, ...(o.schema ? { schema: o.schema } : {}) })).close();
    } catch (err) {
      throw new MigrateStoreError(`PostgreSQL at ${where} cannot be used: ${(err as Error).message}`);
    }
    const client = new pg.Client({ connectionString: o.databaseUrl, ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}) });
    client.on('error', () => {}); // a lost connection fails the query in flight, which rolls everything back
    await client.connect();
    try {
      return await copyAll(lite, client, o.batchRows ?? 1000);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    lite.close();
  }
}

/**
 * Before anything is migrated: a database holding rows (an older LeadFWD's, whose processes would stop taking work
 * once its schema moved on) or another application's tables is refused as it is.
 */
async function refuseUnlessEmpty(url: string, schema: string | undefined, where: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new MigrateStoreError(`PostgreSQL at ${where} cannot be used: ${(err as Error).message}`);
  }
  try {
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

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function copyAll(lite: Database.Database, client: pg.Client, batchRows: number): Promise<StoreCopy> {
  // Changes whenever another connection commits: read before the snapshot and after the copy, it tells whether the
  // service wrote meanwhile (or just before the snapshot, which only errs on the side of saying so).
  const version = () => lite.pragma('data_version', { simple: true });
  const before = version();
  const tables = await copySnapshot(lite, client, batchRows);
  return { tables, writtenMeanwhile: version() !== before };
}

async function copySnapshot(lite: Database.Database, client: pg.Client, batchRows: number): Promise<TableCopy[]> {
  // One snapshot for every table: a read transaction holds it (WAL), whatever the service commits meanwhile.
  lite.exec('BEGIN');
  try {
    const tables = (
      lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations'")
        .all() as Array<{ name: string }>
    ).map((t) => t.name);
    const pgColumns = await schemaTables(client);
    pgColumns.delete('schema_migrations');
    const columns = new Map<string, string[]>();
    const problems: string[] = [];
    for (const t of tables) {
      const cols = (lite.prepare(`SELECT name FROM pragma_table_info(?)`).all(t) as Array<{ name: string }>).map((c) => c.name);
      columns.set(t, cols);
      const target = pgColumns.get(t);
      if (!target) problems.push(`table ${t} has no PostgreSQL counterpart`);
      else for (const c of cols) if (!target.has(c)) problems.push(`column ${t}.${c} has no PostgreSQL counterpart`);
    }
    for (const t of pgColumns.keys()) if (!tables.includes(t)) problems.push(`PostgreSQL table ${t} has no SQLite counterpart`);
    if (problems.length) throw new MigrateStoreError(`the two schemas differ, nothing was copied: ${problems.join('; ')}`);

    // Again right before the copy: a process may have started on the database since the first look.
    await refuseRows(client, tables, 'nothing was copied');

    const order = await parentsFirst(client, tables);
    const counted = new Map(tables.map((t) => [t, (lite.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n]));
    return await inTransaction(client, async () => {
      for (const t of order) await copyTable(lite, client, t, columns.get(t)!, batchRows);
      // Identity columns continue after the largest copied id, so the next insert does not collide with a copied row.
      const identities = (
        await client.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'")
      ).rows as Array<{ table_name: string; column_name: string }>;
      for (const { table_name: t, column_name: c } of identities) {
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(c)}), 0) + 1, false) FROM ${quote(t)}`, [quote(t), c]);
      }
      const result: TableCopy[] = [];
      for (const t of tables) {
        const n = Number((await client.query(`SELECT count(*) AS n FROM ${quote(t)}`)).rows[0].n);
        result.push({ table: t, sqlite: counted.get(t)!, postgres: n });
      }
      const wrong = result.filter((r) => r.sqlite !== r.postgres);
      if (wrong.length) {
        throw new MigrateStoreError(
          `row counts differ after the copy (${wrong.map((r) => `${r.table}: ${r.sqlite} vs ${r.postgres}`).join(', ')}); nothing was kept`,
        );
      }
      return result;
    });
  } finally {
    lite.exec('COMMIT');
  }
}

/** The tables in an order where every foreign key's parent is filled before its children. */
async function parentsFirst(client: pg.Client, tables: string[]): Promise<string[]> {
  const edges = (
    await client.query(
      `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c
         JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
        WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
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

async function copyTable(lite: Database.Database, client: pg.Client, table: string, cols: string[], batchRows: number): Promise<void> {
  const perInsert = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / cols.length)));
  const head = `INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES `;
  // In rowid (or primary key) order, so identity ids and the order of events stay as they were.
  const rows = lite
    .prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)}`)
    .raw(true)
    .iterate() as IterableIterator<unknown[]>;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    const values = batch.map((_, i) => `(${cols.map((__, j) => `$${i * cols.length + j + 1}`).join(', ')})`).join(', ');
    await client.query(head + values, batch.flat());
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= perInsert) await flush();
  }
  await flush();
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/migrate-store.ts')) {
  try {
    const config = loadConfig(process.env, { requireSecret: false });
    if (!config.database) throw new MigrateStoreError('LEADFWD_DATABASE_URL is not set: name the PostgreSQL database to copy into (postgres://…)');
    const fromAt = process.argv.indexOf('--from');
    const sqlitePath = fromAt > 0 ? resolve(process.argv[fromAt + 1] ?? '') : config.dataDir === ':memory:' ? '' : join(config.dataDir, 'leadfwd.sqlite');
    if (!sqlitePath) throw new MigrateStoreError('LEADFWD_DATA_DIR is :memory:; there is no SQLite store to copy');
    console.error(
      'migrate-store copies one consistent snapshot. Rows the service writes after it are not copied: stop the service on SQLite ' +
        'for the final copy (or copy a backup taken after it stopped), then start it with LEADFWD_DATABASE_URL.',
    );
    const { tables: copied, writtenMeanwhile } = await migrateStore({ sqlitePath, databaseUrl: config.database.url });
    const width = Math.max(...copied.map((c) => c.table.length));
    console.log(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
    for (const c of copied) console.log(`${c.table.padEnd(width)}  ${String(c.sqlite).padStart(10)}  ${String(c.postgres).padStart(10)}`);
    console.log(
      `copied ${copied.reduce((n, c) => n + c.postgres, 0)} rows in ${copied.length} tables from ${sqlitePath} to ${redactDatabaseUrl(config.database.url)}`,
    );
    if (writtenMeanwhile) {
      console.error(
        'The service wrote to the SQLite store while it was copied; those writes are not in PostgreSQL. For the move itself, stop the service, ' +
          'empty the PostgreSQL database (or use a new one) and run migrate-store again.',
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
