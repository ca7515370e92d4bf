// Start-up failures as the operator reads them: one sentence, never a stack (main.ts prints it and exits). Shared by
// the first start and a tracking process's checks deferred to the database's return (store-start.ts).
import { StoreMigrationError, StoreUnavailableError } from '../ports/index.js';

/** Start-up could not go on: one clear sentence for the operator (main prints it and exits), never a stack. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A start-up failure waiting cannot fix, as the operator reads it; undefined for an unreachable database (wait). */
export function startupErrorOf(err: unknown, where: string, clean: (text: string) => string): StartupError | undefined {
  if (err instanceof StartupError) return err;
  if (err instanceof StoreMigrationError) return new StartupError(clean(`the database at ${where} cannot be used: ${err.message}`), { cause: err });
  const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
  // A pooler's configuration, not an outage: waiting would never end (PgBouncer refuses `options` it cannot track).
  if (/unsupported startup parameter/i.test(cause))
    return new StartupError(
      clean(
        `PostgreSQL at ${where} refused the service: ${cause}. A pooler in front of PostgreSQL refuses the startup options that carry this process's id and schema; connect LeadFWD to PostgreSQL directly, or through a pooler that passes them on`,
      ),
      { cause: err },
    );
  if (err instanceof StoreUnavailableError) return undefined;
  return new StartupError(clean(`PostgreSQL at ${where} refused the service: ${cause}`), { cause: err });
}

/** The HTTP port cannot be had: one sentence naming the setting (an earlier service or the demo often holds 8080). */
export function listenRefused(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const at = `${host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new StartupError(`${at} is in use by another program (an earlier LeadFWD, or npm run demo?): stop it, or set LEADFWD_PORT`);
  if (err.code === 'EACCES') return new StartupError(`this user may not listen on ${at}: choose a port above 1023 with LEADFWD_PORT`);
  if (err.code === 'EADDRNOTAVAIL') return new StartupError(`${host} is not an address of this machine: check LEADFWD_HOST`);
  return err;
}
