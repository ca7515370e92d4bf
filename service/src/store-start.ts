// Part of the composition root: how a process gets its store at start. The SQLite file, or PostgreSQL waited for
// through an outage; a tracking-only process may instead start from the snapshot its last run left in the data folder
// and run the start-up checks once PostgreSQL answers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, redactDatabaseUrl } from './config.js';
import type { Logger } from './logger.js';
import { refusalOfSecret } from './ops/one-secret.js';
import { StartupError, startupErrorOf } from './ops/startup.js';
import { snapshotRefusal } from './ops/tracking-start.js';
import { StoreInUseError } from './ports/errors.js';
import type { SnapshotFile, Store, StoreOps, TrackingSnapshot } from './ports/index.js';
import { openStore } from './store/db.js';
import { type MoveMarks, moveMarksOf } from './store/move-marks.js';
import { openPgStore, type PgStore, pgSchemaVersion } from './store/pg/db.js';

/** Tokens, VERP addresses and sealed values open with the current secret, then the one before a rotation; signing uses the current. */
export const serviceSecrets = (config: Config): readonly string[] => (config.secretPrevious ? [config.secret, config.secretPrevious] : [config.secret]);

/** Only a process whose one role is tracking starts from its snapshot: every other role needs the database to work. */
export const trackingOnly = (config: Config) => !!config.database && config.roles.size === 1 && config.roles.has('tracking');

/** The data folder's snapshot when this process may start from it (ops/tracking-start.ts), else undefined, said once. */
export function startingSnapshot(file: SnapshotFile, config: Config, logger: Logger): TrackingSnapshot | undefined {
  const s = file.read();
  if (!s && file.found())
    logger.warn({ event: 'tracking.snapshot.unusable', reason: 'it cannot be read (torn, or not a snapshot)' }, 'tracking.snapshot.unusable');
  const refused = s && snapshotRefusal(s, pgSchemaVersion(), serviceSecrets(config));
  if (refused) logger.warn({ event: 'tracking.snapshot.unusable', savedAt: s.savedAt, reason: refused }, 'tracking.snapshot.unusable');
  return refused ? undefined : s;
}

/**
 * The tracked links' part of the snapshot: read from it at a start from it, and saved after each re-read by the
 * process holding the spool (the folder's one process), so the next start during an outage can begin from them.
 */
export function snapshotLinks(
  opts: { keep?: { file: SnapshotFile; secretCheck: () => string }; fromSnapshot?: { snapshot: TrackingSnapshot } },
  holdsFolder: boolean,
  logger: Logger,
) {
  const from = opts.fromSnapshot?.snapshot;
  const keep = holdsFolder ? opts.keep : undefined;
  return {
    ...(from ? { initial: { links: from.links, loadedAt: from.savedAt } } : {}),
    ...(keep
      ? {
          onRead: (links: TrackingSnapshot['links'], at: string) =>
            void keep.file
              .write({ schemaVersion: pgSchemaVersion(), secretCheck: keep.secretCheck(), savedAt: at, links })
              .then((kept) => kept || logger.warn({ spans: links.spans.length }, 'tracking.snapshot.too_large'))
              .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'tracking.snapshot.write_failed')),
        }
      : {}),
  };
}

