// Held campaigns (the send flow's review) are extracted but never started, and one nobody confirms is
// cancelled after a day instead of lingering for ever. Real store, the scheduler's own clock.
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../service/src/campaigns/scheduler.js';
import { emptyAudit } from '../../service/src/domain/audit.js';
import { openStore } from '../../service/src/store/db.js';
import { waitFor } from '../support/stack.js';
import { withMembers } from '../support/with-members.js';

const content = {
  subject: 'Hi',
  fromName: 'Team',
  fromEmail: 'team@example.com',
  html: '<p>Hi</p>',
  targetListIds: ['l1'],
  leadfwdListIds: [],
  customFields: [],
};

describe('scheduler and held campaigns', () => {
  it('never starts a held campaign, and cancels it once it has waited a day unconfirmed', async () => {
    let clock = new Date('2026-11-26T10:00:00.000Z');
    const store = openStore(':memory:', { clock: () => clock });
    const sent: string[] = [];
    const scheduler = createScheduler({
      store,
      now: () => clock,
      tickMs: 3_600_000,
      extract: async () => emptyAudit(),
      send: async (id) => {
        sent.push(id);
        return 'done';
      },
    });
    const held = store.campaigns.create({ ...content, name: 'Review', sendAt: clock.toISOString(), held: true });
    const plain = store.campaigns.create({ ...content, name: 'Later', sendAt: '2026-12-31T00:00:00.000Z' });
    const pausedHold = store.campaigns.create({ ...content, name: 'Review, paused', sendAt: clock.toISOString(), held: true });
    await scheduler.start();
    await waitFor(async () => {
      await scheduler.kick();
      return [held.id, plain.id, pausedHold.id].every((id) => store.campaigns.get(id)!.status === 'pending') || undefined;
    }, 'all extracted');
    expect(store.campaigns.transition(pausedHold.id, ['pending'], 'paused')).toBe(true);
    clock = new Date(clock.getTime() + 23 * 3_600_000);
    await scheduler.kick();
    expect(store.campaigns.get(held.id)).toMatchObject({ status: 'pending', held: true });
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    await scheduler.kick();
    expect(store.campaigns.get(held.id)!.status).toBe('cancelled');
    expect(store.campaigns.get(pausedHold.id)!.status).toBe('cancelled');
    expect(store.campaigns.history(held.id).at(-1)).toMatchObject({ status: 'cancelled', reason: 'held for review and never confirmed' });
    expect(store.campaigns.get(plain.id)!.status).toBe('pending');
    expect(sent).toEqual([]);
    await scheduler.stop();
    store.close();
  });

  it('sends a campaign confirmed between the list of stale holds and their cancel, instead of cancelling it', async () => {
    let clock = new Date('2026-11-26T10:00:00.000Z');
    const store = openStore(':memory:', { clock: () => clock });
    const held = store.campaigns.create({ ...content, name: 'Review', sendAt: '2026-12-31T00:00:00.000Z', held: true });
    store.campaigns.transition(held.id, ['draft'], 'extracting');
    store.campaigns.transition(held.id, ['extracting'], 'pending');
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    // The operator's confirm (campaigns.release) lands right after the tick listed the stale holds.
    const campaigns = withMembers(store.campaigns, {
      staleHolds: (before: string) => {
        const stale = store.campaigns.staleHolds(before);
        expect(store.campaigns.release(held.id, clock.toISOString())).toBe(true);
        return stale;
      },
    });
    const scheduler = createScheduler({
      store: withMembers(store, { campaigns }),
      now: () => clock,
      tickMs: 3_600_000,
      extract: async () => emptyAudit(),
      send: async () => 'done',
    });
    await scheduler.kick();
    await scheduler.idle();
    // Confirmed, it went on: released with its send time now, it was due in the same tick and sent.
    const after = store.campaigns.get(held.id)!;
    expect({ status: after.status, held: after.held }).toEqual({ status: 'sent', held: false });
    await scheduler.stop();
    store.close();
  });
});
