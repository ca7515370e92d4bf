// Reserved rows waiting in the send loop's memory for their mailbox provider: a slowed provider's rate, or a slot of
// its shared concurrency (provider slots), so a throttled provider never holds up the others. A provider whose every
// slot other processes held while a row waited HOLD_MS here is left to those processes: its rows go back to the queue
// due now, in their place, and no more are reserved until this run has a slot again. Otherwise they waited here, then
// went back behind every row not yet sent, and were reserved again.
import type { LedgerRecipient } from '../ports/index.js';

/** Rows a slowed provider, or a provider's busy connections, may keep waiting in memory before they go back to the queue. */
export const HOLD_MS = 2000;
/**
 * Rows of one provider waiting here for its slots at most, unless this run has more messages to it on the wire (each
 * answer frees a slot for one of them). A reservation is sized for the whole delivery, far more than a provider limited
 * to a slot or two sends within HOLD_MS; the rest go back to the queue in their place at once, and no more of that
 * provider are reserved until half of these went. Otherwise another process's run could reserve past them meanwhile,
 * and they went out late (test/e2e/provider-slots-elsewhere-pg.test.ts). Capped at 16 whatever this run sent, a provider
 * allowed 32 connections gave back and reserved again rows every turn (1,860 → 1,098 messages a second).
 */
export const SLOT_QUEUE_MAX = 16;

export interface Waiting {
  row: LedgerRecipient;
  provider: string;
  since: number;
  /** Not before this (monotonic ms). */
  at: number;
  /** Its last wait was for a slot of the provider's concurrency: 'none' when other processes hold them all. */
  slot?: 'busy' | 'none';
}

export interface ProviderWaitsDeps {
  /** A row's wait for a slot ended (it went, or went back to the queue), for /metrics. */
  onSlotWait: (provider: string, seconds: number) => void;
  /** This run left a provider to the other processes. */
  onLeft: (provider: string) => void;
  /** Messages this run has on the wire to a provider. */
  inFlightTo?: (provider: string) => number;
}

