// PostgreSQL's and the driver's failures turned into the ports' typed errors, so callers never read their text.
import { StoreInputError, StoreUnavailableError } from '../../ports/errors.js';

// SQLSTATE classes: 08 connection, 53 insufficient resources, 57 operator intervention (shutdown, cannot connect
// now), 58 system error, 40 transaction rollback (serialization, deadlock: the caller may try again).
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58', '40'];
// 25006, a write in a read-only transaction: the URL reached a standby, as while a failover promotes another server.
// 55P03 and 55006, a lock wait cut short by the operator's lock_timeout (LEADFWD_DATABASE_URL's options): as a
// statement_timeout's 57014, to try again, never a bug (a pixel batch was dropped, a write-back row counted dead).
const LOCK_NOT_AVAILABLE = ['55P03', '55006'];
const UNAVAILABLE_CODES = ['25006', ...LOCK_NOT_AVAILABLE];
const NETWORK = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'];
// A Unix socket URL (?host=/run/postgresql) whose server is stopped: its socket file is gone until it starts again.
const SOCKET_GONE = /^connect ENOENT /;

export function translatePg(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || err instanceof StoreInputError) return err;
  const raw = err as { code?: unknown; message?: unknown } | null;
  const code = typeof raw?.code === 'string' ? raw.code : '';
  const message = String(raw?.message ?? err);
  if (
    NETWORK.includes(code) ||
    (code === 'ENOENT' && SOCKET_GONE.test(message)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  ) {
    return new StoreUnavailableError(code || 'PG_CONNECTION', { cause: err, detail: `PostgreSQL cannot be reached: ${message}` });
  }
  if (code.length === 5 && (UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) || UNAVAILABLE_CODES.includes(code))) {
    return new StoreUnavailableError(code, { cause: err, detail: `PostgreSQL: ${message}` });
  }
  // 23: integrity constraint (unknown id, bad enum value); 22: data exception (bad value for the column).
  if (code.startsWith('23') || code.startsWith('22')) return new StoreInputError(`the store rejected the write: ${message}`, { cause: err });
  return err;
}

/**
 * The database is away (unreachable, shutting down, out of connections), not one transaction's conflict (class 40:
 * serialization failure, deadlock), a statement cancelled, a lock not granted in time or a pool whose connections
 * were all busy: /readyz turns at once on the first, never on the others.
 */
export function isOutage(err: StoreUnavailableError): boolean {
  return !err.code.startsWith('40') && err.code !== '57014' && err.code !== POOL_BUSY && !LOCK_NOT_AVAILABLE.includes(err.code);
}

/** Every pooled connection stayed busy past the pool's wait: try again, the database answers. */
export const POOL_BUSY = 'PG_POOL_BUSY';
