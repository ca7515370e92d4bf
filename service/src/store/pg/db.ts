// Opens the PostgreSQL store (LEADFWD_DATABASE_URL=postgres://…): the only place that creates `pg` pools.
//
// Why `pg` (node-postgres) and not `postgres` (porsager): the ports' unit of work maps one to one onto pg's explicit
// client checkout (pool.connect() → BEGIN … COMMIT on that client, the repositories bound to it), its Pool has the
// knobs a multi-process deployment needs (max, idle and connection timeouts, an error event per idle client), it is
// the most used and longest maintained driver, and COPY (the SQLite → PostgreSQL move) is one small add-on away.
// `postgres` pipelines implicitly and is faster on many tiny statements, but its tagged-template API and
// sql.begin() scoping would make every repository differ in shape from the SQLite ones.
//
// Status (issue 15): every port (the whole Repos: the contract suites open it as a Store) and the
// operator's StoreOps, each with its own numbered migrations; selected by LEADFWD_DATABASE_URL in composition.ts
// (which waits for an unreachable server at start), filled from SQLite by scripts/migrate-store.ts.

import { createHash } from 'node:crypto';
import pg from 'pg';
import { BackupUnsupportedError, StoreUnavailableError } from '../../ports/errors.js';
import type { Repos, StoreOps } from '../../ports/index.js';
import { StoreMigrationError } from '../errors.js';
import { RECIPIENTS_BY_STATE } from '../ledger-values.js';
import { loadMigrations, type Migration, migrationsBeside, pendingMigrations } from '../migrate.js';
import { MOVE_TABLE } from '../move-marks.js';
import { PgAutomationRepo } from './automation-repo.js';
import { PgCampaignRepo } from './campaign-repo.js';
import { PgDayAllowanceRepo, PgProviderSlotRepo, PgProviderThrottleRepo } from './delivery-shares-repo.js';
import { PgEngagementRepo } from './engagement-repo.js';
import { isOutage, POOL_BUSY, translatePg } from './errors.js';

const POOL_WAIT = /timeout exceeded when trying to connect/i;

import { PgIdentityRepo } from './identity-repo.js';
import { PgAbTestRepo, PgFollowUpRepo, PgScoreRepo } from './issue17-repos.js';
import { PgLeaseRepo, PgRateRepo, PgSugarSessionRepo } from './lease-repo.js';
import { PgLeadfwdListRepo } from './list-repo.js';
import { PgRecipientRepo } from './recipient-repo.js';
import { PgReportRepo } from './report-repo.js';
import { type Atomic, PgDeliverabilityRepo, PgEventRepo, PgOutboxRepo, PgRelayRepo, PgSuppressionRepo, type Query } from './repos.js';
import { PgSplitWinnerRepo } from './split-winner-repo.js';
import { PgWritebackRepo } from './writeback-repo.js';

// Beside this module in source; a bundle (`npm run build`: dist/service.mjs) has SQLite's in dist/migrations and these
// in dist/pg-migrations, both beside it.
export const PG_MIGRATIONS_DIR = migrationsBeside(import.meta.url, './pg-migrations/', './migrations/');

export interface PgStoreOptions {
  clock?: () => Date;
  outboxStaleMs?: number;
  /** Connections per process (default 10). */
  poolSize?: number;
  /** Statements with parameters as named prepared statements (default true); off for a pooler that cannot keep them. */
  prepared?: boolean;
  /** A schema of its own (tests: one per test), created when missing; default `public`. */
  schema?: string;
  migrationsDir?: string;
  /** This process's id, stamped on the ledger rows it claims (see recipients.recoverOrphaned). */
  owner?: string;
  /** How long after its process was last seen an interrupted row may not be sent again (default ANSWER_GRACE_MS). */
  answerGraceMs?: number;
  /**
   * Open without a connection: migrations (and so the schema check) wait for `migrate()`. A tracking process started
   * while PostgreSQL is down (composition.ts) runs them once it answers, and writes nothing before.
   */
  migrateLater?: boolean;
  /** Told when another process holds the migration lock, before waiting for it (the log says why start-up waits). */
  onMigrationWait?: () => void;
}

