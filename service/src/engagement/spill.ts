// The way the open and click recorders reach the spool (engagement/spooling.ts) while the database is unreachable.
import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '../ports/errors.js';
import type { SpooledHit } from '../ports/index.js';

/** What the recorders see: whether hits go to the spool now, and the way in. */
export interface Spill {
  active(): boolean;
  /** Durable once resolved; `cause` (the store's failure) starts spooling if it had not started. */
  keep(hits: Array<Omit<SpooledHit, 'key'>>, cause?: StoreUnavailableError): Promise<void>;
}

/**
 * Writes through `write`, or spools `hits()` instead (answering undefined) while the spool is active or once the write
 * finds the store unreachable. Without a spill, every failure is the caller's. The spool's records are made only when
 * they are kept: on the pixel's path they cost more than a hash of the token.
 *
 * With a spill, `write` gets a commit key to take (engagement.takeSpooled) in its own transaction, and hits spooled
 * after it failed carry it: a write that committed with its answer lost (the connection cut after the commit) is not
 * recorded again by the replay. A write that is idempotent anyway (an opt-out) may leave it.
 */
export async function writeOrSpill<T>(
  spill: Spill | undefined,
  hits: () => Array<Omit<SpooledHit, 'key'>>,
  write: (commitKey?: string) => Promise<T>,
): Promise<T | undefined> {
  if (spill?.active()) {
    await spill.keep(hits());
    return undefined;
  }
  const commitKey = spill ? `commit:${randomUUID()}` : undefined;
  try {
    return await write(commitKey);
  } catch (err) {
    if (!spill || !(err instanceof StoreUnavailableError)) throw err;
    await spill.keep(
      hits().map((h) => ({ ...h, commitKey })),
      err,
    );
    return undefined;
  }
}
