// Several processes on one PostgreSQL: a newer LeadFWD version may migrate the database while older processes still
// run. An older one must then take no more work — its statements were written for the schema it knows, and another
// process of the new version is there to do it. It is told once, gives the work back, and stays up saying why
// (/readyz 503) until it is upgraded. A check that fails (the database away) says nothing: that is not a newer schema.

export interface SchemaWatch {
  /** Why this process stopped taking work, once it did. */
  stoppedBecause(): string | undefined;
  stop(): void;
}

export function watchSchema(o: {
  /** The reason when the database's schema is newer than this process knows (StoreOps.newerSchema). */
  newerSchema: () => Promise<string | undefined> | string | undefined;
  everyMs: number;
  /** Runs once, when a newer schema is first seen: stop claiming, let the work on the wire finish, give the rest back. */
  stopTakingWork: (why: string) => Promise<void>;
  logger?: { error(o: object, m?: string): void; warn(o: object, m?: string): void };
}): SchemaWatch {
  let why: string | undefined;
  let busy = false;
  const check = async () => {
    if (why || busy) return;
    busy = true;
    let newer: string | undefined;
    try {
      newer = await o.newerSchema();
    } catch {
      // Unreachable now; asked again next time.
    } finally {
      busy = false;
    }
    if (!newer || why) return;
    why = `stopped taking work: ${newer}`;
    clearInterval(timer);
    o.logger?.error({ event: 'store.schema_newer', reason: newer }, 'store.schema_newer');
    try {
      await o.stopTakingWork(why);
      o.logger?.warn({ event: 'work.stopped', reason: newer }, 'work.stopped');
    } catch (err) {
      o.logger?.error({ event: 'work.stop_failed', err: (err as Error).message }, 'work.stop_failed');
    }
  };
  const timer = setInterval(() => void check(), o.everyMs);
  timer.unref?.();
  return { stoppedBecause: () => why, stop: () => clearInterval(timer) };
}
