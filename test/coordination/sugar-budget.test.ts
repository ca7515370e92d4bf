// Sugar's request budget across processes (issue 15): every call the service makes to one Sugar — logins, extraction's
// reads, the campaign's setup, the write-back — draws from one shared bucket per Sugar instance, so all processes
// together stay under LEADFWD_SUGAR_RATE. Two real service processes on one PostgreSQL, one extracting and sending
// two campaigns while the other writes them back; the simulator's own request log is the judge.
import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../scripts/sugar-sim/server.js';
import { usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const RATE = 5;
const JITTER = 2;

/** The most HTTP calls the service made in any window of `ms` (readiness pings and token checks are not budgeted). */
function busiest(log: RequestLogEntry[], ms: number): number {
  const at = log
    .filter((e) => !e.bulk && !/\/(ping|me)$/.test(e.path))
    .map((e) => e.at)
    .sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe.skipIf(!debianPgBin())("Sugar's request budget shared by every process", () => {
  const rig = usePgProcessRig('sugarbudget');

  it('holds every call of two processes together under the rate, extraction and write-back alike', async () => {
    const env = { LEADFWD_SUGAR_RATE: String(RATE), LEADFWD_WRITEBACK_BATCH: '20' };
    rig.sim.clearRequests();
    const sender = await rig.start('sender', { ...env, LEADFWD_ROLES: 'api,send' });
    const writer = await rig.start('writer', { ...env, LEADFWD_ROLES: 'api,writeback' });
    const ids: string[] = [];
    for (const name of ['First', 'Second']) {
      const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 3, perList: 60 }));
      ids.push(await rig.createCampaign(sender, name, listIds, { subject: 'Hi' }));
    }
    for (const id of ids) {
      await waitFor(
        async () => {
          const c = await rig.api(writer, `/campaigns/${id}`).catch(() => undefined);
          return c?.status === 'sent' && c.writeback?.pending === 0 ? c : undefined;
        },
        `campaign ${id} sent and written back`,
        90_000,
      );
    }
    const log = rig.sim.requests();
    const budgeted = log.filter((e) => !e.bulk && !/\/(ping|me)$/.test(e.path));
    const calls = budgeted.length;
    const seconds = (budgeted[calls - 1].at - budgeted[0].at) / 1000;
    // Enough calls that, unpaced, they would have gone far faster than the rate (30 in the busiest second at 5/s).
    expect(calls).toBeGreaterThan(4 * RATE);
    // A bucket lets its burst (one second's worth) go at once, then the rate: never more in any window, give or take
    // JITTER calls whose arrival the loaded machine delayed into the next window.
    expect(busiest(log, 1000)).toBeLessThanOrEqual(2 * RATE + JITTER);
    expect(busiest(log, 5000)).toBeLessThanOrEqual(RATE + 5 * RATE + JITTER);
    expect(calls).toBeLessThanOrEqual(RATE + Math.ceil(seconds * RATE) + JITTER);
    // Both processes called Sugar: the sender extracted and set up, the writer wrote back.
    expect(log.some((e) => /\/filter$|\/link\//.test(e.path))).toBe(true);
    expect(log.some((e) => e.bulk)).toBe(true);
    console.info(`${calls} Sugar calls in ${seconds.toFixed(1)} s (${(calls / seconds).toFixed(1)}/s), busiest second ${busiest(log, 1000)}`);
  }, 180_000);
});
