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
import { randomUUID } from 'node:crypto';
import { backoffMs } from '../domain/backoff.js';
import type { SenderIdentity } from '../domain/identity.js';
import { BIG_PROVIDERS, type MailboxProvider, reportGroup } from '../domain/mailbox-provider.js';
import type { Campaign, Recipient } from '../domain/types.js';
import type { Delivery, LedgerRecipient, Outcome, RowResult, SenderProfile, SendResult, StorePart } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';
import { createDataEndMarks } from './data-end-marks.js';
import { createDeliveryControl, type DeliveryControl, providerOfRow } from './delivery-control.js';
import { type OutcomeStore, recordOutcomes } from './outcomes.js';

/** The send loop's part of the store: reservations and hand-off marks, the suppression check, outcomes with their sent items. */
export type SendLoopStore = OutcomeStore &
  StorePart<{
    campaigns: 'get' | 'transition';
    recipients: 'reserve' | 'markSending' | 'markDataEnd' | 'unreserve' | 'releaseHolder' | 'counts' | 'deferQueued';
    suppressions: 'filterSuppressed';
  }>;

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
  /** The relay's verdict on a row (not called for our own failures, see SendResult.internal). */
  onOutcome?: (r: Recipient, result: SendResult) => unknown;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A 4xx retry waits 1 minute, doubling up to an hour (attempt 1 is the first send). */
const defaultRetryDelay = (attempt: number) => backoffMs(attempt - 1, { baseMs: 60_000, maxMs: 3_600_000, jitter: 'none' });
/** Rows a slowed provider, or a provider's busy connections, may keep waiting in memory before they go back to the queue. */
const HOLD_MS = 2000;
/** How long a loop that ends keeps trying to record its verdicts while the database is away (60 × 500 ms). */
const SETTLE_ATTEMPTS = 60;
const SETTLE_RETRY_MS = 500;
/** A reservation's length: past it (a loop that died without a restart, on another host) the rows are due again. */
const RESERVE_MS = 60_000;

/** `fn` until it succeeds, retried while the database is away; its last failure after SETTLE_ATTEMPTS. */
async function settle(fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= SETTLE_ATTEMPTS) throw err;
      await sleep(SETTLE_RETRY_MS);
    }
  }
}

export function outcomeFor(
  r: Recipient,
  res: SendResult,
  messageId: string | undefined,
  maxAttempts: number,
  retryDelayMs: (a: number) => number,
  now = Date.now(),
): Outcome {
  const detail = [res.code, res.enhanced, res.text].filter(Boolean).join(' ').slice(0, 500);
  switch (res.outcome) {
    case 'accepted':
      return { rowId: r.rowId, state: 'accepted', messageId };
    case 'permanent':
      return { rowId: r.rowId, state: 'failed', messageId, error: detail };
    case 'uncertain':
      return { rowId: r.rowId, state: 'uncertain', messageId, error: detail };
    case 'retryable':
      if (r.attempts >= maxAttempts) return { rowId: r.rowId, state: 'failed', messageId, error: `gave up after ${r.attempts} attempts: ${detail}` };
      return { rowId: r.rowId, state: 'queued', error: detail, retryAt: new Date(now + retryDelayMs(r.attempts)).toISOString() };
  }
  throw new Error(`unknown send outcome ${String(res.outcome)}`);
}

interface InFlight {
  row: LedgerRecipient;
  provider: string;
  epoch: number;
}
interface Held {
  row: LedgerRecipient;
  provider: string;
  since: number;
  /** Not before this (monotonic ms). */
  at: number;
  /** Its last wait was for a slot of the provider's concurrency: 'none' when other processes hold them all. */
  slot?: 'busy' | 'none';
}