export interface PgStore extends Repos, StoreOps {
  transaction<T>(fn: (tx: Repos & { transaction: PgStore['transaction'] }) => Promise<T>): Promise<T>;
  /** Applies pending migrations (a newer schema is a StoreMigrationError); done at open unless `migrateLater`. */
  migrate(): Promise<void>;
  /** Why the schema is not this version's own (older or newer); undefined when it is. For tools that must not migrate. */
  schemaMismatch(): Promise<string | undefined>;
  close(): Promise<void>;
  readonly path: string;
  /** The database's collation: a libc locale (`C`, `en_US.UTF-8`) or `icu:<locale>`. */
  collation(): Promise<string>;
  /** True while `npm run migrate-store` fills this database and has not completed the move (move-marks.ts). */
  moveUnderWay(): Promise<boolean>;
}

// bigint ids (int8) as numbers: row ids stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const statementNames = new Map<string, string>();
/** A table's every column: a newer version adding one would fail such a prepared statement ("cached plan must not change result type"). */
const EVERY_COLUMN = /(?:SELECT|RETURNING) \*(?!\s+FROM unnest)/;
/**
 * A statement with parameters, as a named prepared statement: each connection parses and plans it once, not at every
 * call (the hot statements — claims, hand-off marks, outcomes, the pixel's batch — run thousands of times a second;
 * measured: PostgreSQL's CPU per message sent 334 → 237 µs). Every text is a constant of this code (values go as
 * parameters), so the names stay few.
 */
export function prepared(text: string, values: unknown[] | undefined, named = true): pg.QueryConfig {
  if (!named || !values?.length || EVERY_COLUMN.test(text)) return values ? { text, values } : { text };
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `lf_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`));
  return { name, text, values };
}

