// Delivery volume per identity, campaign, provider group and day: added in batches (one row per key), read per
// day and provider, as totals of an identity since a day or of a campaign, and today's accepted per provider.
import { expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('deliverability port', ({ store }) => {
  const zero = { accepted: 0, deferred: 0, failed: 0, hardBounces: 0, softBounces: 0, blocks: 0, complaints: 0 };

  it("adds counts, merging deltas of one key, and reads them per day and provider, as totals and as today's accepted", async () => {
    const d = (day: string, provider: 'google' | 'other', campaignId: string, over: object) => ({ identityId: 'i1', campaignId, provider, day, ...over });
    await store.deliverability.add([
      d('2026-12-01', 'google', 'c1', { accepted: 1 }),
      d('2026-12-01', 'google', 'c1', { accepted: 1, deferred: 1 }),
      d('2026-12-01', 'other', 'c1', { accepted: 5, hardBounces: 1 }),
      d('2026-12-02', 'google', 'c2', { accepted: 3, complaints: 1 }),
      { identityId: 'i2', campaignId: 'c3', provider: 'google', day: '2026-12-02', accepted: 7 },
    ]);
    await store.deliverability.add([d('2026-12-02', 'google', 'c1', { accepted: 2, blocks: 1, softBounces: 1, failed: 1 })]);
    expect(await store.deliverability.daily('i1', '2026-12-01')).toEqual([
      { ...zero, day: '2026-12-01', provider: 'google', accepted: 2, deferred: 1 },
      { ...zero, day: '2026-12-01', provider: 'other', accepted: 5, hardBounces: 1 },
      { ...zero, day: '2026-12-02', provider: 'google', accepted: 5, complaints: 1, blocks: 1, softBounces: 1, failed: 1 },
    ]);
    expect(await store.deliverability.daily('i1', '2026-12-02')).toHaveLength(1);
    expect(await store.deliverability.totals({ identityId: 'i1', sinceDay: '2026-12-01' })).toEqual({
      ...zero,
      accepted: 12,
      deferred: 1,
      failed: 1,
      hardBounces: 1,
      softBounces: 1,
      blocks: 1,
      complaints: 1,
    });
    expect(await store.deliverability.totals({ campaignId: 'c1' })).toMatchObject({ accepted: 9, hardBounces: 1 });
    expect(await store.deliverability.totals({ campaignId: 'none' })).toEqual(zero);
    expect(await store.deliverability.acceptedOn('i1', '2026-12-01')).toEqual({ google: 2, other: 5 });
    expect(await store.deliverability.acceptedOn('i1', '2026-12-03')).toEqual({});
  });

  it('refuses a day that is not YYYY-MM-DD', async () => {
    await expect(
      (async () => await store.deliverability.add([{ identityId: 'i', campaignId: 'c', provider: 'google', day: '2026-12-1', accepted: 1 }]))(),
    ).rejects.toThrow(StoreInputError);
  });
});
