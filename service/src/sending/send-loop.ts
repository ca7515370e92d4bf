// Hands one campaign's queued ledger rows to delivery (send threads or in-process). Rows are reserved in batches
// (they stay 'queued', so a crash loses nothing and resends nothing) and become 'sending' in one statement per
// batch right before delivery takes them, only as many as it works on at once: while a row waits for the rate
// limiter or its provider it is still 'queued', so after a crash 'uncertain' is at most the messages delivery had.
// Only this thread touches the ledger: reservations, the 'sending' marks at hand-off, outcomes in short batches.
// With the end of DATA mark on, each message's final dot also waits for its row's mark (group-committed,
// data-end-marks.ts): after a crash a 'sending' row without it never finished DATA and is queued again, so
// 'uncertain' is at most the messages whose dot may have left.
//
// Each campaign sends as one sender identity, through that identity's relay and key only. Before a row goes, the
// delivery control (shared by every campaign) says whether its mailbox provider may take it now: a row whose
// provider is paused, or whose provider group had today's warm-up allowance, goes back to the queue until then
// (with every queued row of that provider), and a provider that is only slowed holds its rows in memory for a
// moment, so a throttled provider never holds up the others.
//
// The parts: reservations.ts (reserve, hand off, give back), provider-waits.ts (rows waiting for their provider,
// providers left to other processes), held-back.ts (providers held back until a time), in-flight.ts (rows delivery
// has), outcome-buffer.ts (verdicts recorded in short batches). This file orders them.
import type { SenderIdentity } from '../domain/identity.js';
import type { Campaign, Recipient } from '../domain/types.js';
import type { Delivery, LedgerRecipient, RowResult, SenderProfile, SendResult, StorePart } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';
import { createDataEndMarks } from './data-end-marks.js';
import { createDeliveryControl, type DeliveryControl, providerOfRow } from './delivery-control.js';
import { createHoldBack } from './held-back.js';
import { InFlightRows } from './in-flight.js';
import { createOutcomeBuffer, createVerdictKeeper, type SettleOptions, settle } from './outcome-buffer.js';
import { defaultRetryDelay, type OutcomeStore, outcomeFor } from './outcomes.js';
import { createProviderWaits, HOLD_MS } from './provider-waits.js';
import { createReservations, type ReservationStore } from './reservations.js';

/** The send loop's part of the store: reservations and hand-off marks, the suppression check, outcomes with their sent items. */
export type SendLoopStore = OutcomeStore &
  ReservationStore &
  StorePart<{ campaigns: 'get' | 'transition'; recipients: 'markDataEnd' | 'counts' | 'deferQueued' }>;

/** Who a campaign sends as: the identity (rates, warm-up, pause) and what delivery needs of it (relay, key). */
export type SenderChoice = { identity: SenderIdentity; profile: SenderProfile } | { refused: string };

