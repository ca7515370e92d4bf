// A lease's life runs from when it was asked for: the store writes its expiry from the clock read before the
// statement waits for a pooled connection and travels. The runner counted it from the answer, so after a slow acquire
// and renewals that then failed, the job ran on past the lease's end, while another process could take it (an
// extraction twice at once, a write-back lane's rows re-claimed). Found by a concurrency review, 2026-12-06.
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseRunner } from '../../service/src/coordination/lease-runner.js';
import type { LeaseRepo } from '../../service/src/ports/index.js';
import { memoryStore } from '../store/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL = 300;

/** The store's leases, answering an acquire 200 ms after it was written, and unreachable for every renewal. */
function slowThenUnreachable(real: LeaseRepo): LeaseRepo {
  return {
    acquire: async (name, owner, ttlMs) => {
      const got = await real.acquire(name, owner, ttlMs);
      await sleep(200);
      return got;
    },
    renew: async () => {
      throw new Error('connection terminated unexpectedly');
    },
    release: async (name, owner) => await real.release(name, owner),
    holder: async (name) => await real.holder(name),
  };
}

describe('a lease acquired slowly, then never renewed', () => {
  const stores: Array<ReturnType<typeof memoryStore>> = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  it("run(): the job is stopped before the lease's end as the store counts it", async () => {
    const store = memoryStore();
    stores.push(store);
    const leases = createLeaseRunner({ leases: slowThenUnreachable(store.leases), owner: 'a', ttlMs: TTL });
    let expiresAt = 0;
    let abortedAt = 0;
    await leases.run('extract:c1', async (signal) => {
      expiresAt = (await store.leases.holder('extract:c1'))!.expiresAt;
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      abortedAt = Date.now();
    });
    expect(abortedAt).toBeGreaterThan(0);
    expect(abortedAt).toBeLessThanOrEqual(expiresAt);
  });

  it('keep(): the lease is given up before its end as the store counts it', async () => {
    const store = memoryStore();
    stores.push(store);
    const leases = createLeaseRunner({ leases: slowThenUnreachable(store.leases), owner: 'a', ttlMs: TTL });
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
