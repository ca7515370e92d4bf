// What a whole test file shares (a stack, a rig, a browser): started before its tests, stopped after them.
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts a resource before the file's tests and stops it after them (if it started). `use` receives it and may seed
 * what the tests share, within `timeoutMs` for starting and seeding together.
 */
export function usePerFile<T>(
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
  use: (started: T) => void | Promise<void>,
  timeoutMs: number,
): void {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    await use(started);
  }, timeoutMs);
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
}

/** The `useX(opts, use, timeoutMs?)` of one kind of resource: `start(opts)` and `stop` around the file's tests, as usePerFile. */
export function perFileUse<O, T>(start: (opts: O) => Promise<T>, stop: (started: T) => Promise<void>, defaultTimeoutMs: number) {
  return (opts: O, use: (started: T) => void | Promise<void>, timeoutMs = defaultTimeoutMs): void => usePerFile(() => start(opts), stop, use, timeoutMs);
}