export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  const clock = opts.clock ?? (() => new Date());
  const named = opts.prepared ?? true;
  const now = () => clock().toISOString();
  const nowMs = () => clock().getTime();
  const schema = opts.schema ?? 'public';
  // Every call that finds the database unreachable tells the listeners at once (/readyz), not at their next probe.
  const outageListeners = new Set<(err: StoreUnavailableError) => void>();
  const translate = (err: unknown): unknown => {
    let e = translatePg(err);
    // pg-pool fails a caller that waited for a free connection with the words of a connect that timed out: with every
    // connection of the pool busy (long transactions, lock waits), the database answers; it is no outage.
    if (e instanceof StoreUnavailableError && e.code === 'PG_CONNECTION' && POOL_WAIT.test(String((err as Error)?.message)) && pool.totalCount >= poolSize)
      e = new StoreUnavailableError(POOL_BUSY, { cause: err, detail: `every one of the ${poolSize} pooled connections stayed busy for 5 s` });
    if (e instanceof StoreUnavailableError && isOutage(e)) for (const l of outageListeners) l(e);
    return e;
  };
  const rethrow = (err: unknown): never => {
    throw translate(err);
  };
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new StoreMigrationError(`schema name ${JSON.stringify(schema)} is not a plain identifier`);
  // The URL's own `options` (a statement_timeout, say) would replace the pool's: kept, with the store's after them.
  const { connectionString, options: given } = withoutOptions(url);
  const options = [given, connectionOptions(schema, opts.owner)].filter(Boolean).join(' ');
  const poolSize = opts.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    types,
    // The schema, and this process's owner id: a trigger stamps it on every ledger row the process turns 'sending'.
    ...(options ? { options } : {}),
  });
  // An idle client whose server went away (restart, failover) is dropped by the pool; do not crash the process.
  pool.on('error', () => {});
  // A checked-out client whose server goes away mid-transaction emits 'error' too; without a listener that would kill
  // the process. Its query rejects as well, and that is where the caller hears of it.
  pool.on('connect', (client) => client.on('error', () => {}));
  const migrations = loadMigrations(opts.migrationsDir ?? PG_MIGRATIONS_DIR);
  const migrate = async () => {
    try {
      await migratePg(pool, migrations, now, schema, opts.owner, opts.onMigrationWait);
    } catch (err) {
      throw err instanceof StoreMigrationError ? err : translate(err);
    }
  };
  if (!opts.migrateLater)
    await migrate().catch(async (err: unknown) => {
      await pool.end().catch(() => {});
      throw err;
    });
  const staleMs = opts.outboxStaleMs ?? 10 * 60_000;
  const repos = (q: Query, atomic: Atomic): Repos => ({
    outbox: guardedPg(translate, new PgOutboxRepo(q, now, staleMs)),
    suppressions: guardedPg(translate, new PgSuppressionRepo(q, now)),
    events: guardedPg(translate, new PgEventRepo(q)),
    relay: guardedPg(translate, new PgRelayRepo(q, atomic)),
    deliverability: guardedPg(translate, new PgDeliverabilityRepo(q)),
    lists: guardedPg(translate, new PgLeadfwdListRepo(q, atomic, now)),
    campaigns: guardedPg(translate, new PgCampaignRepo(q, atomic, now)),
    recipients: guardedPg(translate, new PgRecipientRepo(q, atomic, now, nowMs, opts.answerGraceMs)),
    engagement: guardedPg(translate, new PgEngagementRepo(q, now)),
    writeback: guardedPg(translate, new PgWritebackRepo(q, now)),
    reports: guardedPg(translate, new PgReportRepo(q)),
    automations: guardedPg(translate, new PgAutomationRepo(q, atomic, now)),
    identities: guardedPg(translate, new PgIdentityRepo(q, atomic, now)),
    followUps: guardedPg(translate, new PgFollowUpRepo(q)),
    scores: guardedPg(translate, new PgScoreRepo(q)),
    abTests: guardedPg(translate, new PgAbTestRepo(q, now)),
    splitWinners: guardedPg(translate, new PgSplitWinnerRepo(q)),
    leases: guardedPg(translate, new PgLeaseRepo(q, nowMs)),
    rates: guardedPg(translate, new PgRateRepo(q, nowMs)),
    sugarSessions: guardedPg(translate, new PgSugarSessionRepo(q, now)),
    providerThrottles: guardedPg(translate, new PgProviderThrottleRepo(q, atomic)),
    dayAllowances: guardedPg(translate, new PgDayAllowanceRepo(q)),
    providerSlots: guardedPg(translate, new PgProviderSlotRepo(q, atomic, nowMs)),
  });
  const onPool: Query = (text, values) => pool.query(prepared(text, values, named));
  // A repository's own few statements that must hold together, outside any use case's transaction.
  const atomicOnPool: Atomic = async (fn) => {
    const client = await pool.connect();
    return inPooledTransaction(client, () => fn((text, values) => client.query(prepared(text, values, named))));
  };
  const newerThanKnown = (newest: number) =>
    newest <= migrations.length
      ? undefined
      : `the database schema is at migration ${newest}, newer than this process knows (${migrations.length}): a newer LeadFWD version migrated it; upgrade this process`;
  const store: PgStore = {
    ...repos(onPool, atomicOnPool),
    // To the last '@' before the query: an unencoded one in a password is not where it ends.
    path: url.replace(/\/\/[^?]*@/, '//').replace(/([?&]password=)[^&#]*/gi, '$1***'),
    migrate,
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translate(err);
      }
      const onClient: Query = (text, values) => client.query(prepared(text, values, named));
      let savepoints = 0;
      const tx: Repos & { transaction: PgStore['transaction'] } = {
        ...repos(onClient, (fn) => fn(onClient)),
        // Nested: a savepoint on the same connection.
        async transaction(inner) {
          const name = `sp${++savepoints}`;
          await onClient(`SAVEPOINT ${name}`);
          try {
            const value = await inner(tx);
            await onClient(`RELEASE SAVEPOINT ${name}`);
            return value;
          } catch (err) {
            await onClient(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
            throw translate(err);
          }
        },
      };
      try {
        return await inPooledTransaction(client, () => fn(tx));
      } catch (err) {
        throw translate(err);
      }
    },
    async moveUnderWay() {
      // The mark `npm run migrate-store` keeps in the database it fills, under the name it has in the file.
      const { rows } = await pool
        .query(`SELECT to_regclass('${MOVE_TABLE}') IS NOT NULL AS present`)
        .then(async (r) => (r.rows[0].present ? await pool.query(`SELECT 1 FROM ${MOVE_TABLE} WHERE completed_at IS NULL`) : { rows: [] }))
        .catch((err: unknown) => {
          throw translate(err);
        });
      return rows.length > 0;
    },
    async collation() {
      // As JSON: the ICU locale's column is named differently across PostgreSQL versions (daticulocale, datlocale).
      const { rows } = await pool.query('SELECT to_jsonb(d) AS d FROM pg_database d WHERE datname = current_database()').catch((err: unknown) => {
        throw translate(err);
      });
      const d = rows[0].d as Record<string, string | null>;
      return d.datlocprovider === 'i' ? `icu:${d.daticulocale ?? d.datlocale}` : String(d.datcollate);
    },
    async probeWritable() {
      // A rolled-back insert: proves a connection and a writable primary (a read-only replica after a failover
      // refuses it), leaving nothing behind.
      await atomicOnPool(async (q) => {
        await q("INSERT INTO events (recipient_row_id, campaign_id, type, at, data) VALUES (0, '', 'probe', '', NULL)");
        throw rollback;
      }).catch((err: unknown) => {
        if (err !== rollback) throw translate(err);
      });
      const newer = await store.newerSchema();
      if (newer) throw new StoreMigrationError(newer);
    },
    // Several processes share the database: one of a newer version may have migrated it under this one.
    async newerSchema() {
      return newerThanKnown(Number((await onPool(NEWEST_MIGRATION).catch(rethrow)).rows[0].v));
    },
    async schemaMismatch() {
      // No schema_migrations table yet: a database no LeadFWD has migrated, at version 0.
      const newest = Number((await onPool(NEWEST_MIGRATION).catch(() => ({ rows: [{ v: 0 }] }))).rows[0].v ?? 0);
      if (newest < migrations.length)
        return `the database schema is at migration ${newest}, older than this LeadFWD (${migrations.length}): start the service of this version first (it migrates the database)`;
      return newerThanKnown(newest);
    },
    async secretCheck() {
      const { rows } = await onPool('SELECT sealed FROM secret_check WHERE id = 1').catch(rethrow);
      return rows[0]?.sealed as string | undefined;
    },
    async secretChecksElsewhere() {
      // Schemas this role may read that hold a LeadFWD secret check, ours left out; read with a short lock wait, as a
      // table another application locks (VACUUM FULL, a migration) would hold this start for as long.
      const client = await pool.connect().catch(rethrow);
      try {
        await client.query("SET lock_timeout = '2s'");
        const { rows } = await client.query(
          `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = 'secret_check' AND c.relkind = 'r' AND n.nspname <> current_schema()
              AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1`,
        );
        const out: Array<{ place: string; sealed: string }> = [];
        for (const { schema: other } of rows as Array<{ schema: string }>) {
          const found = await client.query(`SELECT sealed FROM "${other.replace(/"/g, '""')}".secret_check WHERE id = 1`).catch(() => ({ rows: [] }));
          if (found.rows[0]?.sealed) out.push({ place: `schema ${JSON.stringify(other)}`, sealed: found.rows[0].sealed as string });
        }
        return out;
      } catch (err) {
        throw translate(err);
      } finally {
        await client.query('RESET lock_timeout').catch(() => {});
        client.release();
      }
    },
    async firstStart<T>(fn: () => Promise<T>): Promise<T> {
      // A session of its own, outside the pool (a pool of one would wait on itself); its end releases the lock.
      const session = new pg.Client({ connectionString, ...(options ? { options } : {}) });
      session.on('error', () => {});
      try {
        await session.connect();
        await session.query("SELECT pg_advisory_lock(hashtext('leadfwd.first-start'))");
      } catch (err) {
        await session.end().catch(() => {});
        throw translate(err);
      }
      try {
        return await fn();
      } finally {
        await session.end().catch(() => {});
      }
    },
    async putSecretCheck(sealed: string, from: string | undefined, atIso: string) {
      const put =
        from === undefined
          ? onPool('INSERT INTO secret_check (id, sealed, updated_at) VALUES (1, $1, $2) ON CONFLICT DO NOTHING', [sealed, atIso])
          : onPool('UPDATE secret_check SET sealed = $1, updated_at = $2 WHERE id = 1 AND sealed = $3', [sealed, atIso, from]);
      return (await put.catch(rethrow)).rowCount === 1;
    },
    async opsCounts() {
      try {
        const byKey = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
        const [recipients, outbox, events, hits] = await Promise.all([
          pool.query(RECIPIENTS_BY_STATE),
          pool.query("SELECT count(*) AS n, min(run_at) AS oldest FROM outbox WHERE state = 'pending'"),
          pool.query('SELECT type AS k, count(*) AS n FROM events GROUP BY type'),
          pool.query('SELECT kind, coalesce(sum(human_hits), 0) AS human, coalesce(sum(machine_hits), 0) AS machine FROM engagement GROUP BY kind'),
        ]);
        return {
          recipients: byKey(recipients.rows),
          outboxPending: Number(outbox.rows[0].n),
          outboxOldestDueAt: outbox.rows[0].oldest ?? undefined,
          events: byKey(events.rows),
          hits: hits.rows.map((h) => ({ kind: h.kind as string, human: Number(h.human), machine: Number(h.machine) })),
        };
      } catch (err) {
        throw translate(err);
      }
    },
    async backup() {
      throw new BackupUnsupportedError('A PostgreSQL store');
    },
    onUnavailable(listener) {
      outageListeners.add(listener);
    },
    async close() {
      await pool.end();
    },
  };
  return store;
}

