// Fuzzing found a campaign dated where its Sugar end date overflows JavaScript's dates (the API now refuses such
// dates): its setup threw, which failed its whole batch, every time. The batch's rows went back to the queue and were
// claimed again straight away, on microtasks alone: the event loop starved and the service stopped answering. Such a
// campaign's setup is now dead with its reason, so the other rows go; and any batch that keeps throwing backs off.
// A batch that throws for a reason of ours is tried again row by row: the row that throws fails alone, towards dead
// like any failed row, and the rows claimed with it are written back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import type { Store } from '../../service/src/store/db.js';
import { accept, drained, type Harness, numberedPeople, openHarness, seedPeople, sendingCampaign, startWritebackSim, sugarLog } from './helpers.js';

let sim: SugarSim;
let h: Harness;

beforeAll(async () => {
  sim = await startWritebackSim();
}, 60_000);

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

describe('a write-back batch that always fails', () => {
  it('backs off instead of spinning, so the event loop keeps turning', async () => {
    const { people, listId } = await seedPeople(sim, numberedPeople(3, 'poison'));
    // A fault of our own in every batch, as a mapping bug would be: the batch's first step throws.
    let buggy = true;
    let batches = 0;
    h = openHarness(sim, {
      settings: { pollMs: 20 },
      optOutScope: () => ({
        current: async () => {
          batches++;
          if (buggy) throw new Error('a bug of ours');
          return 'all';
        },
      }),
    });
    await sendingCampaign(h, listId, people, { name: 'Throws' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await h.writeback.start();
    await new Promise((r) => setTimeout(r, 2000));
    clearInterval(timer);
    await h.writeback.stop();
    buggy = false;
    // About 200 ticks in 2 s when the loop turns; a handful of tries (0.5 s, 1 s, … apart).
    expect(ticks).toBeGreaterThan(100);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(20);
  });

  it("gives up a campaign Sugar's dates cannot hold, with its reason, and writes back the others", async () => {
    const far = await seedPeople(sim, numberedPeople(2, 'far'));
    const { campaign: farOff } = await sendingCampaign(h, far.listId, far.people, { name: 'Far future', sendAt: '+275760-09-01T00:00:00.000Z' });
    const ok = await seedPeople(sim, numberedPeople(2, 'healthy'));
    const { campaign } = await sendingCampaign(h, ok.listId, ok.people, { name: 'Healthy' });
    await h.writeback.start();
    await drained(h, campaign.id);
    const state = await h.writeback.state(farOff.id, new Date());
    expect(state.errors.some((e) => e.dead && /could not describe the campaign to Sugar/.test(e.error))).toBe(true);
  });

  it('writes back the rows claimed with one our code cannot handle, and gives that one up after its attempts', async () => {
    const { people, listId } = await seedPeople(sim, numberedPeople(4, 'isolated'));
    let poison = -1;
    // The ledger read throws whenever the batch holds the poison row, as a row our mapping chokes on would.
    const faulty = (store: Store): Store => {
      const recipients = Object.create(store.recipients) as Store['recipients'];
      Object.defineProperty(recipients, 'getMany', {
        value: (ids: number[]) => {
          if (ids.includes(poison)) throw new TypeError('cannot read the ledger row');
          return store.recipients.getMany(ids);
        },
      });
      return Object.defineProperty(Object.create(store), 'recipients', { value: recipients }) as Store;
    };
    const isolated = openHarness(sim, { settings: { maxAttempts: 3, batchSize: 10 }, writebackStore: faulty });
    try {
      const { campaign, rowIds } = await sendingCampaign(isolated, listId, people, { name: 'One bad row' });
      poison = rowIds[1];
      await accept(isolated, rowIds);
      await isolated.writeback.start();
      const state = await drained(isolated, campaign.id);
      const sugarId = (await isolated.store.campaigns.get(campaign.id))!.sugarCampaignId!;
      const sent = sugarLog(sim, sugarId).filter((r) => r.activity_type === 'targeted');
      expect(sent.map((r) => r.target_id).sort()).toEqual(
        people
          .filter((_, i) => i !== 1)
          .map((p) => p.id)
          .sort(),
      );
      expect(state.errors).toEqual([
        expect.objectContaining({
          key: `sent:${poison}`,
          dead: true,
          attempts: 3,
          error: 'gave up after 3 attempts: write-back failed: cannot read the ledger row',
        }),
      ]);
    } finally {
      await isolated.close();
    }
  });
});
