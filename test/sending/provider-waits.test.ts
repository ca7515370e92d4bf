// A provider limited to a slot or two sends few of a reservation's rows within HOLD_MS. The send loop keeps at most
// SLOT_QUEUE_MAX of them waiting for its slots and gives the rest back in their place at once, so no other process's
// run reserves past rows that only wait here (test/e2e/provider-slots-elsewhere-pg.test.ts shows the order end to end).
import { describe, expect, it } from 'vitest';
import type { LedgerRecipient } from '../../service/src/ports/index.js';
import { createProviderWaits, HOLD_MS, SLOT_QUEUE_MAX, type Waiting } from '../../service/src/sending/provider-waits.js';

const row = (rowId: number, provider?: string) => ({ rowId, provider }) as LedgerRecipient;

describe("rows waiting for a provider's slots", () => {
  it('holds at most SLOT_QUEUE_MAX of one provider, gives the rest back in their place, and reserves none of it until half went', async () => {
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: () => {} });
    for (let i = 1; i <= SLOT_QUEUE_MAX; i++)
      waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: i <= SLOT_QUEUE_MAX / 2 ? 0 : 1_000, slot: 'busy' }, 0);
    expect(waits.overflows(row(100, 'google'), 'google')).toBe(true);
    expect(waits.overflows(row(101, 'microsoft'), 'microsoft')).toBe(false); // its own queue is empty
    expect(waits.overflows(row(102), 'google')).toBe(false); // no stored provider: a reservation could not leave it out
    expect(waits.takeLeave().map((r) => r.rowId)).toEqual([100]);
    expect(waits.left()).toEqual(['google']);

    const went: number[] = [];
    await waits.sweep(
      10,
      () => true,
      async (w) => void went.push(w.row.rowId),
    );
    expect(went).toEqual(Array.from({ length: SLOT_QUEUE_MAX / 2 }, (_, i) => i + 1));
    expect(waits.size).toBe(SLOT_QUEUE_MAX / 2);
    expect(waits.left()).toBeUndefined();
  });

  // Rows first held without a slot (the shared throttles still being read) met the slot one by one in the sweep, past
  // the cap: a process without the slot held 48 rows for HOLD_MS, and they went out late.
  it('keeps the cap for every row that comes to wait for a slot, however it came', () => {
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: () => {} });
    const n = 3 * SLOT_QUEUE_MAX;
    for (let i = 1; i <= n; i++) waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: 1_000 }, 0);
    expect(waits.size).toBe(n); // waiting for a moment, not for a slot: not capped
    // Each is offered in its turn and told to wait for a slot other processes hold.
    const again = waits.rows();
    waits.clear();
    for (const r of again) waits.hold({ row: r, provider: 'google', since: 0, at: 1_000, slot: 'none' }, 1);
    expect(waits.rows().map((r) => r.rowId)).toEqual(Array.from({ length: SLOT_QUEUE_MAX }, (_, i) => i + 1));
    expect(waits.takeLeave().map((r) => r.rowId)).toEqual(Array.from({ length: n - SLOT_QUEUE_MAX }, (_, i) => SLOT_QUEUE_MAX + i + 1));
    // Without a stored provider a reservation could not leave the row out: it waits.
    waits.hold({ row: row(999), provider: 'google', since: 0, at: 1_000, slot: 'none' }, 1);
    expect(waits.size).toBe(SLOT_QUEUE_MAX + 1);
  });

  // The sweep asks only the first of a provider's rows; the rows behind one refused for a slot were kept waiting for
  // a moment, uncapped, until HOLD_MS sent them behind the campaign (50 rows 76 to 82 places late in a CI run).
  it('keeps the cap for the rows behind one refused for a slot in a sweep, and leaves them in their place', async () => {
    const left: string[] = [];
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: (p) => left.push(p) });
    const n = 3 * SLOT_QUEUE_MAX;
    for (let i = 1; i <= n; i++) waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: 2 }, 0);
    const asked: number[] = [];
    let now = 3;
    // Asked again, each is told to wait 5 ms more for a slot other processes hold.
    const offer = async (w: Waiting) => {
      asked.push(w.row.rowId);
      waits.hold({ ...w, at: now + 5, slot: 'none' }, now);
    };
    expect(await waits.sweep(now, () => true, offer)).toEqual([]);
    expect(asked).toEqual([1]);
    expect(waits.rows().map((r) => r.rowId)).toEqual(Array.from({ length: SLOT_QUEUE_MAX }, (_, i) => i + 1));
    expect(waits.takeLeave().map((r) => r.rowId)).toEqual(Array.from({ length: n - SLOT_QUEUE_MAX }, (_, i) => SLOT_QUEUE_MAX + i + 1));
    // Past HOLD_MS with the slot still elsewhere: every one goes back to the queue in its place, none behind the campaign.
    for (now = 10; now <= HOLD_MS + 10; now += 10) expect(await waits.sweep(now, () => true, offer)).toEqual([]);
    expect(waits.size).toBe(0);
    expect(waits.takeLeave()).toHaveLength(SLOT_QUEUE_MAX);
    expect(left).toEqual(['google']);
  });

  it('asks a provider that refused a row in this sweep nothing more: the rows behind it wait as long', async () => {
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: () => {} });
    for (let i = 1; i <= 10; i++) waits.hold({ row: row(i, i % 5 === 0 ? 'yahoo' : 'google'), provider: i % 5 === 0 ? 'yahoo' : 'google', since: 0, at: 0 }, 0);
    const asked: number[] = [];
    await waits.sweep(
      1,
      () => true,
      async (w) => {
        asked.push(w.row.rowId);
        // google's rate allows the next message at 40; yahoo takes its rows.
        if (w.provider === 'google') waits.hold({ ...w, at: 40 }, 1);
      },
    );
    expect(asked).toEqual([1, 5, 10]);
    expect(waits.rows().map((r) => r.rowId)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(waits.soonest()).toBe(40);
  });

  it('holds as many as this run has on the wire to that provider, when that is more: each answer frees a slot for one', () => {
    const onWire = 40;
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: () => {}, inFlightTo: (p) => (p === 'google' ? onWire : 0) });
    for (let i = 1; i <= onWire; i++) {
      expect(waits.overflows(row(i, 'google'), 'google')).toBe(false);
      waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: 1_000, slot: 'busy' }, 0);
    }
    expect(waits.overflows(row(41, 'google'), 'google')).toBe(true);
    expect(waits.left()).toEqual(['google']);
    for (let i = 1; i <= SLOT_QUEUE_MAX; i++) waits.hold({ row: row(100 + i, 'yahoo'), provider: 'yahoo', since: 0, at: 1_000, slot: 'busy' }, 0);
    expect(waits.overflows(row(200, 'yahoo'), 'yahoo')).toBe(true);
  });
  // A review of the sweep's cap (b66313a) found these two. Provider with concurrency 2 and a rate. Rows 1-3 last waited for a slot other processes all held ('none').
  // In this sweep row 1 is admitted (this process now holds a slot, message on the wire), row 2 is refused for
  // the provider's RATE (no slot: a slot was free). Row 3 still carries its stale slot: 'none'.
  it('does not leave a provider to others in the sweep that just gave this process one of its slots', async () => {
    const left: string[] = [];
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: (p) => left.push(p) });
    for (let i = 1; i <= 3; i++) waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: 100, slot: 'none' }, 0);
    const t = HOLD_MS + 100;
    const went: number[] = [];
    const offer = async (w: Waiting) => {
      if (w.row.rowId === 1) return void went.push(1); // admitted: holds a slot now
      waits.hold({ row: w.row, provider: w.provider, since: w.since, at: t + 200 }, t); // as send-loop's offer: rate, no slot
    };
    const back = await waits.sweep(t, () => true, offer);
    expect(went).toEqual([1]);
    expect(left).toEqual([]); // was ['google'] while row 1 was on the wire with this process's slot
    expect(waits.isLeft('google')).toBe(false);
    expect([...waits.rows(), ...back, ...waits.takeLeave()].map((r) => r.rowId).sort()).toEqual([2, 3]);
    expect(waits.rows().map((r) => r.rowId)).toEqual([2, 3]); // rows behind a rate refusal wait for the rate, as before
  });

  // One process, provider allowed 1 connection, each message answered in 300 ms; 16 rows (one slot queue) waiting:
  // rows past HOLD_MS went back to the queue although next in line for the slot this process holds.
  it("keeps rows queued for this process's own busy slot while they are next in line", async () => {
    const waits = createProviderWaits({ onSlotWait: () => {}, onLeft: () => {}, inFlightTo: () => 1 });
    for (let i = 1; i <= SLOT_QUEUE_MAX; i++) waits.hold({ row: row(i, 'google'), provider: 'google', since: 0, at: 0, slot: 'busy' }, 0);
    const L = 300;
    let freeAt = 0;
    const sent: number[] = [];
    const leftInPlace: number[] = [];
    for (let now = 0; now <= SLOT_QUEUE_MAX * L + 100 && waits.size; now += 5) {
      await waits.sweep(
        now,
        () => true,
        async (w) => {
          if (now >= freeAt) {
            sent.push(w.row.rowId);
            freeAt = now + L;
            return;
          }
          // admit: { ok: false, waitMs: 5, slot: true } (this process holds the slot: 'busy')
          waits.hold({ row: w.row, provider: w.provider, since: w.since, at: now + 5, slot: 'busy' }, now);
        },
      );
      leftInPlace.push(...waits.takeLeave().map((r) => r.rowId));
    }
    expect(leftInPlace).toEqual([]);
    expect(sent).toHaveLength(SLOT_QUEUE_MAX);
  });
});