/** The database's address without its password, and a way to keep the password out of any text repeated to the operator. */
export function describeDatabase(url: string): { where: string; clean: (text: string) => string } {
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  return { where: redactDatabaseUrl(url), clean: (text) => (password.length >= 4 ? text.split(password).join('***') : text) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A store `npm run migrate-store` moved to PostgreSQL is not started on again (two stores would take work side by
 * side: a campaign sent twice, an opt-out lost); one a move records is, with a warning while the recording lasts.
 */
function refuseMovedStore(file: string, logger: Logger): void {
  let marks: MoveMarks;
  try {
    marks = moveMarksOf(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') return; // a damaged file: opening the store says so, in its words
    throw new StartupError(
      'the SQLite store is locked by another process (migrate-store finishing a move to PostgreSQL?): start the service once it has ended',
    );
  }
  if (marks.moved) {
    throw new StartupError(
      `this SQLite store was moved to PostgreSQL (${marks.moved.target}) at ${marks.moved.at}: start the service with LEADFWD_DATABASE_URL; to run on this file again instead, run npm run migrate-store -- --cancel first`,
    );
  }
  if (marks.underWay) {
    logger.warn(
      {
        event: 'store.move_under_way',
        target: marks.underWay.target,
        since: marks.underWay.startedAt,
        hint: 'a move to PostgreSQL records every write to this store: npm run migrate-store -- --catch-up goes on with it, --cancel gives it up',
      },
      'store.move_under_way',
    );
  }
}

/** The data folder, made when missing; what stands in its way said in one sentence (a file of that name, rights). */
function makeDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file stands where the folder (or one above it) should be'
        : code === 'EACCES' || code === 'EPERM'
          ? 'this user may not create it'
          : (err as Error).message;
    throw new StartupError(`LEADFWD_DATA_DIR ${dir} cannot be the data folder: ${why}`, { cause: err });
  }
}

/**
 * The store LEADFWD_DATABASE_URL names (PostgreSQL), else the SQLite file in the data folder. PostgreSQL not
 * reachable yet (starting, failing over, refusing connections) is waited for with backoff, `waiting` telling /readyz
 * why; a problem waiting cannot fix (schema of another version, bad password, no such database) is a StartupError.
 */
export async function openConfiguredStore(
  config: Config,
  logger: Logger,
  owner: string,
  waiting: (reason: string) => void,
  /** Answer undefined, instead of waiting, when PostgreSQL does not answer the first attempt (a snapshot to start from). */
  unlessUnreachable = false,
): Promise<(Store & StoreOps) | undefined> {
  if (!config.database) {
    if (config.dataDir !== ':memory:') makeDataDir(config.dataDir);
    const file = config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'leadfwd.sqlite');
    if (file !== ':memory:') refuseMovedStore(file, logger);
    try {
      return openStore(file, {
        maxSizeBytes: config.dbMaxMb ? config.dbMaxMb * 1024 * 1024 : undefined,
        checkpointEveryMs: config.dbCheckpointMs,
        owner,
        answerGraceMs: config.answerGraceMs,
        soleUse: true,
        onCheckpointerDied: (reason) => logger.error({ event: 'store.checkpointer_died', reason }, 'store.checkpointer_died'),
      });
    } catch (err) {
      if (!(err instanceof StoreInUseError)) throw err;
      throw new StartupError(
        `${err.message}: one process per data folder (LEADFWD_DATA_DIR); for several processes, move the store to PostgreSQL (npm run migrate-store, then LEADFWD_DATABASE_URL)`,
      );
    }
  }
  const { url, poolSize, prepared } = config.database;
  // Whatever the driver says is repeated to the operator without the password, should it ever hold it.
  const { where, clean } = describeDatabase(url);
  for (let attempt = 1, delayMs = 250; ; attempt++, delayMs = Math.min(delayMs * 2, 5_000)) {
    if (attempt === 1) waiting(`opening PostgreSQL at ${where}: connecting, then applying migrations (after any other process applying them)`);
    try {
      const store = await openPgStore(url, {
        poolSize,
        owner,
        answerGraceMs: config.answerGraceMs,
        prepared,
        onMigrationWait: () => logger.info({ event: 'store.migration_waiting', database: where }, 'store.migration_waiting'),
      });
      const moving = await store.moveUnderWay().catch(async (err: unknown) => {
        await store.close(); // the next attempt opens its own
        throw err;
      });
      if (moving) {
        await store.close();
        throw new StartupError(
          `the database at ${where} is being filled by a move from SQLite that is not complete: stop the service on SQLite, run npm run migrate-store -- --catch-up until it says "The move is complete", then start this one`,
        );
      }
      // Logged for sizing: a language's collation makes every text index (ids, ISO times) compare by its rules.
      const collation = await store.collation().catch(() => undefined);
      logger.info({ event: 'store.opened', database: where, poolSize, attempts: attempt, collation }, 'store.opened');
      return store;
    } catch (err) {
      const fatal = startupErrorOf(err, where, clean);
      if (fatal) throw fatal;
      if (unlessUnreachable) return undefined;
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      // Waited for too (a cluster's DNS name may appear after the process starts), yet most often a misspelled host.
      const hint = /\b(ENOTFOUND|EAI_AGAIN)\b/.test(cause) ? '; the host name does not resolve: check the host in LEADFWD_DATABASE_URL' : '';
      const reason = clean(`waiting for PostgreSQL at ${where}: ${cause}${hint} (attempt ${attempt}, next in ${delayMs} ms)`);
      waiting(reason);
      logger.warn({ event: 'store.waiting', database: where, reason }, 'store.waiting');
      await sleep(delayMs);
    }
  }
}

/**
 * The start-up checks a tracking process started from its snapshot runs once PostgreSQL answers: migrations, then
 * the secret check. `checked` resolves true once they passed, false when the process was stopped first, and rejects
 * with a StartupError when they failed; `secretCheck` is the check the next snapshot keeps.
 */
export function deferredStartupChecks(
  raw: Pick<PgStore, 'migrate' | 'secretCheck'> & Parameters<typeof refusalOfSecret>[0],
  config: Config,
  logger: Logger,
  savedSecretCheck: string,
  now: () => Date = () => new Date(),
): { checked: (stopped: AbortSignal) => Promise<boolean>; secretCheck: () => string } {
  const { url, poolSize } = config.database!;
  const { where, clean } = describeDatabase(url);
  let secretCheck = savedSecretCheck;
  const checked = async (stopped: AbortSignal): Promise<boolean> => {
    for (let attempt = 1, delayMs = 250; ; attempt++, delayMs = Math.min(delayMs * 2, 5_000)) {
      if (stopped.aborted) return false;
      try {
        await raw.migrate();
        const refused = await refusalOfSecret(raw, serviceSecrets(config), now());
        if (refused) throw new StartupError(refused);
        secretCheck = (await raw.secretCheck()) ?? secretCheck;
        logger.info({ event: 'store.opened', database: where, poolSize, attempts: attempt, fromSnapshot: true }, 'store.opened');
        return true;
      } catch (err) {
        if (stopped.aborted) return false;
        const fatal = startupErrorOf(err, where, clean);
        if (fatal) throw fatal;
        await sleep(delayMs);
      }
    }
  };
  return { checked, secretCheck: () => secretCheck };
}
