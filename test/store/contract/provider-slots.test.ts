// Provider slots (a mailbox provider's concurrency shared by processes) on both adapters: each owner holds what the
// others' live leases leave, never fewer than it has on the wire, a fair share while another waits; an expired
// lease counts for nothing; an idle owner's lease goes away; a stopping owner gives all back. Several processes
// meeting on one PostgreSQL, with a real SMTP server: test/coordination/shared-slots.test.ts.
import { expect, it } from 'vitest';
import type { SlotLease } from '../../../service/src/ports/index.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('provider slots port', ({ store, clock }) => {
  const ask = (want: number, inUse = 0, limit = 4, ttlMs = 10_000): SlotLease => ({ want, inUse, limit, ttlMs });

  it('grants what the other owners leave, per identity and provider', async () => {
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(4))).toBe(4);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(4))).toBe(0); // a holds them all
    expect(await store.providerSlots.hold('b', 'i1', 'yahoo', ask(4))).toBe(4); // another provider
    expect(await store.providerSlots.hold('b', 'i2', 'google', ask(4))).toBe(4); // another identity
    // b waits (asked 4, holds 0): a renewing keeps only a fair share of its idle ones, and b gets the rest.
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(4, 1))).toBe(2);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(4))).toBe(2);
    // The limit shrank to 3 with 3 of a's on the wire: a may have only its share (1), but the others are told it
    // holds 3 until they are answered, and get none meanwhile.
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(4, 3, 3))).toBe(1);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(4, 0, 3))).toBe(0);
    // Two answered: a is told its fair share of 3 (2, b waiting), and b gets the one left.
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(4, 1, 3))).toBe(2);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(4, 0, 3))).toBe(1);
  });

  it("an expired lease counts for nothing: a dead owner's slots go to the others", async () => {
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(3, 0, 3, 1000))).toBe(3);
    clock.advance(999);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(3, 0, 3))).toBe(0);
    clock.advance(1);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(3, 0, 3))).toBe(3);
    // a comes back, one message still on the wire: it may send none, b is told a holds 1 and keeps a fair share.
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(3, 1, 3))).toBe(0);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(3, 0, 3))).toBe(2);
  });

  it('an idle owner gives its slots back; a stopping owner gives every slot back', async () => {
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(4))).toBe(4);
    expect(await store.providerSlots.hold('a', 'i1', 'google', ask(0))).toBe(0);
    expect(await store.providerSlots.hold('b', 'i1', 'google', ask(4))).toBe(4);
    expect(await store.providerSlots.hold('a', 'i1', 'yahoo', ask(2))).toBe(2);
    expect(await store.providerSlots.hold('a', 'i2', 'google', ask(2))).toBe(2);
    await store.providerSlots.release('b');
    expect(await store.providerSlots.hold('c', 'i1', 'google', ask(4))).toBe(4);
    expect(await store.providerSlots.hold('c', 'i1', 'yahoo', ask(4))).toBe(2); // a's are still a's
  });

  it('refuses a lease without a positive ttl', async () => {
    await expect(async () => await store.providerSlots.hold('a', 'i1', 'google', ask(1, 0, 4, 0))).rejects.toThrow(/ttl/);
  });
});
