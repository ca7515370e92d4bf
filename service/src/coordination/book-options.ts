// What each shared book of this folder takes besides its repository: tests drive its clock, and it warns (once per
// outage, then when it is back: ports/log.ts turnFailures) when the database it shares through is away.
import type { Log } from '../ports/log.js';

export interface BookOptions {
  /** Monotonic ms. */
  monotonic?: () => number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}
