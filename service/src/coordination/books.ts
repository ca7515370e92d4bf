// What the shared books of this folder have in common: their options (tests drive the clock; a warning once per
// database outage, then one when it is back: ports/log.ts turnFailures) and how each makes a round trip.
import type { Log, TurnFailures } from '../ports/log.js';

export interface BookOptions {
  /** Monotonic ms. */
  monotonic?: () => number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

/** Wait after a failed round trip (the database is away): nothing goes meanwhile rather than more than is shared. */
const UNREACHABLE_WAIT_MS = 500;

/**
 * One round trip of a book to the database: `work`, then `unreachable.ok()`; when it fails, `away` gets the monotonic
 * time before which not to ask again, and an outage is one warning (ports/log.ts). It starts after this turn, so a
 * repository that throws at once (a synchronous adapter) never settles it before the caller has stored it.
 */
export async function roundTrip(unreachable: TurnFailures, monotonic: () => number, work: () => Promise<void>, away: (until: number) => void): Promise<void> {
  await null;
  try {
    await work();
    unreachable.ok();
  } catch (err) {
    away(monotonic() + UNREACHABLE_WAIT_MS);
    unreachable.failed(err);
  }
}
