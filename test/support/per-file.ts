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

/**
 * The resource for the file's tests as one object to hold from the start (`const rig = useX(…)`): filled in by the
 * time they run, stopped after them. For resources that are plain objects of values and closures, whose own
 * properties are copied into it.
 */
export function perFileObject<T extends object>(start: () => Promise<T>, stop: (started: T) => Promise<void>, timeoutMs: number): T {
  const held = {} as T;
  usePerFile(start, stop, (started) => void Object.assign(held, started), timeoutMs);
  return held;
}

/** The `useX(opts, use, timeoutMs?)` of one kind of resource: `start(opts)` and `stop` around the file's tests, as usePerFile. */
export function perFileUse<O, T>(start: (opts: O) => Promise<T>, stop: (started: T) => Promise<void>, defaultTimeoutMs: number) {
  return (opts: O, use: (started: T) => void | Promise<void>, timeoutMs = defaultTimeoutMs): void => usePerFile(() => start(opts), stop, use, timeoutMs);
}

/** Registers what was started for closing after the file's tests; answers it, so the start reads `x = closing(await startX())`. */
export type Closing = { <T extends { close(): Promise<unknown> }>(started: T): T; <T>(started: T, close: (started: T) => Promise<unknown>): T };

/**
 * Closes what the file's beforeAll starts after its tests, the last started first, each registered next to its start;
 * what never started (a beforeAll that failed before it) was never registered.
 */
export function closeAfterAll(): Closing {
  const closes: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closes.reverse()) await close();
  });
  return (<T>(started: T, close = (s: T) => (s as { close(): Promise<unknown> }).close()) => {
    closes.push(() => close(started));
    return started;
  }) as Closing;
}
