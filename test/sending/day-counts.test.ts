// The delivery control reads an identity's day counts synchronously (warm-up and daily limits start the day from
// them, e.g. after a restart). On both stores it must see what the database holds: SQLite answers at once,
// PostgreSQL after the read ahead the send loop does when it picks a campaign's sender.
import { expect, it } from 'vitest';
import { createDayCounts } from '../../service/src/sending/day-counts.js';
import { describeOnAdapters } from '../store/contract/adapters.js';

describeOnAdapters('day counts for the delivery control', { realTime: true }, ({ store }) => {
  const now = () => new Date('2026-12-01T15:00:00.000Z');

  it("starts the day from what the identity's providers accepted, as the database says", async () => {
    await store.deliverability.add([
      { identityId: 'i1', campaignId: 'c1', provider: 'google', day: '2026-12-01', accepted: 7 },
      { identityId: 'i1', campaignId: 'c2', provider: 'other', day: '2026-12-01', accepted: 2 },
      { identityId: 'i1', campaignId: 'c1', provider: 'google', day: '2026-11-30', accepted: 50 },
    ]);
    const counts = createDayCounts((id, day) => store.deliverability.acceptedOn(id, day), now);
    await counts.prefetch('i1');
    expect(counts.acceptedOn('i1', '2026-12-01')).toEqual({ google: 7, other: 2 });
    await counts.prefetch('i2');
    expect(counts.acceptedOn('i2', '2026-12-01')).toEqual({});
  });
});
