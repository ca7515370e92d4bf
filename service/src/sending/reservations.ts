// One run's reservations: queued rows it picked for itself in batches, named by its holder, still 'queued' (so a crash
// neither loses nor resends them) until the hand-off marks them 'sending' in one statement, or they go back.
import { randomUUID } from 'node:crypto';
import type { LedgerRecipient, Outcome, RecipientForMessage, StorePart } from '../ports/index.js';
import { providerOfRow } from './delivery-control.js';

export type ReservationStore = StorePart<{
  recipients: 'reserve' | 'markSending' | 'unreserve' | 'releaseHolder' | 'release';
  suppressions: 'filterSuppressed';
}>;

/** A reservation's length: past it (a loop that died without a restart, on another host) the rows are due again. */
const RESERVE_MS = 60_000;
/**
 * A reservation that came back short took every due row outside the providers it left out: asking again with as many
 * left out finds nothing until a row goes back to the queue (this run's own are seen) or a retry falls due, so it is
 * not asked within this. Every few milliseconds, it walked every queued row of those providers (a campaign to one
 * provider whose slot queue is full: all of it, 34% of the main thread's time).
 */
const EXHAUSTED_MS = 500;

export interface ReservationDeps {
  store: ReservationStore;
  campaignId: string;
  now: () => Date;
  dataEndMark: boolean;
  isInFlight: (rowId: number) => boolean;
  /** A row going back ends its wait for a slot. */
  waited: (r: LedgerRecipient, provider: string) => void;
  /** An admitted row that does not go after all. */
  notGoing: (rowId: number) => void;
  record: (o: Outcome) => Promise<void>;
  send: (rows: RecipientForMessage[]) => void;
}

export function createReservations(deps: ReservationDeps) {
  const { store, campaignId, now } = deps;
  // Names this run's reservations: only it may mark them 'sending'.
  const holder = `${process.pid}:${randomUUID()}`;
  // Reserved rows in memory: not offered yet (pending), admitted by the delivery control (ready).
  let pending: LedgerRecipient[] = [];
  let ready: LedgerRecipient[] = [];
  const mine = new Set<number>(); // reserved and not handed over: a reservation that ran out is not taken twice
  let exhausted: { without: Set<string>; at: number } | undefined;
  const futile = (without: string[]) =>
    exhausted !== undefined && performance.now() - exhausted.at < EXHAUSTED_MS && [...exhausted.without].every((p) => without.includes(p));
  // As the store leaves providers out: a row without a stored provider is never left out.
  const queuedAgain = (rows: LedgerRecipient[]) => {
    if (exhausted && rows.some((r) => !r.provider || !exhausted!.without.has(r.provider))) exhausted = undefined;
  };
  let skipped = false;
  // Rows of a hand-off whose 'sending' mark failed: it may have committed all the same (the answer lost with the
  // connection). None went to delivery, so any that were marked go back to 'queued' before another hand-off: marked
  // and never sent, they stayed 'sending' for as long as the process lived and their campaign never finished.
  let unsure: number[] = [];
  const settleUnsure = async () => {
    if (!unsure.length) return;
    await store.recipients.release(unsure);
    unsure = [];
  };

  /** Rows reserved but not handed over go back to the queue. */
  const giveBack = async (rows: LedgerRecipient[], atIso: string) => {
    if (!rows.length) return;
    queuedAgain(rows);
    for (const r of rows) {
      mine.delete(r.rowId);
      deps.waited(r, providerOfRow(r));
    }
    await store.recipients.unreserve(
      rows.map((r) => r.rowId),
      holder,
      atIso,
    );
  };

  return {
    get pending(): readonly LedgerRecipient[] {
      return pending;
    },
    next: () => pending.shift()!,
    clearPending() {
      pending = [];
    },
    takeReady() {
      const rows = ready;
      ready = [];
      return rows;
    },
    giveBack,
    /**
     * The last reservation was not asked (it would have found nothing a moment ago). Rows others put back or retries
     * may have fallen due since: a loop with nothing else to do asks again rather than going idle.
     */
    takeSkipped() {
      const was = skipped;
      skipped = false;
      exhausted = undefined;
      return was;
    },
    /** Up to `want` more rows, none of the providers left to other processes; how many came. */
    async reserve(want: number, notProviders: string[] | undefined): Promise<number> {
      skipped = want > 0 && !!notProviders && futile(notProviders);
      if (want <= 0 || skipped) return 0;
      const at = now();
      const rows = await store.recipients.reserve(campaignId, want, at.toISOString(), holder, new Date(at.getTime() + RESERVE_MS).toISOString(), notProviders);
      if (rows.length < want) exhausted = { without: new Set(notProviders), at: performance.now() };
      const batch = rows.filter((r) => !mine.has(r.rowId) && !deps.isInFlight(r.rowId));
      for (const r of batch) {
        mine.add(r.rowId);
        pending.push(r);
      }
      return batch.length;
    },
    /** Admitted by the delivery control: goes with the next hand-off. */
    admitted(r: LedgerRecipient) {
      ready.push(r);
    },
    /** Back to the queue until a time its provider may take it. */
    async deferUntil(r: LedgerRecipient, until: Date, why: string) {
      const reason = `waiting until ${until.toISOString()}: ${why}`.slice(0, 500);
      await store.recipients.unreserve([r.rowId], holder, until.toISOString(), reason);
      mine.delete(r.rowId);
    },
    /**
     * The suppression check, then the admitted rows → 'sending' (one statement), then those still reserved for this run
     * go to delivery; a suppressed row is marked too, then failed, as every row that leaves the queue is.
     */
    async handOver() {
      if (!ready.length) return;
      await settleUnsure();
      const go = ready;
      ready = [];
      let suppressed: Set<string>;
      let marked: Set<number>;
      try {
        suppressed = await store.suppressions.filterSuppressed(go.map((r) => r.addressKey));
        marked = new Set(
          await store.recipients.markSending(
            go.map((r) => r.rowId),
            holder,
            now().toISOString(),
            { dataEndMark: deps.dataEndMark },
          ),
        );
      } catch (err) {
        // Reserved still, or marked with the answer lost: released first, then given back at the loop's end (or tried again).
        unsure = unsure.concat(go.map((r) => r.rowId));
        ready = go.concat(ready);
        throw err;
      }
      for (const r of go) mine.delete(r.rowId);
      const rows = [];
      for (const r of go) {
        if (!marked.has(r.rowId)) {
          deps.notGoing(r.rowId); // taken back meanwhile (its provider was held back, the campaign changed, another process has it)
          continue;
        }
        r.attempts += 1;
        if (suppressed.has(r.addressKey)) {
          deps.notGoing(r.rowId);
          await deps.record({ rowId: r.rowId, state: 'failed', error: 'suppressed before hand-off', suppressed: true });
          continue;
        }
        rows.push({ rowId: r.rowId, email: r.email, fields: r.fields, trackingConsent: r.trackingConsent, ...(r.sender ? { from: r.sender } : {}) });
      }
      if (rows.length) deps.send(rows);
    },
    /** Whatever of this run's reservations is left in the ledger (and rows marked 'sending' by a hand-off that failed). */
    async release() {
      await settleUnsure();
      return await store.recipients.releaseHolder(campaignId, holder);
    },
    /** Rows of failed hand-off marks not released yet: for whoever outlives this run. */
    unsettled: () => (unsure.length ? settleUnsure : undefined),
  };
}