const NEWEST_MIGRATION = 'SELECT max(version) AS v FROM schema_migrations';

/** The schema version this code migrates a database to (its number of migrations). */
export const pgSchemaVersion = (): number => (schemaVersion ??= loadMigrations(PG_MIGRATIONS_DIR).length);
let schemaVersion: number | undefined;

const rollback = Symbol('rollback');

/** The URL without its `options` parameter, and that parameter (a URL the WHATWG parser refuses is left to the driver). */
function withoutOptions(url: string): { connectionString: string; options?: string } {
  try {
    const u = new URL(url);
    const options = u.searchParams.get('options') ?? undefined;
    if (options === undefined) return { connectionString: url };
    u.searchParams.delete('options');
    return { connectionString: u.toString(), options };
  } catch {
    return { connectionString: url };
  }
}

function connectionOptions(schema: string, owner: string | undefined): string | undefined {
  if (owner !== undefined && !/^[A-Za-z0-9._:-]+$/.test(owner)) throw new StoreMigrationError(`owner id ${JSON.stringify(owner)} is not a plain name`);
  const parts = [...(schema !== 'public' ? [`-c search_path=${schema}`] : []), ...(owner ? [`-c leadfwd.owner=${owner}`] : [])];
  return parts.length ? parts.join(' ') : undefined;
}

