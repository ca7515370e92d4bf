// A lease's life runs from when it was asked for: the store writes its expiry from the clock read before the
// statement waits for a pooled connection and travels. The runner counted it from the answer, so after a slow acquire
// and renewals that then failed or hung, the job ran on past the lease's end, while another process could take it (an
// extraction twice at once, a write-back lane's rows re-claimed). Found by a concurrency review, 2026-12-06; a
// review of the fix found the check still ran at the tries, aligned to the answer: it is a deadline now, and a
// lease whose answer came past that deadline is given back unused.
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseRunner } from '../../service/src/coordination/lease-runner.js';
import type { LeaseRepo } from '../../service/src/ports/index.js';
import { memoryStore } from '../store/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL = 300; // tries every 100 ms

/** The store's leases, answering an acquire `acquireMs` after it was written; every renewal fails or never answers. */
function slowThen(real: LeaseRepo, acquireMs: number, renewals: 'fail' | 'hang'): LeaseRepo {
  return {
    acquire: async (name, owner, ttlMs) => {
      const got = await real.acquire(name, owner, ttlMs);
      await sleep(acquireMs);
      return got;
    },
    renew: () => (renewals === 'hang' ? new Promise<boolean>(() => undefined) : Promise.reject(new Error('connection terminated unexpectedly'))),
    release: async (name, owner) => await real.release(name, owner),
    holder: async (name) => await real.holder(name),
  };
}

describe('a lease acquired slowly, then never renewed', () => {
  const stores: Array<ReturnType<typeof memoryStore>> = [];
  const open = () => {
    const store = memoryStore();
    stores.push(store);
    return store;
  };
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  it.each([
    [150, 'fail'],
    [150, 'hang'],
    [190, 'hang'],
  ] as const)(
    "run(), acquire answered after %i ms, renewals %s: the job is stopped before the lease's end as the store counts it",
    async (acquireMs, renewals) => {
      const store = open();
      const leases = createLeaseRunner({ leases: slowThen(store.leases, acquireMs, renewals), owner: 'a', ttlMs: TTL });
      let expiresAt = 0;
      let abortedAt = 0;
      const r = await leases.run('extract:c1', async (signal) => {
        expiresAt = (await store.leases.holder('extract:c1'))!.expiresAt;
        if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        abortedAt = Date.now();
      });
      expect(r.ran).toBe(true);
      expect(abortedAt).toBeGreaterThan(0);
      expect(abortedAt).toBeLessThanOrEqual(expiresAt);
    },
  );

  it.each([230, 280, 330])('run(), acquire answered after %i ms of a 300 ms lease: the job does not run, the lease is given back', async (acquireMs) => {
    const store = open();
    const leases = createLeaseRunner({ leases: slowThen(store.leases, acquireMs, 'hang'), owner: 'a', ttlMs: TTL });
    let started = false;
    const r = await leases.run('extract:c1', async () => {
      started = true;
    });
    expect({ ran: r.ran, started, holder: await store.leases.holder('extract:c1') }).toEqual({ ran: false, started: false, holder: undefined });
  });

  it('keep(): the lease is given up before its end as the store counts it', async () => {
    const store = open();
    const leases = createLeaseRunner({ leases: slowThen(store.leases, 150, 'fail'), owner: 'a', ttlMs: TTL });
    let lostAt = 0;
    const lane = leases.keep('writeback:https://sugar.example', { lost: () => (lostAt = Date.now()) });
    expect(await lane.ready).toBe(true);
    const expiresAt = (await store.leases.holder('writeback:https://sugar.example'))!.expiresAt;
    while (!lostAt && Date.now() < expiresAt + 500) await sleep(5);
    await lane.stop();
    expect(lostAt).toBeGreaterThan(0);
    expect(lostAt).toBeLessThanOrEqual(expiresAt);
  });
});
