// SQLite's failures turned into the ports' typed errors (ports/errors.ts), so callers never read SQLite's text.
import { StoreInputError, StoreUnavailableError } from '../ports/errors.js';

export { StoreInputError, StoreMigrationError, StoreUnavailableError } from '../ports/errors.js';

// Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) share their primary code's prefix.
const UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_NOTADB', 'SQLITE_CORRUPT'];

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

/**
 * Wraps every method of a repo so that, while `busy()` gives a promise (an asynchronous transaction holds the one
 * connection), a call waits for it to end and returns a promise; otherwise it runs at once and returns its value.
 */
export function gated<T extends object>(repo: T, busy: () => Promise<void> | undefined): T {
  const out = Object.create(repo) as Record<string, unknown>;
  const proto = Object.getPrototypeOf(repo) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (repo as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    const call = fn as (...a: unknown[]) => unknown;
    Object.defineProperty(out, name, {
      value: (...args: unknown[]) => {
        if (!busy()) return call.apply(repo, args);
        const stack = process.env.LEADFWD_DEBUG_TX ? new Error(`waits for a transaction: ${name}`).stack : undefined;
        const t = stack ? setTimeout(() => console.error(stack), 3000) : undefined;
        return (async () => {
          for (let b = busy(); b; b = busy()) await b;
          if (t) clearTimeout(t);
          return call.apply(repo, args);
        })();
      },
    });
  }
  return out as T;
}
