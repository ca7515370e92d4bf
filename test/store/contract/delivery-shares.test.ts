// Provider throttles (changed from what is stored, written only when the change says so, back to normal for an
// identity) and day allowances (taken up to the day's limit, starting from what was accepted that day), on both
// adapters. Several processes meeting on them: test/coordination/shared-throttles.test.ts.
import { expect, it } from 'vitest';
import type { SharedThrottle } from '../../../service/src/ports/index.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('delivery shares port', ({ store }) => {
  const slowed = (c: SharedThrottle): SharedThrottle => ({
    ...c,
    throttle: { level: 'slowed', rateFactor: 0.5, strikes: 1, reason: '421 4.7.0 slow down' },
    epoch: c.epoch + 1,
    accepted: 0,
  });

  it('changes a provider from what is stored, writes nothing when the change says so, and resets an identity', async () => {
    expect(await store.providerThrottles.list('i1')).toEqual([]);
    const seen: SharedThrottle[] = [];
    const first = await store.providerThrottles.change('i1', 'google', (c) => (seen.push(c), slowed(c)));
    expect(seen[0]).toEqual({ provider: 'google', throttle: { level: 'normal', rateFactor: 1, strikes: 0 }, epoch: 0, accepted: 0 });
    expect(first).toMatchObject({ provider: 'google', epoch: 1, throttle: { level: 'slowed', rateFactor: 0.5, reason: '421 4.7.0 slow down' } });
    // The change sees what the last one wrote; answering undefined leaves it.
    expect(await store.providerThrottles.change('i1', 'google', () => undefined)).toEqual(first);
    const paused = await store.providerThrottles.change('i1', 'google', (c) => ({
      ...c,
      throttle: { ...c.throttle, level: 'paused', resumeAt: '2026-12-03T10:01:00.000Z', strikes: 2 },
      epoch: c.epoch + 1,
      accepted: 7,
    }));
    await store.providerThrottles.change('i2', 'yahoo', slowed);
    expect(await store.providerThrottles.list('i1')).toEqual([paused]);
    expect(paused).toMatchObject({ epoch: 2, accepted: 7, throttle: { level: 'paused', resumeAt: '2026-12-03T10:01:00.000Z' } });
    await store.providerThrottles.reset('i1');
    expect(await store.providerThrottles.list('i1')).toEqual([
      { provider: 'google', throttle: { level: 'normal', rateFactor: 1, strikes: 0 }, epoch: 2, accepted: 0 },
    ]);
    expect((await store.providerThrottles.list('i2'))[0].throttle.level).toBe('slowed');
  });

  it("takes a day's allowance up to its limit, from what was accepted that day, per group and in all", async () => {
    await store.deliverability.add([
      { identityId: 'i1', campaignId: 'c1', provider: 'google', day: '2026-12-03', accepted: 6 },
      { identityId: 'i1', campaignId: 'c1', provider: 'other', day: '2026-12-03', accepted: 2 },
      { identityId: 'i1', campaignId: 'c1', provider: 'google', day: '2026-12-02', accepted: 50 },
    ]);
    expect(await store.dayAllowances.take('i1', '2026-12-03', 'google', 3, 10)).toBe(3); // 6 accepted + 3
    expect(await store.dayAllowances.take('i1', '2026-12-03', 'google', 3, 10)).toBe(1);
    expect(await store.dayAllowances.take('i1', '2026-12-03', 'google', 3, 10)).toBe(0);
    expect(await store.dayAllowances.take('i1', '2026-12-03', 'google', 3, 12)).toBe(2); // a larger limit (settings changed)
    expect(await store.dayAllowances.take('i1', '2026-12-03', '*', 5, 10)).toBe(2); // 8 accepted in all
    expect(await store.dayAllowances.take('i1', '2026-12-03', 'yahoo', 5, 3)).toBe(3);
    expect(await store.dayAllowances.take('i1', '2026-12-04', 'google', 5, 3)).toBe(3); // a new day
    expect(await store.dayAllowances.take('i2', '2026-12-03', 'google', 5, 3)).toBe(3);
  });
});
