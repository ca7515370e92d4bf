// The relay's verdicts of one send loop, recorded in short batches (recordOutcomes): one statement for many rows,
// yet outcomes not yet flushed turn into 'uncertain' after a crash, so the buffer is kept short-lived.
import { type MailboxProvider, reportGroup } from '../domain/mailbox-provider.js';
import { StoreUnavailableError } from '../ports/errors.js';
import type { Outcome } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';
import { type OutcomeStore, recordOutcomes } from './outcomes.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How long a loop that ends keeps trying to record its verdicts while the database is away (default 60 × 500 ms). */
export interface SettleOptions {
  attempts: number;
  retryMs: number;
}
const SETTLE: SettleOptions = { attempts: 60, retryMs: 500 };

/** `fn` until it succeeds, retried while the database is away; its last failure after `o.attempts`. */
export async function settle(fn: () => Promise<void>, o: SettleOptions = SETTLE): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= o.attempts) throw err;
      await sleep(o.retryMs);
    }
  }
}

/**
 * The relay's verdicts a run could not record before it ended (the database away longer than its settling), kept for
 * as long as the process lives and tried again every `retryMs`. Dropped, their rows would stay 'sending' under a live
 * process: never recovered, never resolvable, and their campaign never done.
 */
export function createVerdictKeeper(o: { retryMs?: number; logger?: Pick<Log, 'info' | 'warn'> } = {}) {
  const kept = new Map<ReturnType<typeof createOutcomeBuffer>, string>();
  // Rows a run left 'sending' with no verdict to come (their hand-off mark failed, perhaps committed): released later.
  const releases = new Map<() => Promise<unknown>, string>();
  const told = new WeakSet<object>();
  let timer: NodeJS.Timeout | undefined;
  let trying: Promise<void> | undefined;
  // Unref'd: a service stopping while the database is away exits (its rows are recovered as after a crash).
  const later = () => {
    timer = setTimeout(retry, o.retryMs ?? 5000);
    timer.unref();
  };
  async function once() {
    for (const [release, campaignId] of releases) {
      try {
        await release();
        releases.delete(release);
      } catch (err) {
        if (err instanceof StoreUnavailableError) return;
        o.logger?.warn({ event: 'send.release_refused', campaignId, err }, 'send.release_refused');
        releases.delete(release);
      }
    }
    for (const [buffer, campaignId] of kept) {
      try {
        await buffer.flush();
        kept.delete(buffer);
        o.logger?.info({ event: 'send.outcomes_recorded_late', campaignId }, 'send.outcomes_recorded_late');
      } catch (err) {
        if (err instanceof StoreUnavailableError) break; // the database is still away: the rest would fail alike
        if (!told.has(buffer)) o.logger?.warn({ event: 'send.outcomes_refused', campaignId, err }, 'send.outcomes_refused');
        told.add(buffer);
      }
    }
  }
  /** One try at a time: a second loop would flush a buffer whose first flush is still out. */
  function retry(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    trying ??= once().finally(() => {
      trying = undefined;
      if ((kept.size || releases.size) && !timer) later();
    });
    return trying;
  }
  return {
    keep(buffer: ReturnType<typeof createOutcomeBuffer>, campaignId: string) {
      if (buffer.pending() === 0) return;
      o.logger?.warn({ event: 'send.outcomes_kept', campaignId, rows: buffer.pending() }, 'send.outcomes_kept');
      kept.set(buffer, campaignId);
      if (!timer && !trying) later();
    },
    /** A release of rows the run could not make before it ended (the database away), tried with the verdicts. */
    keepRelease(release: () => Promise<unknown>, campaignId: string) {
      releases.set(release, campaignId);
      if (!timer && !trying) later();
    },
    /**
     * The campaign's releases made now (throws while the database is away): before a new run of it marks rows
     * 'sending', or the late release would put rows that run handed to the relay back in the queue, sent twice.
     */
    async releasesFirst(campaignId: string): Promise<void> {
      for (const [release, id] of releases)
        if (id === campaignId) {
          await release();
          releases.delete(release);
        }
    },
    /** Verdicts held, not yet recorded. */
    pending: () => [...kept.keys()].reduce((n, b) => n + b.pending(), 0),
    /** One more try now (a stopping service), instead of at the next retry. */
    recordNow: retry,
  };
}

export interface OutcomeBufferDeps {
  store: OutcomeStore;
  campaignId: string;
  /** Read at each flush: the campaign's identity follows edits while it sends. */
  identityId: () => string;
  now: () => Date;
  flushEvery: number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

export function createOutcomeBuffer(deps: OutcomeBufferDeps) {
  const { store, campaignId, now } = deps;
  let outcomes: Outcome[] = [];
  // The delivery volume counts per provider group: each row's provider is kept until its outcome is recorded.
  const providerOf = new Map<number, string>();
  let flushing: Promise<void> | undefined;
  /**
   * Resolves once every verdict buffered when it was called is recorded. One write at a time: a second flush that found
   * the buffer emptied by a write still out would resolve at once, though that write may fail and put its rows back.
   */
  const flush = async (): Promise<void> => {
    while (flushing) await flushing.catch(() => undefined);
    if (outcomes.length === 0) return;
    const p = write();
    flushing = p;
    try {
      await p;
    } finally {
      if (flushing === p) flushing = undefined;
    }
  };
  let writing = 0; // verdicts of the write out now
  const write = async () => {
    const batch = outcomes;
    outcomes = [];
    writing = batch.length;
    try {
      await recordOutcomes(store, campaignId, batch, now(), {
        identityId: deps.identityId(),
        group: (rowId) => reportGroup((providerOf.get(rowId) ?? 'unknown') as MailboxProvider),
      });
    } catch (err) {
      // The database is away (a restart, a failover): the relay's verdicts wait here for the next flush instead of
      // being lost, which would leave their rows 'sending' under a live process for ever.
      outcomes = batch.concat(outcomes);
      throw err;
    } finally {
      writing = 0;
    }
    for (const o of batch) providerOf.delete(o.rowId);
  };
  // Through a database outage it waits and retries: one warning when it starts, one line when it is over.
  const outcomeFailures = turnFailures(deps.logger, 'send.outcomes_waiting', { campaignId });
  const flushSoon = () => flush().then(outcomeFailures.ok, outcomeFailures.failed);
  return {
    flush,
    flushSoon,
    /** Verdicts not yet recorded. */
    pending: () => outcomes.length + writing,
    async record(o: Outcome) {
      outcomes.push(o);
      if (outcomes.length >= deps.flushEvery) await flushSoon();
    },
    /** The row went to delivery: its outcome counts for this provider. */
    track(rowId: number, provider: string) {
      providerOf.set(rowId, provider);
    },
    untrack(rowId: number) {
      providerOf.delete(rowId);
    },
  };
}