/** Every method's failure as the ports' typed errors (repositories keep helpers out of the class: every method is wrapped). */
function guardedPg<T extends object>(translate: (err: unknown) => unknown, repo: T): T {
  const proto = Object.getPrototypeOf(repo) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (repo as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    Object.defineProperty(repo, name, {
      value: async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
        } catch (err) {
          throw translate(err);
        }
      },
    });
  }
  return repo;
}

/**
 * The ledger's fencing reads the owner id from the session (the claim trigger, the outcome checks): a pooler that drops
 * the startup options (PgBouncer with `ignore_startup_parameters = options`) would leave every process without one,
 * each taking the others' rows in flight for orphaned. Checked before anything is written, so nothing half-migrates.
 */
async function checkSession(client: pg.PoolClient, schema: string, owner: string | undefined): Promise<void> {
  const { rows } = await client.query(`SELECT coalesce(current_setting('leadfwd.owner', true), '') AS owner, current_setting('search_path') AS path`);
  const { owner: found, path } = rows[0] as { owner: string; path: string };
  if (found === (owner ?? '') && (schema === 'public' || path === schema)) return;
  throw new StoreMigrationError(
    `PostgreSQL did not keep this connection's startup options (leadfwd.owner ${JSON.stringify(found)} instead of ${JSON.stringify(owner ?? '')}, ` +
      `search_path ${JSON.stringify(path)}): a connection pooler between LeadFWD and PostgreSQL drops them. ` +
      'Connect LeadFWD to PostgreSQL directly, or through a pooler that passes the options parameter on to the server',
  );
}