export function createSendLoop(deps: SendLoopDeps) {
  const maxAttempts = deps.maxAttempts ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? defaultRetryDelay;
  const flushEvery = deps.flushEvery ?? 100;
  // Delivery's own capacity is what it works on at once; twice that waits reserved in memory, so it never idles.
  const slots = Math.max(1, deps.delivery.capacity);
  const now = deps.now ?? (() => new Date());
  const control = deps.control ?? createDeliveryControl({ now, acceptedOn: () => ({}) });

  /** Sends until the campaign has nothing left to send or stops being 'sending'. Resolves 'done' or 'stopped'. */
  async function run(campaignId: string, signal?: AbortSignal): Promise<'done' | 'stopped'> {
    const { store } = deps;
    const campaign = await store.campaigns.get(campaignId);
    if (!campaign) return 'stopped';
    const chosen = await deps.sender(campaign);
    if ('refused' in chosen) {
      // Nothing goes out through a sender that is not what the campaign asked for.
      await store.campaigns.transition(campaignId, ['sending'], 'paused', chosen.refused);
      deps.logger?.warn({ campaignId, reason: chosen.refused }, 'send.sender_refused');
      return 'stopped';
    }
    let identity = chosen.identity;
    const profileKey = chosen.profile.key;
    // Names this run's reservations: only it may mark them 'sending'.
    const holder = `${process.pid}:${randomUUID()}`;

    let outcomes: Outcome[] = [];
    const providerOf = new Map<number, string>();
    const flush = async () => {
      if (outcomes.length === 0) return;
      const batch = outcomes;
      outcomes = [];
      try {
        await recordOutcomes(store, campaignId, batch, now(), {
          identityId: identity.id,
          group: (rowId) => reportGroup((providerOf.get(rowId) ?? 'unknown') as MailboxProvider),
        });
      } catch (err) {
        // The database is away (a restart, a failover): the relay's verdicts wait here for the next flush instead of
        // being lost, which would leave their rows 'sending' under a live process for ever.
        outcomes = batch.concat(outcomes);
        throw err;
      }
      for (const o of batch) providerOf.delete(o.rowId);
    };
    // Through a database outage each waits and retries: one warning when it starts, one line when it is over.
    const outcomeFailures = turnFailures(deps.logger, 'send.outcomes_waiting', { campaignId });
    const markFailures = turnFailures(deps.logger, 'send.data_end_waiting', { campaignId });
    const flushSoon = () => flush().then(outcomeFailures.ok, outcomeFailures.failed);
    const record = async (o: Outcome) => {
      outcomes.push(o);
      if (outcomes.length >= flushEvery) await flushSoon();
    };

    // Rows handed to delivery and not answered yet; `room` wakes the loop when enough came back.
    const inFlight = new Map<number, InFlight>();
    let held: Held[] = [];
    let waiter: { below: number; wake(): void } | undefined;
    const room = (below: number) => (inFlight.size < below ? Promise.resolve() : new Promise<void>((wake) => (waiter = { below, wake })));
    // Providers held back until a time (paused, warm-up): their queued rows were moved once per time.
    const deferredUntil = new Map<string, string>();
    const holdBack = async (key: string, provider: string | undefined, notIn: readonly string[] | undefined, until: Date, why: string) => {
      const iso = until.toISOString();
      if (deferredUntil.get(key) === iso) return;
      deferredUntil.set(key, iso);
      const reason = `waiting until ${iso}: ${why}`.slice(0, 500);
      const n = await store.recipients.deferQueued(campaignId, notIn ? { notIn: [...notIn] } : provider ? { provider } : {}, iso, reason);
      deps.logger?.info({ event: 'send.held_back', campaignId, identityId: identity.id, provider, until: iso, rows: n, why }, 'send.held_back');
    };
    const onResults = async (results: RowResult[]) => {
      for (const { rowId, messageId, result } of results) {
        const f = inFlight.get(rowId);
        if (!f) continue;
        inFlight.delete(rowId);
        const throttle = control.finished(identity, f.provider, f.epoch, result);
        if (throttle) {
          deps.logger?.warn(
            { event: 'provider.throttled', campaignId, identityId: identity.id, provider: f.provider, level: throttle.level, reason: throttle.reason },
            'provider.throttled',
          );
          if (throttle.level === 'paused' && throttle.resumeAt)
            await holdBack(`p:${f.provider}`, f.provider, undefined, new Date(throttle.resumeAt), `${f.provider} paused: ${throttle.reason ?? ''}`);
        }
        if (result.relayProblem === 'auth') await deps.onRelayProblem?.(identity, result.text);
        // The relay's verdict as a fact (a bounce) before the row's outcome: the write-back of a failed row reads
        // whether a bounce covers it, and on PostgreSQL it may run between the two commits.
        if (!result.internal && deps.onOutcome) {
          try {
            await deps.onOutcome(f.row, result);
          } catch (err) {
            deps.logger?.warn({ err, rowId }, 'send.on_outcome_failed');
          }
        }
        await record(outcomeFor(f.row, result, messageId, maxAttempts, retryDelayMs, now().getTime()));
      }
      if (waiter && inFlight.size < waiter.below) {
        const w = waiter;
        waiter = undefined;
        w.wake();
      }
    };

    // Delivery reports results as they come; each batch is taken in order, one after the other (the store is asynchronous).
    let reported: Promise<void> = Promise.resolve();
    let reportFailed: unknown;
    const inOrder = (results: RowResult[]) => {
      reported = reported
        .then(async () => await onResults(results))
        .catch((err: unknown) => {
          reportFailed ??= err;
          deps.logger?.warn({ err, campaignId }, 'send.results_not_recorded');
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
    const flushTimer = setInterval(flushSoon, 25);
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

    // Reserved rows in memory: not offered yet (pending), admitted by the delivery control (ready).
    let pending: LedgerRecipient[] = [];
    let ready: LedgerRecipient[] = [];
    const mine = new Set<number>(); // reserved and not handed over: a reservation that ran out is not taken twice
    // Providers whose every shared slot other processes held while a row waited HOLD_MS here: their rows are left to
    // those processes (back to the queue due now, in their place, and no more reserved) until this run has a slot
    // again. Otherwise they waited here, then went back behind every row not yet sent, and were reserved again.
    const leftToOthers = new Set<string>();
    let leave: LedgerRecipient[] = [];
    const slotWaitSince = new Map<number, number>();
    const waited = (r: LedgerRecipient, provider: string) => {
      const since = slotWaitSince.get(r.rowId);
      if (since === undefined) return;
      slotWaitSince.delete(r.rowId);
      deps.onSlotWait?.(identity.id, provider, (performance.now() - since) / 1000);
    };
    /** An admitted row that does not go after all no longer counts against its provider. */
    const notGoing = (rowId: number) => {
      const f = inFlight.get(rowId);
      inFlight.delete(rowId);
      providerOf.delete(rowId);
      if (f) control.finished(identity, f.provider, f.epoch, { outcome: 'retryable', text: 'not handed over', internal: true });
    };
    /**
     * The suppression check, then the admitted rows → 'sending' (one statement), then those still reserved for this run
     * go to delivery; a suppressed row is marked too, then failed, as every row that leaves the queue is.
     */
    const handOver = async () => {
      if (!ready.length) return;
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
            { dataEndMark: deps.dataEndMark === true },
          ),
        );
      } catch (err) {
        // The database went away before they were marked: they are still only reserved, and the loop's end gives them back.
        ready = go.concat(ready);
        throw err;
      }
      for (const r of go) mine.delete(r.rowId);
      const rows = [];
      for (const r of go) {
        if (!marked.has(r.rowId)) {
          notGoing(r.rowId); // taken back meanwhile (its provider was held back, the campaign changed, another process has it)
          continue;
        }
        r.attempts += 1;
        if (suppressed.has(r.addressKey)) {
          notGoing(r.rowId);
          await record({ rowId: r.rowId, state: 'failed', error: 'suppressed before hand-off', suppressed: true });
          continue;
        }
        rows.push({ rowId: r.rowId, email: r.email, fields: r.fields, trackingConsent: r.trackingConsent, ...(r.sender ? { from: r.sender } : {}) });
      }
      if (rows.length) session.send(rows);
    };
    /** Rows reserved but not handed over go back to the queue. */
    const giveBack = async (rows: LedgerRecipient[], atIso: string) => {
      if (!rows.length) return;
      for (const r of rows) {
        mine.delete(r.rowId);
        waited(r, providerOfRow(r));
      }
      await store.recipients.unreserve(
        rows.map((r) => r.rowId),
        holder,
        atIso,
      );
    };
    const goes = (r: LedgerRecipient, provider: string) => {
      waited(r, provider);
      inFlight.set(r.rowId, { row: r, provider, epoch: control.started(identity, provider) });
      providerOf.set(r.rowId, provider);
      ready.push(r);
    };
    /** Hands one row over, or puts it aside (held in memory, or back in the queue until its provider may take it). */
    const offer = async (r: LedgerRecipient, provider: string, since: number): Promise<void> => {
      // Only rows with their provider stored: the others would come back with the next reservation.
      if (leftToOthers.has(provider) && r.provider) return void leave.push(r);
      for (;;) {
        const a = control.admit(identity, provider);
        if (a.ok) return goes(r, provider);
        if ('until' in a) {
          const reason = `waiting until ${a.until.toISOString()}: ${a.why}`.slice(0, 500);
          await store.recipients.unreserve([r.rowId], holder, a.until.toISOString(), reason);
          mine.delete(r.rowId);
          waited(r, provider);
          if (a.provider) await holdBack(`p:${a.provider}`, a.provider, undefined, a.until, a.why);
          else if (a.group === 'other') await holdBack('g:other', undefined, BIG_PROVIDERS, a.until, a.why);
          else if (a.group) await holdBack(`p:${a.group}`, a.group, undefined, a.until, a.why);
          else await holdBack('all', undefined, undefined, a.until, a.why);
          return;
        }
        if (a.identityWide) {
          await handOver(); // what the bucket already allowed goes now, not after the wait
          await sleep(a.waitMs);
          continue;
        }
        const t = performance.now();
        if (a.slot && !slotWaitSince.has(r.rowId)) slotWaitSince.set(r.rowId, t);
        held.push({ row: r, provider, since, at: t + a.waitMs, ...(a.slot ? { slot: a.slotless ? 'none' : 'busy' } : {}) });
        return;
      }
    };

    /** Rows of providers left to the other processes go back to the queue, due now: they keep their place in it. */
    const leaveToOthers = async () => {
      // Asked each turn, so this process still waits for a slot (its fair share) and takes their rows again once it has one.
      for (const provider of leftToOthers) if (control.slotFree(identity, provider)) leftToOthers.delete(provider);
      if (!leave.length) return;
      const rows = leave;
      leave = [];
      await giveBack(rows, '');
    };

    try {
      for (;;) {
        await leaveToOthers();
        if (!(await stillSending())) {
          await giveBack([...pending, ...held.map((h) => h.row)], now().toISOString());
          pending = [];
          held = [];
          await room(1);
          return 'stopped';
        }
        // Rows a slowed provider kept waiting go first when their time came; past HOLD_MS they return to the queue.
        if (held.length) {
          const t = performance.now();
          const back: Held[] = [];
          // Earliest first (the campaign's order): a slot that frees goes to the row that has waited longest for it.
          const waiting = held.sort((a, b) => a.row.rowId - b.row.rowId);
          held = [];
          for (const h of waiting) {
            if (leftToOthers.has(h.provider) && h.row.provider) leave.push(h.row);
            else if (h.at <= t && inFlight.size < slots) await offer(h.row, h.provider, h.since);
            else if (t - h.since <= HOLD_MS) held.push(h);
            else if (!h.slot) back.push(h);
            else {
              // A slot frees whenever a message is answered, not at a time: the row keeps its place in the queue.
              leave.push(h.row);
              if (h.slot === 'none' && h.row.provider && !leftToOthers.has(h.provider)) {
                leftToOthers.add(h.provider);
                deps.logger?.info({ event: 'send.slots_elsewhere', campaignId, identityId: identity.id, provider: h.provider }, 'send.slots_elsewhere');
              }
            }
          }
          await giveBack(
            back.map((h) => h.row),
            new Date(now().getTime() + HOLD_MS).toISOString(),
          );
          await leaveToOthers();
          await handOver();
        }
        // Refill once half the slots are free: the 'sending' marks stay batched (one statement for many rows).
        await room(Math.ceil(slots / 2));
        let reserved = 0;
        if (pending.length < slots) {
          const want = 2 * slots - pending.length - held.length - inFlight.size;
          const at = now();
          const batch =
            want > 0
              ? (
                  await store.recipients.reserve(
                    campaignId,
                    want,
                    at.toISOString(),
                    holder,
                    new Date(at.getTime() + RESERVE_MS).toISOString(),
                    leftToOthers.size ? [...leftToOthers] : undefined,
                  )
                ).filter((r) => !mine.has(r.rowId) && !inFlight.has(r.rowId))
              : [];
          reserved = batch.length;
          for (const r of batch) {
            mine.add(r.rowId);
            pending.push(r);
          }
        }
        if (pending.length === 0 && reserved === 0) {
          if (held.length) {
            const soonest = Math.min(...held.map((h) => h.at)) - performance.now();
            await Promise.race([sleep(Math.max(1, Math.min(soonest, 50))), room(inFlight.size)]);
            continue;
          }
          await room(1);
          await flush();
          const counts = await store.recipients.counts(campaignId);
          if (counts.queued === 0 && counts.sending === 0) return 'done';
          await sleep(deps.idlePollMs ?? 1000); // only retries (or rows held back by their provider) waiting for their time remain
          continue;
        }
        const t = performance.now();
        // A row just reserved queues behind its provider's rows already waiting here for a slot, not ahead of them.
        const slotQueue = new Set(held.filter((h) => h.slot).map((h) => h.provider));
        while (pending.length && inFlight.size < slots && !signal?.aborted) {
          const r = pending.shift()!;
          const provider = providerOfRow(r);
          if (slotQueue.has(provider) && !leftToOthers.has(provider)) {
            if (!slotWaitSince.has(r.rowId)) slotWaitSince.set(r.rowId, t);
            held.push({ row: r, provider, since: t, at: t, slot: 'busy' });
          } else await offer(r, provider, t);
          if (held.at(-1)?.row === r && held.at(-1)?.slot) slotQueue.add(provider);
        }
        await handOver();
        await leaveToOthers();
      }
    } finally {
      clearInterval(flushTimer);
      // Also when the loop failed (the database went away): rows never handed over go back to the queue, rows handed
      // over are answered first, then every verdict is recorded, retried while the database comes back.
      let back = [...pending, ...held.map((h) => h.row), ...ready, ...leave];
      for (const r of ready) inFlight.delete(r.rowId);
      pending = [];
      held = [];
      ready = [];
      leave = [];
      await room(1);
      await reported;
      try {
        await settle(async () => {
          await giveBack(back, now().toISOString());
          back = [];
          await store.recipients.releaseHolder(campaignId, holder);
          await flush();
        });
      } finally {
        session.close();
      }
    }
    if (reportFailed) throw reportFailed;
  }

  return { run, control };
}