export interface SendLoopDeps {
  store: SendLoopStore;
  delivery: Delivery;
  /** The campaign's sender identity, read when it starts and every few hundred ms while it sends. */
  sender: (campaign: Campaign) => Promise<SenderChoice>;
  /** Shared by every campaign's loop; one is made if absent (tests). */
  control?: DeliveryControl;
  /** The relay refused the identity itself (authentication): the identity pauses, with every campaign using it. */
  onRelayProblem?: (identity: SenderIdentity, reason: string) => unknown;
  /** Each final dot waits for its row's end of DATA mark (LEADFWD_DATA_END_MARK; default off here, on in the service). */
  dataEndMark?: boolean;
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  flushEvery?: number;
  idlePollMs?: number;
  /** The service clock (retry times, pauses, the warm-up day); tests pass a fake one. */
  now?: () => Date;
  /** A row waited this long for a slot of its provider's shared concurrency (for /metrics). */
  onSlotWait?: (identityId: string, provider: string, seconds: number) => void;
  /** Other processes held all of a provider's slots: this run left it to them (for /metrics). */
  onSlotsLeft?: (identityId: string, provider: string) => void;
  /** The relay's verdict on a row (not called for our own failures, see SendResult.internal). */
  onOutcome?: (r: Recipient, result: SendResult) => unknown;
  /** How long a run that ends tries to record its verdicts (default 30 s), and how often they are tried after (5 s). */
  settle?: SettleOptions;
  keptRetryMs?: number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const RESERVE_SECONDS = 2;

export function createSendLoop(deps: SendLoopDeps) {
  const maxAttempts = deps.maxAttempts ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? defaultRetryDelay;
  const flushEvery = deps.flushEvery ?? 100;
  // Delivery's own capacity is what it works on at once; twice that waits reserved in memory, so it never idles.
  const slots = Math.max(1, deps.delivery.capacity);
  const now = deps.now ?? (() => new Date());
  const control = deps.control ?? createDeliveryControl({ now, acceptedOn: () => ({}) });
  const keeper = createVerdictKeeper({ retryMs: deps.keptRetryMs, logger: deps.logger });

  /** Sends until the campaign has nothing left to send or stops being 'sending'. Resolves 'done' or 'stopped'. */
  async function run(campaignId: string, signal?: AbortSignal): Promise<'done' | 'stopped'> {
    const { store, logger } = deps;
    await keeper.releasesFirst(campaignId);
    const campaign = await store.campaigns.get(campaignId);
    if (!campaign) return 'stopped';
    const chosen = await deps.sender(campaign);
    if ('refused' in chosen) {
      // Nothing goes out through a sender that is not what the campaign asked for.
      await store.campaigns.transition(campaignId, ['sending'], 'paused', chosen.refused);
      logger?.warn({ campaignId, reason: chosen.refused }, 'send.sender_refused');
      return 'stopped';
    }
    let identity = chosen.identity;
    const profileKey = chosen.profile.key;
    const identityId = () => identity.id;

    const outcomes = createOutcomeBuffer({ store, campaignId, identityId, now, flushEvery, logger });
    // Through a database outage the marks wait and retry: one warning when it starts, one line when it is over.
    const markFailures = turnFailures(logger, 'send.data_end_waiting', { campaignId });
    const inFlight = new InFlightRows();
    const holdBack = createHoldBack({ store, campaignId, identityId, logger });
    const onResults = async (results: RowResult[]) => {
      for (const { rowId, messageId, result } of results) {
        const f = inFlight.get(rowId);
        if (!f) continue;
        inFlight.delete(rowId);
        const throttle = control.finished(identity, f.provider, f.epoch, result);
        if (throttle) {
          logger?.warn(
            { event: 'provider.throttled', campaignId, identityId: identity.id, provider: f.provider, level: throttle.level, reason: throttle.reason },
            'provider.throttled',
          );
          if (throttle.level === 'paused' && throttle.resumeAt)
            await holdBack.provider(f.provider, new Date(throttle.resumeAt), `${f.provider} paused: ${throttle.reason ?? ''}`);
        }
        if (result.relayProblem === 'auth') await deps.onRelayProblem?.(identity, result.text);
        // The relay's verdict as a fact (a bounce) before the row's outcome: the write-back of a failed row reads
        // whether a bounce covers it, and on PostgreSQL it may run between the two commits.
        if (!result.internal && deps.onOutcome) {
          try {
            await deps.onOutcome(f.row, result);
          } catch (err) {
            logger?.warn({ err, rowId }, 'send.on_outcome_failed');
          }
        }
        await outcomes.record(outcomeFor(f.row, result, messageId, maxAttempts, retryDelayMs, now().getTime()));
      }
      inFlight.wakeIfRoom();
    };

    // Delivery reports results as they come; each batch is taken in order, one after the other (the store is asynchronous).
    let reported: Promise<void> = Promise.resolve();
    let reportFailed: unknown;
    const inOrder = (results: RowResult[]) => {
      reported = reported
        .then(async () => await onResults(results))
        .catch((err: unknown) => {
          reportFailed ??= err;
          logger?.warn({ err, campaignId }, 'send.results_not_recorded');
        });
    };
    const dataEnd = deps.dataEndMark
      ? createDataEndMarks(
          async (rowIds) => {
            const marked = await store.recipients.markDataEnd(rowIds, now().toISOString());
            markFailures.ok();
            return marked;
          },
          { onError: markFailures.failed },
        )
      : undefined;
    const session = await deps.delivery.open(campaign, chosen.profile, inOrder, dataEnd);
    // Outcomes not yet flushed turn into 'uncertain' after a crash, so keep the buffer short-lived.
    const flushTimer = setInterval(outcomes.flushSoon, 25);
    // Re-reading the campaign for every batch costs more than it tells; a pause is noticed within this.
    let checkedAt = 0;
    let active = true;
    const stillSending = async () => {
      if (Date.now() - checkedAt > 200) {
        checkedAt = Date.now();
        active = (await store.campaigns.get(campaignId))?.status === 'sending';
        const again = active ? await deps.sender(campaign) : undefined;
        if (again && 'identity' in again) {
          // Rates, limits and warm-up follow edits; a new relay or key is a new session (the next run).
          identity = again.identity;
          if (again.profile.key !== profileKey || identity.paused) active = false;
        } else if (again) active = false;
      }
      return active && !signal?.aborted;
    };

    const waits = createProviderWaits({
      onSlotWait: (provider, seconds) => deps.onSlotWait?.(identity.id, provider, seconds),
      onLeft: (provider) => {
        deps.onSlotsLeft?.(identity.id, provider);
        logger?.info({ event: 'send.slots_elsewhere', campaignId, identityId: identity.id, provider }, 'send.slots_elsewhere');
      },
      inFlightTo: (provider) => {
        let n = 0;
        for (const f of inFlight.values()) if (f.provider === provider) n++;
        return n;
      },
    });
    // A reservation past what the providers' slots take only fills their slot queues, the rest going back at once (a
    // campaign to one provider allowed 32 connections reserved 384 rows a turn and gave 352 back): after a turn that
    // overflowed, the next reserves what that turn kept, and twice as many after each turn that did not.
    let reserveAtMost = Number.POSITIVE_INFINITY;
    // What the identity's rate lets go in RESERVE_SECONDS: rows reserved past it only wait, and if this process dies
    // they wait out its lease before another takes them (a 3 msg/s identity held 48 rows, 16 s of sending).
    const rateRoom = () => (identity.rate.perSecond > 0 ? Math.max(1, Math.ceil(identity.rate.perSecond * RESERVE_SECONDS)) : Number.POSITIVE_INFINITY);
    /** An admitted row that does not go after all no longer counts against its provider. */
    const notGoing = (rowId: number) => {
      const f = inFlight.get(rowId);
      inFlight.delete(rowId);
      outcomes.untrack(rowId);
      if (f) control.finished(identity, f.provider, f.epoch, { outcome: 'retryable', text: 'not handed over', internal: true });
    };
    const reserved = createReservations({
      store,
      campaignId,
      now,
      dataEndMark: deps.dataEndMark === true,
      isInFlight: (rowId) => inFlight.has(rowId),
      waited: waits.waited,
      notGoing,
      record: outcomes.record,
      send: (rows) => session.send(rows),
    });
    const goes = (r: LedgerRecipient, provider: string) => {
      waits.waited(r, provider);
      inFlight.set(r.rowId, { row: r, provider, epoch: control.started(identity, provider) });
      outcomes.track(r.rowId, provider);
      reserved.admitted(r);
    };
    /** Hands one row over, or puts it aside (held in memory, or back in the queue until its provider may take it). */
    const offer = async (r: LedgerRecipient, provider: string, since: number): Promise<void> => {
      if (waits.leaves(r, provider)) return;
      for (;;) {
        const a = control.admit(identity, provider);
        if (a.ok) return goes(r, provider);
        if ('until' in a) {
          await reserved.deferUntil(r, a.until, a.why);
          waits.waited(r, provider);
          await holdBack.admission(a);
          return;
        }
        if (a.identityWide) {
          await reserved.handOver(); // what the bucket already allowed goes now, not after the wait
          await sleep(a.waitMs);
          continue;
        }
        const t = performance.now();
        waits.hold({ row: r, provider, since, at: t + a.waitMs, ...(a.slot ? { slot: a.slotless ? 'none' : 'busy' } : {}) }, t);
        return;
      }
    };
    /** Rows of providers left to the other processes go back to the queue, due now: they keep their place in it. */
    const leaveToOthers = async () => {
      waits.stillLeft((provider) => control.slotFree(identity, provider));
      const rows = waits.takeLeave();
      if (rows.length) await reserved.giveBack(rows, '');
    };

    try {
      for (;;) {
        await leaveToOthers();
        if (!(await stillSending())) {
          await reserved.giveBack([...reserved.pending, ...waits.rows()], now().toISOString());
          reserved.clearPending();
          waits.clear();
          await inFlight.room(1);
          return 'stopped';
        }
        // Rows a slowed provider kept waiting go first when their time came; past HOLD_MS they return to the queue.
        if (waits.size) {
          const back = await waits.sweep(
            performance.now(),
            () => inFlight.size < slots,
            (w) => offer(w.row, w.provider, w.since),
          );
          await reserved.giveBack(back, new Date(now().getTime() + HOLD_MS).toISOString());
          await leaveToOthers();
          await reserved.handOver();
        }
        // Refill once half the slots are free: the 'sending' marks stay batched (one statement for many rows).
        await inFlight.room(Math.ceil(slots / 2));
        let came = 0;
        // The rate's room counts rows waiting here only: those on the wire are the relay's (a slow one holds them longer).
        const waiting = reserved.pending.length + waits.size;
        const want = Math.min(2 * slots - waiting - inFlight.size, rateRoom() - waiting, reserveAtMost);
        // In batches, as the slots are refilled: while a provider's rate let one row go per token, each went with a
        // reservation of its own (a statement a message).
        const batch = Math.min(Math.ceil(Math.min(slots, rateRoom()) / 2), reserveAtMost);
        if (reserved.pending.length < slots && (want >= batch || reserved.pending.length + waits.size === 0)) came = await reserved.reserve(want, waits.left());
        if (reserved.pending.length === 0 && came === 0) {
          if (waits.size) {
            const soonest = waits.soonest() - performance.now();
            await Promise.race([sleep(Math.max(1, Math.min(soonest, 50))), inFlight.room(inFlight.size)]);
            continue;
          }
          if (reserved.takeSkipped()) continue;
          await inFlight.room(1);
          await outcomes.flush();
          const counts = await store.recipients.counts(campaignId);
          if (counts.queued === 0 && counts.sending === 0) return 'done';
          await sleep(deps.idlePollMs ?? 1000); // only retries (or rows held back by their provider) waiting for their time remain
          continue;
        }
        const t = performance.now();
        const slotQueue = waits.slotQueue();
        let kept = 0;
        let overflowed = 0;
        // A provider that refused a row for its rate refuses the rows behind it until then: they wait without asking.
        const refusedUntil = new Map<string, number>();
        // Asked per row (cached for 200 ms): a wait for the identity's rate inside offer() can outlast a pause.
        while (reserved.pending.length && inFlight.size < slots && (await stillSending())) {
          const r = reserved.next();
          const provider = providerOfRow(r);
          const until = refusedUntil.get(provider);
          if (until !== undefined && !waits.isLeft(provider)) waits.hold({ row: r, provider, since: t, at: until }, t);
          else if (!slotQueue.has(provider) || waits.isLeft(provider)) {
            await offer(r, provider, t);
            const at = waits.heldUntil(r);
            if (at !== undefined && !waits.heldForSlot(r)) refusedUntil.set(provider, at);
          } else if (!waits.hold({ row: r, provider, since: t, at: t, slot: 'busy' }, t)) {
            overflowed++;
            continue;
          }
          kept++;
          if (waits.heldForSlot(r)) slotQueue.add(provider);
        }
        if (came) reserveAtMost = overflowed ? Math.max(1, kept) : reserveAtMost * 2;
        await reserved.handOver();
        await leaveToOthers();
      }
    } finally {
      clearInterval(flushTimer);
      // Also when the loop failed (the database went away): rows never handed over go back to the queue, rows handed
      // over are answered first, then every verdict is recorded, retried while the database comes back.
      const notHanded = reserved.takeReady();
      let back = [...reserved.pending, ...waits.rows(), ...notHanded, ...waits.takeLeave()];
      for (const r of notHanded) inFlight.delete(r.rowId);
      reserved.clearPending();
      waits.clear();
      await inFlight.room(1);
      await reported;
      try {
        await settle(async () => {
          await reserved.giveBack(back, now().toISOString());
          back = [];
          await reserved.release();
          await outcomes.flush();
        }, deps.settle).catch((err: unknown) => {
          keeper.keep(outcomes, campaignId); // rows not given back wait out their reservation; answers must not be lost
          const unsettled = reserved.unsettled();
          if (unsettled) keeper.keepRelease(unsettled, campaignId); // else 'sending' for as long as the process lives
          throw err;
        });
      } finally {
        session.close();
      }
    }
    if (reportFailed) throw reportFailed;
  }

  return {
    run,
    control,
    /** The relay's verdicts held past their run while the database is away. */
    keptVerdicts: keeper.pending,
    recordKept: keeper.recordNow,
  };
}