/**
 * All pending migrations in one transaction, under an advisory lock: processes starting together apply them once,
 * the others wait and then find nothing to do. A database of a newer version, or an edited migration, is refused
 * before anything is written (never half-migrated).
 */
export async function migratePg(
  pool: pg.Pool,
  migrations: Migration[],
  now: () => string,
  schema = 'public',
  owner?: string,
  onWait?: () => void,
): Promise<number[]> {
  const client = await pool.connect();
  return inPooledTransaction(client, async () => {
    await checkSession(client, schema, owner);
    const lock = "hashtext('leadfwd.migrate')";
    if (!(await client.query(`SELECT pg_try_advisory_xact_lock(${lock}) AS got`)).rows[0]?.got) {
      onWait?.();
      await client.query(`SELECT pg_advisory_xact_lock(${lock})`);
    }
    if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const path = (await client.query('SHOW search_path')).rows[0]?.search_path as string;
    await client
      .query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`)
      .catch((err: { code?: string }) => {
        if (err?.code !== '3F000') throw err;
        // The URL's options set a search_path whose schemas do not exist: PostgreSQL said only "no schema has been selected".
        throw new StoreMigrationError(
          `its search_path (${path}) names no schema that exists, so LeadFWD's tables have nowhere to go: create the schema (CREATE SCHEMA …) or correct the search_path in LEADFWD_DATABASE_URL's options`,
        );
      });
    const applied = (
      await client.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version').catch((err: { code?: string }) => {
        if (err?.code !== '42703') throw err;
        throw new StoreMigrationError(
          `the database (schema ${schema}) holds a schema_migrations table that is not LeadFWD's: another application's; give LeadFWD a database of its own`,
        );
      })
    ).rows as Array<{ version: number; name: string; checksum: string }>;
    const done: number[] = [];
    for (const m of pendingMigrations(applied, migrations)) {
      await client.query(m.sql).catch((err: { code?: string; message?: string }) => {
        // Migrations run all or nothing, so an object already there is not ours: another application's tables, unless
        // the schema is LeadFWD's (it has migrations recorded) and its record of them was changed by hand.
        if (err?.code === '42P07' || err?.code === '42710') {
          const found = `migration ${m.version} (${m.name}) found ${err.message ?? 'an object already there'}`;
          throw new StoreMigrationError(
            applied.length > 0
              ? `${found}, though the schema's record says it was never applied: that record was changed outside LeadFWD; nothing of the migration was kept (the schema stays at version ${applied.at(-1)!.version}): restore the database from a backup`
              : `${found}, which LeadFWD did not create: the database (schema ${schema}) holds another application's tables; give LeadFWD a database of its own`,
          );
        }
        // Only a schema object the migration did not expect (a column already there, one missing; class 42 but a
        // refused privilege) means hand changes; anything else (a lock timeout, a lost connection) is PostgreSQL's own words.
        if (!err?.code?.startsWith('42') || err.code === '42501') throw err;
        throw new StoreMigrationError(
          `migration ${m.version} (${m.name}) failed: ${err?.message ?? String(err)}; nothing of it was kept (the schema stays at version ${applied.at(-1)?.version ?? 0}): the schema was changed outside LeadFWD, restore it from a backup or give LeadFWD a database of its own`,
        );
      });
      await client.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [m.version, m.name, m.checksum, now()]);
      done.push(m.version);
    }
    return done;
  });
}

/**
 * fn between BEGIN and COMMIT on one connection, ROLLBACK when anything fails. A failed ROLLBACK calls broken: the
 * connection is then in an unknown state and must not go back to a pool.
 */
export async function inTransaction<T>(client: Pick<pg.ClientBase, 'query'>, fn: () => Promise<T>, broken: () => void = () => {}): Promise<T> {
  try {
    await client.query('BEGIN');
    const value = await fn();
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch(broken);
    throw err;
  }
}

/**
 * As inTransaction on a pool's connection, which then goes back to the pool, or is dropped when its ROLLBACK failed or
 * its server refused a write as read-only (a primary turned standby: a new connection may reach the new primary, as
 * pool.query's failed connections are dropped too).
 */
async function inPooledTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  let broken = false;
  try {
    return await inTransaction(client, fn, () => {
      broken = true;
    });
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === '25006') broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}
