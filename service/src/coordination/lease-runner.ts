// Campaign-level work that one process at a time may do, among any number sharing one database: a job runs only while
// this process holds its lease, a heartbeat renews the lease while the job runs, and a lease that could not be renewed
// in time aborts the job's signal, so it stops claiming before another process takes over. A process that dies stops
// renewing; its leases expire and the next process to ask takes them.
import type { LeaseRepo } from '../ports/index.js';
import { type Log, type TurnFailures, turnFailures } from '../ports/log.js';

export interface LeaseRunnerDeps {
  leases: LeaseRepo;
  /** This process: unique per start (a restarted process is a new owner). */
  owner: string;
  /** How long a lease outlives its last renewal; renewals come every third of it. */
  ttlMs: number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

export type Ran<T> = { ran: true; value: T } | { ran: false };

/** A lease held for as long as this process wants it (the process's own, a write-back lane). */
export interface KeptLease {
  /** True while the last renewal is younger than the ttl. */
  held(): boolean;
  stop(): Promise<void>;
}

/** The lease a process holds while it runs; the ledger rows it claims are its own until this lease expires. */
export const processLeaseName = (owner: string) => `process:${owner}`;

export function createLeaseRunner(deps: LeaseRunnerDeps) {
  const { leases, owner, ttlMs } = deps;
  const every = Math.max(20, Math.floor(ttlMs / 3));
  /** Leases a run kept for the next run (a tick), released when the process stops. */
  const kept = new Set<string>();
  const keeps = new Set<KeptLease>();

  /** A release that fails leaves the lease to expire by itself. */
  async function releaseQuietly(name: string) {
    try {
      await leases.release(name, owner);
    } catch {}
  }

  // Ticks ask for their lease every half second: through a database outage, one warning per lease, not one a tick.
  const unreachable = new Map<string, TurnFailures>();
  async function tryAcquire(name: string): Promise<boolean> {
    let failures = unreachable.get(name);
    if (!failures) unreachable.set(name, (failures = turnFailures(deps.logger, 'lease.unreachable', { lease: name })));
    try {
      const got = await leases.acquire(name, owner, ttlMs);
      failures.ok();
      return got;
    } catch (err) {
      failures.failed(err);
      return false;
    }
  }

  /**
   * Renews `name` every third of the ttl; `lost` runs once when it was taken over or could not be renewed in time.
   * `askedAt`: when the lease was asked for; the store counts its life from then, however slow the answer.
   */
  function heartbeat(name: string, askedAt: number, lost: (why: string) => void) {
    let renewedAt = askedAt;
    let gone = false;
    let busy = false;
    let lastError = '';
    const giveUp = (why: string) => {
      if (gone) return;
      gone = true;
      clearTimeout(deadline);
      lost(why);
    };
    /**
     * Given up a try before the lease's end as the store counts it (from when it was last asked for), whatever the
     * renewals do: a renewal that hangs (a partition holds a pooled connection until TCP gives up, minutes) or fails is
     * no renewal. A deadline, not a check at the tries: those run from the acquire's answer, and after a slow one the
     * first check came when the lease had run out.
     */
    let deadline: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(deadline);
      deadline = setTimeout(
        () => giveUp(lastError ? `it could not be renewed: ${lastError}` : 'its renewal did not answer in time'),
        Math.max(0, renewedAt + ttlMs - every - Date.now()),
      );
      deadline.unref?.();
    };
    arm();
    const beat = async () => {
      if (gone || busy) return;
      busy = true;
      try {
        // The lease runs from when the renewal was asked for: a slow answer does not lengthen it.
        const asked = Date.now();
        const renewed = await leases.renew(name, owner, ttlMs);
        if (gone) return; // answered after it was given up: the job has stopped already
        if (!renewed) return giveUp('another process holds it');
        renewedAt = asked;
        lastError = '';
        arm();
      } catch (err) {
        // The database cannot be reached: the lease is ours until the deadline, not after (leases-race.test.ts).
        lastError = (err as Error).message;
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(beat, every);
    timer.unref?.();
    // An acquire that answered slowly used up part of the lease: renewed now, not a whole third of the ttl later.
    if (Date.now() - askedAt >= every / 2) void beat();
    return {
      stop: () => {
        clearInterval(timer);
        clearTimeout(deadline);
      },
      fresh: () => !gone && Date.now() - renewedAt < ttlMs,
    };
  }

  /** A lease whose acquire answered so late that its deadline has passed: not used, given back. */
  async function tooLateToUse(name: string, askedAt: number): Promise<boolean> {
    if (Date.now() - askedAt < ttlMs - every) return false;
    await releaseQuietly(name);
    return true;
  }

  return {
    owner,
    /**
     * Runs `job` only when this process holds (or can take) lease `name`, renewing it while the job runs. `keep`: the
     * lease stays held after the job (a tick that runs again soon stays with this process); otherwise it is released.
     */
    async run<T>(name: string, job: (signal: AbortSignal) => Promise<T>, opts: { keep?: boolean } = {}): Promise<Ran<T>> {
      const asked = Date.now();
      if (!(await tryAcquire(name)) || (await tooLateToUse(name, asked))) {
        kept.delete(name);
        return { ran: false };
      }
      const abort = new AbortController();
      const beat = heartbeat(name, asked, (why) => {
        deps.logger?.warn({ event: 'lease.lost', lease: name, why }, 'lease.lost');
        kept.delete(name);
        abort.abort(new Error(`the lease ${name} was lost: ${why}`));
      });
      try {
        return { ran: true, value: await job(abort.signal) };
      } finally {
        beat.stop();
        if (opts.keep && !abort.signal.aborted) kept.add(name);
        else if (!abort.signal.aborted) await releaseQuietly(name);
      }
    },

    /** Runs `job` once, under lease `name`, waiting for its turn while another process holds it (start-up steps). */
    async inTurn<T>(name: string, job: () => Promise<T>): Promise<T> {
      for (;;) {
        const r = await this.run(name, job);
        if (r.ran) return r.value;
        await new Promise((resolve) => setTimeout(resolve, Math.min(every, 100)));
      }
    },

    /**
     * Holds lease `name` for as long as it can: takes it when free (trying every third of the ttl), calls `gained`,
     * renews it, and calls `lost` when it could not renew in time (then tries to take it again).
     */
    keep(name: string, on: { gained?: () => unknown; lost?: (why: string) => unknown } = {}): KeptLease & { ready: Promise<boolean> } {
      let beat: ReturnType<typeof heartbeat> | undefined;
      let stopped = false;
      let trying: Promise<boolean> | undefined;
      const attempt = async () => {
        if (stopped || beat) return !!beat;
        const asked = Date.now();
        if (!(await tryAcquire(name)) || stopped || (await tooLateToUse(name, asked))) return false;
        beat = heartbeat(name, asked, (why) => {
          beat?.stop();
          beat = undefined;
          deps.logger?.warn({ event: 'lease.lost', lease: name, why }, 'lease.lost');
          void on.lost?.(why);
        });
        deps.logger?.info({ event: 'lease.gained', lease: name, owner }, 'lease.gained');
        await on.gained?.();
        return true;
      };
      const ready = attempt();
      const timer = setInterval(() => {
        if (!beat && !trying) trying = attempt().finally(() => (trying = undefined));
      }, every);
      timer.unref?.();
      const handle = {
        ready,
        held: () => !!beat?.fresh(),
        async stop() {
          stopped = true;
          clearInterval(timer);
          await trying;
          if (beat) {
            beat.stop();
            beat = undefined;
            await releaseQuietly(name);
          }
          keeps.delete(handle);
        },
      };
      keeps.add(handle);
      return handle;
    },

    /**
     * Gives up every lease this process keeps (a graceful stop: others take over at once, not after the ttl), but those
     * in `except`, kept and renewed as before.
     */
    async releaseAll(except: KeptLease[] = []): Promise<void> {
      for (const k of [...keeps]) if (!except.includes(k)) await k.stop();
      for (const name of kept) await releaseQuietly(name);
      kept.clear();
    },
  };
}

export type LeaseRunner = ReturnType<typeof createLeaseRunner>;

/** Without a shared database (SQLite: one process), every job simply runs. */
export const runAlone: Pick<LeaseRunner, 'run'> = {
  async run<T>(_name: string, job: (signal: AbortSignal) => Promise<T>): Promise<Ran<T>> {
    return { ran: true, value: await job(new AbortController().signal) };
  },
};
