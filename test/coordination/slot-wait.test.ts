// What a process's slot book tells a row waiting for a provider's connection (coordination/shared-slots.ts): a process
// that holds slots, all on the wire, is told to look again within a few ms (one frees when an answer comes), not
// after the back-off between its asks for more. The send loop parks the row for what it is told, so a second of
// back-off per message took three processes sharing Gmail's 2 connections from 20 messages a second to 3 at a
// campaign's tail. A process that holds none still waits out the back-off (the control): the others hold them.
// And a process cut from the database stops starting messages a third of the lease's life before the database may
// hand its slots to others: its messages already on the wire are answered within that margin, not beside theirs;
// /metrics then counts its failed renewals and shows no slot held.
import { afterEach, expect, it } from 'vitest';
import { createSharedSlots, type SlotBook } from '../../service/src/coordination/shared-slots.js';
import { createMetrics } from '../../service/src/ops/metrics.js';
import { openStore, type SqliteStore } from '../../service/src/store/db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let store: SqliteStore | undefined;
const books: SlotBook[] = [];
afterEach(async () => {
  for (const b of books.splice(0)) await b.close();
  store?.close();
});

it('a holder whose slots are all on the wire looks again within ms; one holding none waits out the back-off', async () => {
  store = openStore(':memory:');
  const book = (owner: string) => {
    const b = createSharedSlots({ repo: store!.providerSlots, owner, ttlMs: 60_000 });
    books.push(b);
    return b;
  };
  // Another process holds one of Gmail's 2 connections and uses it.
  await store.providerSlots.hold('other', 'i1', 'google', { want: 1, inUse: 1, limit: 2, ttlMs: 60_000 });
  const a = book('a');
  expect(a.room('i1', 'google', 0, 2)).toBeGreaterThan(0); // asks
  await sleep(20);
  expect(a.room('i1', 'google', 0, 2)).toBe(0); // it got the other one
  a.inUse('i1', 'google', 1);
  expect(a.room('i1', 'google', 1, 2)).toBeGreaterThan(0); // asks for more: nothing new, so it backs off
  await sleep(20);
  const holder = a.room('i1', 'google', 1, 2);
  expect(holder).toBeGreaterThan(0);
  expect(holder).toBeLessThanOrEqual(5);
  a.inUse('i1', 'google', 0); // the answer came
  expect(a.room('i1', 'google', 0, 2)).toBe(0);

  const c = book('c');
  expect(c.room('i1', 'google', 0, 2)).toBeGreaterThan(0); // asks: the two are held
  await sleep(20);
  expect(c.room('i1', 'google', 0, 2)).toBeGreaterThan(5);
});

it('a process cut from the database starts no message in the last third of its lease, so those on the wire end before it expires', async () => {
  store = openStore(':memory:');
  const clock = { t: 0 };
  const a = createSharedSlots({ repo: store.providerSlots, owner: 'a', ttlMs: 3000, monotonic: () => clock.t });
  books.push(a);
  expect(a.room('i1', 'google', 0, 2)).toBeGreaterThan(0); // asks
  await sleep(20);
  expect(a.room('i1', 'google', 0, 2)).toBe(0);
  a.inUse('i1', 'google', 1);
  store.close(); // every later round trip fails: no renewal
  clock.t = 1500;
  expect(a.room('i1', 'google', 1, 2)).toBe(0); // half its life: the lease is still surely its own
  clock.t = 2100;
  expect(a.room('i1', 'google', 1, 2)).toBeGreaterThan(0);
  // The failed renewals show in /metrics, and the slot no longer counts as held.
  await sleep(20);
  const counts = openStore(':memory:');
  const metrics = createMetrics({ store: counts, sugarStats: () => ({ retries: 0, byStatus: {} }), slots: () => a.stats() });
  const { body } = await metrics.render();
  counts.close();
  expect(body).toMatch(/^leadfwd_provider_slot_renewals_failed_total [1-9]\d*$/m);
  expect(body).toContain('leadfwd_provider_slots_held{identity="i1",provider="google"} 0');
  expect(body).toContain('leadfwd_provider_slots_in_use{identity="i1",provider="google"} 1');
  expect(body).toContain('leadfwd_provider_slots_limit{identity="i1",provider="google"} 2');
});
