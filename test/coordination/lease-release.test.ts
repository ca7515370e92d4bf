// A process that stops (or stops taking work) gives its leases back so others take over at once, but keeps its own
// process lease while it still holds the relay's verdicts for rows it sent: a lease given back says "nothing more to
// say", and their messages could be sent again at once (an attacker's review found the write-back lane held too).
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseRunner, processLeaseName } from '../../service/src/coordination/lease-runner.js';
import { memoryStore } from '../store/helpers.js';

describe('giving leases back', () => {
  const stores: Array<ReturnType<typeof memoryStore>> = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  it('releases every kept lease but those it is told to keep', async () => {
    const store = memoryStore();
    stores.push(store);
    const leases = createLeaseRunner({ leases: store.leases, owner: 'p1', ttlMs: 60_000 });
    const own = leases.keep(processLeaseName('p1'));
    const lane = leases.keep('writeback:https://sugar.example');
    expect([await own.ready, await lane.ready]).toEqual([true, true]);
    await leases.releaseAll([own]);
    expect(await store.leases.holder('writeback:https://sugar.example')).toBeUndefined();
    expect((await store.leases.holder(processLeaseName('p1')))?.owner).toBe('p1');
    expect(own.held()).toBe(true);
    await leases.releaseAll();
    expect(await store.leases.holder(processLeaseName('p1'))).toBeUndefined();
  });
});
