// The storage ports' failures, thrown by every adapter alike, so callers branch on the class and never on a
// database's message text. The HTTP adapter answers 503 store_unavailable and 422 invalid_input for them.

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

/** The store is one process's alone (a SQLite file) and another process has it open: refuse to start. */
export class StoreInUseError extends Error {
  constructor(readonly path: string) {
    super(`the SQLite store ${path} is open in another LeadFWD process`);
    this.name = 'StoreInUseError';
  }
}

/** A caller broke a store rule (unknown id, changed links, bad time); a programming or input error. */
export class StoreInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreInputError';
  }
}

/** The adapter's own error code (SQLite's primary codes today) in words. */
function describe(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return 'disk full';
  if (code.startsWith('SQLITE_READONLY')) return 'database is read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'disk I/O error';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot open the database file';
  if (code.startsWith('SQLITE_BUSY')) return 'database is busy';
  return 'database file is damaged';
}

/** The store has no file to copy (PostgreSQL): the operator backs it up with pg_dump or the provider's backups. */
export class BackupUnsupportedError extends Error {
  constructor(what: string) {
    super(`${what} cannot be backed up by LeadFWD: use pg_dump (or your PostgreSQL provider's backups and point-in-time recovery)`);
    this.name = 'BackupUnsupportedError';
  }
}
