// A/B tests as stored: due tests, the winner chosen once, the rest's campaign, why it is undecided.
import { expect, it } from 'vitest';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('ab-tests port', ({ store, clock }) => {
  const test = (id: string, decideAt: string) =>
    store.abTests.create({ id, name: `Test ${id}`, metric: 'clicks', testShare: 0.2, decideAt, variantCampaignIds: [`${id}-a`, `${id}-b`] });

  it('reads a test back, by id and by any of its campaigns', async () => {
    const t = await test('t1', '2026-03-01T10:00:00+01:00');
    expect(t).toEqual({
      id: 't1',
      name: 'Test t1',
      metric: 'clicks',
      testShare: 0.2,
      decideAt: '2026-03-01T09:00:00.000Z',
      variantCampaignIds: ['t1-a', 't1-b'],
      createdAt: clock.iso(),
    });
    expect(await store.abTests.get('t1')).toEqual(t);
    expect(await store.abTests.ofCampaign('t1-b')).toEqual(t);
    expect(await store.abTests.get('nope')).toBeUndefined();
    expect(await store.abTests.ofCampaign('nope')).toBeUndefined();
  });

  it('is due once its time came, decided once, then waits for its rest campaign', async () => {
    await test('early', '2026-03-01T09:00:00.000Z');
    await test('late', '2026-03-02T09:00:00.000Z');
    expect((await store.abTests.due('2026-03-01T12:00:00.000Z')).map((t) => t.id)).toEqual(['early']);
    await store.abTests.noteUndecided('early', 'no variant has any human clicks yet');
    expect((await store.abTests.get('early'))?.undecidedReason).toBe('no variant has any human clicks yet');
    expect(await store.abTests.decide('early', { winner: 1, by: 'auto', at: '2026-03-01T12:00:00.000Z' })).toBe(true);
    expect(await store.abTests.decide('early', { winner: 0, by: 'sally', at: '2026-03-01T12:01:00.000Z' })).toBe(false);
    const decided = await store.abTests.get('early');
    expect(decided).toMatchObject({ winner: 1, decidedBy: 'auto', decidedAt: '2026-03-01T12:00:00.000Z' });
    expect(decided).not.toHaveProperty('undecidedReason');
    expect(await store.abTests.due('2026-03-01T12:00:00.000Z')).toEqual([]);
    expect((await store.abTests.withoutRest()).map((t) => t.id)).toEqual(['early']);
    await store.abTests.setRestCampaign('early', 'early-rest');
    expect(await store.abTests.withoutRest()).toEqual([]);
    expect((await store.abTests.ofCampaign('early-rest'))?.id).toBe('early');
  });
});
