// Fuzzing found a campaign dated where its Sugar end date overflows JavaScript's dates (the API now refuses such
// dates): its setup threw, which failed its whole batch, every time. The batch's rows went back to the queue and were
// claimed again straight away, on microtasks alone: the event loop starved and the service stopped answering. Such a
// campaign's setup is now dead with its reason, so the other rows go; and any batch that keeps throwing backs off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { drained, type Harness, numberedPeople, openHarness, seedPeople, sendingCampaign, startWritebackSim } from './helpers.js';

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
});
