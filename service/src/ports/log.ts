// What a part of the service logs through: pino's Logger fits it, and each part names only the levels it uses
// (Pick<Log, 'info' | 'warn'>), so a test hands in a plain object. One call shape (logger.ts): fields, then the event.
import { StoreUnavailableError } from './errors.js';

export type LogFn = (fields: object, event?: string) => void;

export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** What a loop that retries on its own says when a turn fails: `failed(err)` after a failed turn, `ok()` after a good one. */
export interface TurnFailures {
  failed(err: unknown): void;
  ok(): void;
}

/**
 * A loop's failures without flooding the log through an outage: while the database is unreachable (it retries every
 * half second) it warns once when the outage starts and says at the end how long it lasted and how many turns failed;
 * any other failure is an error each time, as it is a fault to look at.
 */
export function turnFailures(logger: Pick<Log, 'info' | 'warn' | 'error'> | undefined, event: string, fields: object = {}): TurnFailures {
  let since: number | undefined;
  let failedTurns = 0;
  return {
    failed(err) {
      if (!(err instanceof StoreUnavailableError)) return logger?.error({ ...fields, event, err }, event);
      failedTurns++;
      if (since !== undefined) return;
      since = Date.now();
      logger?.warn({ ...fields, event, outage: true, err: (err as Error).message }, event);
    },
    ok() {
      if (since === undefined) return;
      logger?.info({ ...fields, event: `${event}.recovered`, downMs: Date.now() - since, failedTurns }, `${event}.recovered`);
      since = undefined;
      failedTurns = 0;
    },
  };
}
