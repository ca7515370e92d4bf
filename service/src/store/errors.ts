// Typed store failures, so callers branch on the class and never on SQLite's message text.

/** The database cannot take writes right now (disk full, read-only, I/O error, locked too long): answer 503. */
export class StoreUnavailableError extends Error {
  readonly code: string;
  constructor(code: string, options?: { cause?: unknown; detail?: string }) {
    super(`The data store is unavailable (${options?.detail ?? describe(code)}); nothing was written. Try again later.`, options);
    this.name = 'StoreUnavailableError';
    this.code = code;
  }
}

/** The database and this code disagree about the schema: refuse to start rather than guess. */
export class StoreMigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreMigrationError';
  }
}

/** A caller broke a store rule (unknown id, changed links, bad time); a programming or input error. */
export class StoreInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreInputError';
  }
}

// Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) share their primary code's prefix.
const UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_NOTADB', 'SQLITE_CORRUPT'];

function describe(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return 'disk full';
  if (code.startsWith('SQLITE_READONLY')) return 'database is read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'disk I/O error';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot open the database file';
  if (code.startsWith('SQLITE_BUSY')) return 'database is busy';
  return 'database file is damaged';
}

export function unavailableCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return UNAVAILABLE.some((p) => code === p || code.startsWith(`${p}_`)) ? code : undefined;
}

export function translate(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || err instanceof StoreInputError) return err;
  const code = unavailableCode(err);
  if (code) return new StoreUnavailableError(code, { cause: err });
  // A constraint failure means the caller passed something the schema forbids (unknown id, bad enum value).
  const raw = err as { code?: unknown; message?: unknown } | null;
  if (typeof raw?.code === 'string' && raw.code.startsWith('SQLITE_CONSTRAINT')) {
    return new StoreInputError(`the store rejected the write: ${String(raw.message)}`, { cause: err });
  }
  return err;
}

/** Wraps every method of a repo so SQLite's storage failures surface as StoreUnavailableError. */
export function guarded<T extends object>(repo: T): T {
  const proto = Object.getPrototypeOf(repo) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (repo as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    Object.defineProperty(repo, name, {
      value: (...args: unknown[]) => {
        try {
          return (fn as (...a: unknown[]) => unknown).apply(repo, args);
        } catch (err) {
          throw translate(err);
        }
      },
    });
  }
  return repo;
}