export function createProviderWaits(deps: ProviderWaitsDeps) {
  let waiting: Waiting[] = [];
  const leftToOthers = new Set<string>();
  let leave: LedgerRecipient[] = [];
  const slotWaitSince = new Map<number, number>();
  /** The row just held: the last one waiting. */
  const justHeld = (r: LedgerRecipient) => (waiting.at(-1)?.row === r ? waiting.at(-1) : undefined);
  const cap = (provider: string) => Math.max(SLOT_QUEUE_MAX, deps.inFlightTo?.(provider) ?? 0);
  const slotQueueSizes = () => {
    const sizes = new Map<string, number>();
    for (const w of waiting) if (w.slot) sizes.set(w.provider, (sizes.get(w.provider) ?? 0) + 1);
    return sizes;
  };
  /** A row of a provider whose slot queue is full goes back to the queue in its place (as `leaves`, only with its provider stored). */
  const overflows = (r: LedgerRecipient, provider: string) => {
    if (!r.provider || (slotQueueSizes().get(provider) ?? 0) < cap(provider)) return false;
    leave.push(r);
    return true;
  };

  /**
   * `t`: when its wait for a slot began, unless it was already waiting for one. A row that would wait for a slot
   * behind a full slot queue goes back to the queue in its place instead, whichever way it came: rows first held
   * for a moment without a slot (the shared throttles still being read) then met the slot past the cap, and a process
   * without the slot held 48 rows for HOLD_MS (40 to 61 went out late under a loaded machine). Answers whether it
   * waits here.
   */
  const hold = (w: Waiting, t: number): boolean => {
    if (w.slot && overflows(w.row, w.provider)) return false;
    if (w.slot && !slotWaitSince.has(w.row.rowId)) slotWaitSince.set(w.row.rowId, t);
    waiting.push(w);
    return true;
  };

  /** A slot frees whenever a message is answered, not at a time: a row that waited HOLD_MS for one keeps its place in the queue. */
  const leaveInPlace = (w: Waiting) => {
    leave.push(w.row);
    if (w.slot === 'none' && w.row.provider && !leftToOthers.has(w.provider)) {
      leftToOthers.add(w.provider);
      deps.onLeft(w.provider);
    }
  };

  return {
    get size() {
      return waiting.length;
    },
    rows: () => waiting.map((w) => w.row),
    clear() {
      waiting = [];
    },
    /** When the soonest waiting row may go (monotonic ms). */
    soonest: () => Math.min(...waiting.map((w) => w.at)),
    hold,
    /** The row just held waits for a slot. */
    heldForSlot: (r: LedgerRecipient) => !!justHeld(r)?.slot,
    /** When the row just held may go (monotonic ms); undefined if it was not held. */
    heldUntil: (r: LedgerRecipient) => justHeld(r)?.at,
    /** Providers a row waits here for a slot of: a row just reserved queues behind them, not ahead. */
    slotQueue: () => new Set(slotQueueSizes().keys()),
    waited(r: LedgerRecipient, provider: string) {
      const since = slotWaitSince.get(r.rowId);
      if (since === undefined) return;
      slotWaitSince.delete(r.rowId);
      deps.onSlotWait(provider, (performance.now() - since) / 1000);
    },
    isLeft: (provider: string) => leftToOthers.has(provider),
    /** For the reservation: rows of these providers stay in the queue. */
    left: () => {
      const out = new Set(leftToOthers);
      for (const [provider, n] of slotQueueSizes()) if (n > cap(provider) / 2) out.add(provider);
      return out.size ? [...out] : undefined;
    },
    overflows,
    /** Only rows with their provider stored: the others would come back with the next reservation. */
    leaves(r: LedgerRecipient, provider: string) {
      if (!(leftToOthers.has(provider) && r.provider)) return false;
      leave.push(r);
      return true;
    },
    /** Asked each turn, so this run still waits for a slot (its fair share) and takes their rows again once it has one. */
    stillLeft(slotFree: (provider: string) => boolean) {
      for (const provider of leftToOthers) if (slotFree(provider)) leftToOthers.delete(provider);
    },
    takeLeave() {
      const rows = leave;
      leave = [];
      return rows;
    },
    /**
     * Rows whose time came go first (offered while `canGo`); past HOLD_MS a row waiting for a rate comes back to be
     * queued behind the campaign, one waiting for a slot is left to the queue in its place.
     */
    async sweep(t: number, canGo: () => boolean, offer: (w: Waiting) => Promise<void>): Promise<LedgerRecipient[]> {
      const back: Waiting[] = [];
      // Earliest first (the campaign's order): a slot that frees goes to the row that has waited longest for it.
      const due = waiting.sort((a, b) => a.row.rowId - b.row.rowId);
      waiting = [];
      // A provider that just refused a row refuses the rows behind it until then: they are not asked each (with a rate
      // of 800 a second, every row waiting was offered again at each token, 75 admissions a message sent).
      // Behind a row refused for a slot they wait for that slot too, under the slot queue's cap: kept waiting for a
      // moment only, rows first held while the shared throttles were read waited out HOLD_MS uncapped, then went
      // behind the campaign (50 rows 76 to 82 places late in a CI run).
      const refused = new Map<string, Pick<Waiting, 'at' | 'slot'>>();
      for (const w of due) {
        const by = refused.get(w.provider);
        if (leftToOthers.has(w.provider) && w.row.provider) leave.push(w.row);
        else if (w.at <= t && by !== undefined) {
          const slot = by.slot; // the provider's answer just now, not the row's last one
          if (slot === 'none' && t - w.since > HOLD_MS) leaveInPlace({ ...w, slot });
          else hold({ ...w, at: by.at, slot }, t);
        } else if (w.at <= t && canGo()) {
          await offer(w);
          const held = justHeld(w.row);
          if (held) refused.set(w.provider, { at: held.at, slot: held.slot });
          // Refused its slot again past HOLD_MS: not kept waiting because the sweeps happen to come when it is due.
          if (held?.slot === 'none' && t - held.since > HOLD_MS) leaveInPlace(waiting.pop()!);
        } else if (t - w.since <= HOLD_MS) waiting.push(w);
        else if (!w.slot) back.push(w);
        else leaveInPlace(w);
      }
      return back.map((w) => w.row);
    },
  };
}
