// Split winners as stored: nothing until a split is noted or decided, the reason while undecided, the winner once,
// and the automation read with the winners its engine follows.
import { expect, it } from 'vitest';
import { adapters, describeOnAdapters } from './adapters.js';

describeOnAdapters('split-winners port', { on: adapters }, ({ store, clock }) => {
  const automation = () =>
    store.automations.create({
      name: 'Split',
      targetListIds: [],
      definition: null,
      program: [
        { op: 'split', key: '#s', at: [1, 3], winner: { metric: 'clicks', afterHours: 2 } },
        { op: 'send', key: '#a', email: { name: 'A', subject: 'A', fromName: 'N', fromEmail: 'n@example.org', html: '<p>a</p>' } },
        { op: 'jump', key: '#s/end0', to: 4 },
        { op: 'send', key: '#b', email: { name: 'B', subject: 'B', fromName: 'N', fromEmail: 'n@example.org', html: '<p>b</p>' } },
      ],
    });

  it('keeps why a split is undecided until it is decided, then the winner once', async () => {
    const a = await automation();
    expect(await store.splitWinners.forAutomation(a.id)).toEqual(new Map());
    await store.splitWinners.noteUndecided(a.id, '#s', 'no path has any human clicks yet');
    expect([...(await store.splitWinners.forAutomation(a.id)).values()]).toEqual([{ stepKey: '#s', undecidedReason: 'no path has any human clicks yet' }]);
    expect((await store.automations.get(a.id))?.splitWinners).toBeUndefined();

    expect(await store.splitWinners.decide(a.id, '#s', { winner: 1, by: 'auto', at: clock.iso() })).toBe(true);
    expect(await store.splitWinners.decide(a.id, '#s', { winner: 0, by: 'jim', at: clock.iso() })).toBe(false);
    await store.splitWinners.noteUndecided(a.id, '#s', 'too late');
    expect((await store.splitWinners.forAutomation(a.id)).get('#s')).toEqual({ stepKey: '#s', winner: 1, decidedBy: 'auto', decidedAt: clock.iso() });
    expect((await store.automations.get(a.id))?.splitWinners).toEqual({ '#s': 1 });
  });

  it('records a winner chosen by hand with no note before it, per automation', async () => {
    const a = await automation();
    const b = await automation();
    expect(await store.splitWinners.decide(a.id, '#s', { winner: 0, by: 'jim', at: '2026-03-01T10:00:00+01:00' })).toBe(true);
    expect((await store.splitWinners.forAutomation(a.id)).get('#s')).toEqual({
      stepKey: '#s',
      winner: 0,
      decidedBy: 'jim',
      decidedAt: '2026-03-01T09:00:00.000Z',
    });
    expect(await store.splitWinners.forAutomation(b.id)).toEqual(new Map());
    expect((await store.automations.get(b.id))?.splitWinners).toBeUndefined();
  });

  it('refuses a winner that is not a path index', async () => {
    const a = await automation();
    await expect(store.splitWinners.decide(a.id, '#s', { winner: -1, by: 'auto', at: clock.iso() })).rejects.toThrow();
    await expect(store.splitWinners.decide(a.id, '#s', { winner: 0, by: 'auto', at: 'soon' })).rejects.toThrow();
  });
});
