// Leases (one holder at a time, renewed by its holder, taken over once expired), shared token buckets (never more
// than the rate, refilled by time) and the shared Sugar sessions, on both adapters; and a dead process's in-flight ledger
// rows found by its lease.
import { expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { newCampaign, targets, toSending } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('leases port', { owner: 'p1' }, ({ store, clock }) => {
  it('has one holder at a time; the holder extends it, another takes it only once it expired', async () => {
    expect(await store.leases.holder('extract:c1')).toBeUndefined();
    expect(await store.leases.acquire('extract:c1', 'a', 10_000)).toBe(true);
    expect(await store.leases.acquire('extract:c1', 'b', 10_000)).toBe(false);
    expect(await store.leases.holder('extract:c1')).toEqual({ owner: 'a', expiresAt: clock.now().getTime() + 10_000 });
    clock.advance(8_000);
    expect(await store.leases.acquire('extract:c1', 'a', 10_000)).toBe(true); // the holder's acquire extends it
    clock.advance(8_000);
    expect(await store.leases.acquire('extract:c1', 'b', 10_000)).toBe(false);
    expect(await store.leases.renew('extract:c1', 'a', 10_000)).toBe(true);
    expect(await store.leases.renew('extract:c1', 'b', 10_000)).toBe(false);
    clock.advance(10_001);
    expect(await store.leases.holder('extract:c1')).toBeUndefined();
    expect(await store.leases.acquire('extract:c1', 'b', 10_000)).toBe(true); // taken over
    expect(await store.leases.renew('extract:c1', 'a', 10_000)).toBe(false); // the old holder learns it lost it
    expect(await store.leases.holder('extract:c1')).toMatchObject({ owner: 'b' });
    // Another lease is another name.
    expect(await store.leases.acquire('extract:c2', 'a', 10_000)).toBe(true);
  });

  it('is given up by its holder only', async () => {
    await store.leases.acquire('tick', 'a', 60_000);
    await store.leases.release('tick', 'b');
    expect(await store.leases.holder('tick')).toMatchObject({ owner: 'a' });
    await store.leases.release('tick', 'a');
    expect(await store.leases.holder('tick')).toBeUndefined();
    expect(await store.leases.acquire('tick', 'b', 60_000)).toBe(true);
  });

  it('refuses a ttl that is not a positive whole number of ms', async () => {
    for (const bad of [0, -5, 1.5, Number.NaN]) await expect((async () => await store.leases.acquire('x', 'a', bad))()).rejects.toThrow(StoreInputError);
  });

  it('grants a bucket its burst, then only what the rate refilled, in whole tokens', async () => {
    const rate = { perSecond: 10, burst: 10 };
    expect(await store.rates.take('identity:i1', 4, rate)).toEqual({ granted: 4, tokens: 6 });
    expect((await store.rates.take('identity:i1', 8, rate)).granted).toBe(6);
    const empty = await store.rates.take('identity:i1', 1, rate);
    expect(empty.granted).toBe(0);
    expect(empty.tokens).toBeCloseTo(0, 9);
    clock.advance(250); // 2.5 tokens
    const some = await store.rates.take('identity:i1', 5, rate);
    expect(some.granted).toBe(2);
    expect(some.tokens).toBeCloseTo(0.5, 6);
    clock.advance(10_000); // never more than the burst
    expect((await store.rates.take('identity:i1', 50, rate)).granted).toBe(10);
    // A clock stepping back mints nothing.
    clock.advance(-5_000);
    expect((await store.rates.take('identity:i1', 1, rate)).granted).toBe(0);
    // Buckets are apart by name.
    expect((await store.rates.take('sugar:x', 3, { perSecond: 1, burst: 1 })).granted).toBe(1);
  });

  it('over any stretch of time grants no more than the burst plus the rate times the time', async () => {
    const rate = { perSecond: 20, burst: 5 };
    let granted = 0;
    for (let i = 0; i < 200; i++) {
      granted += (await store.rates.take('b', 3, rate)).granted;
      clock.advance(17);
    }
    // 200 × 17 ms = 3.4 s → at most 5 + 68.
    expect(granted).toBeLessThanOrEqual(5 + 68);
    expect(granted).toBeGreaterThanOrEqual(68);
  });

  it('refuses a take of no tokens and a rate of none', async () => {
    await expect((async () => await store.rates.take('b', 0, { perSecond: 1, burst: 1 }))()).rejects.toThrow(StoreInputError);
    await expect((async () => await store.rates.take('b', 1, { perSecond: 0, burst: 1 }))()).rejects.toThrow(StoreInputError);
  });

  it("turns only a dead process's in-flight ledger rows uncertain", async () => {
    await store.campaigns.create(newCampaign(), 'c');
    await toSending(store, 'c');
    await store.recipients.insertMany('c', targets(5));
    // This store claims as process p1, which holds its process lease.
    await store.leases.acquire('process:p1', 'p1', 5_000);
    const rows = (await store.recipients.claim('c', 3, clock.iso())).map((r) => r.rowId);
    expect(await store.recipients.recoverOrphaned()).toBe(0);
    expect(await store.recipients.counts('c')).toMatchObject({ sending: 3, uncertain: 0 });
    await store.recipients.markOutcomes([{ rowId: rows[0], state: 'accepted' }]);
    clock.advance(5_001); // p1 stopped renewing: it died
    expect(await store.recipients.recoverOrphaned()).toBe(2);
    expect(await store.recipients.get(rows[1])).toMatchObject({ state: 'uncertain', lastError: expect.stringMatching(/not resent/) });
    expect(await store.recipients.counts('c')).toMatchObject({ accepted: 1, uncertain: 2, queued: 2, sending: 0 });
  });

  it('owns rows marked sending after a reservation too, so a live process keeps them', async () => {
    await store.campaigns.create(newCampaign(), 'c');
    await toSending(store, 'c');
    await store.recipients.insertMany('c', targets(3));
    await store.leases.acquire('process:p1', 'p1', 5_000);
    const reserved = await store.recipients.reserve('c', 3, clock.iso(), 'loop-1', new Date(clock.now().getTime() + 60_000).toISOString());
    expect(
      await store.recipients.markSending(
        reserved.map((r) => r.rowId),
        'loop-1',
        clock.iso(),
      ),
    ).toHaveLength(3);
    expect(await store.recipients.recoverOrphaned()).toBe(0);
    clock.advance(5_001);
    expect(await store.recipients.recoverOrphaned()).toBe(3);
  });

  it("queues a dead process's rows whose end of DATA was not marked again, and makes only the marked ones uncertain", async () => {
    await store.campaigns.create(newCampaign(), 'c');
    await toSending(store, 'c');
    await store.recipients.insertMany('c', targets(3));
    await store.leases.acquire('process:p1', 'p1', 5_000);
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    const rows = (await store.recipients.reserve('c', 3, clock.iso(), 'loop-1', until)).map((r) => r.rowId);
    expect(await store.recipients.markSending(rows, 'loop-1', clock.iso(), { dataEndMark: true })).toEqual(rows);
    expect(await store.recipients.markDataEnd([rows[0]], clock.iso())).toEqual([rows[0]]);
    expect(await store.recipients.recoverOrphaned()).toBe(0); // p1 lives: its rows stay as they are
    clock.advance(5_001);
    expect(await store.recipients.recoverOrphaned()).toBe(1);
    expect(await store.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
    expect(await store.recipients.get(rows[1])).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await store.recipients.counts('c')).toMatchObject({ queued: 2, uncertain: 1, sending: 0 });
  });

  it("gives a dead process's reserved rows back at once, not when the reservation runs out", async () => {
    await store.campaigns.create(newCampaign(), 'c');
    await toSending(store, 'c');
    await store.recipients.insertMany('c', targets(4));
    await store.leases.acquire('process:p1', 'p1', 5_000);
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    expect(await store.recipients.reserve('c', 4, clock.iso(), 'loop-1', until)).toHaveLength(4);
    expect(await store.recipients.recoverOrphaned()).toBe(0);
    expect(await store.recipients.nextDue('c')).toBe(until); // still reserved to the live loop
    clock.advance(5_001);
    expect(await store.recipients.recoverOrphaned()).toBe(0); // nothing was on the wire
    expect(await store.recipients.nextDue('c')).toBe('');
    expect(await store.recipients.reserve('c', 10, clock.iso(), 'loop-2', new Date(clock.now().getTime() + 60_000).toISOString())).toHaveLength(4);
  });

  it('keeps one sealed Sugar session per name, the last one put', async () => {
    expect(await store.sugarSessions.get('https://sugar|admin|leadfwd')).toBeUndefined();
    await store.sugarSessions.put('https://sugar|admin|leadfwd', 's1.first');
    await store.sugarSessions.put('https://sugar|sudo:sally|leadfwd', 's1.sally');
    await store.sugarSessions.put('https://sugar|admin|leadfwd', 's1.second');
    expect(await store.sugarSessions.get('https://sugar|admin|leadfwd')).toBe('s1.second');
    expect(await store.sugarSessions.get('https://sugar|sudo:sally|leadfwd')).toBe('s1.sally');
  });
});
