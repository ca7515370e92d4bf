// The opt-out scope an admin picks in Sugar's Administration panel (LeadFWD settings, read over GET
// /leadfwd/config) decides which addresses an opt-out flags; LEADFWD_OPT_OUT_SCOPE only fills in while Sugar has
// no answer. Real simulator over HTTP, real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { createOptOutScopeSource } from '../../service/src/writeback/opt-out-scope.js';
import { drained, emailFlags, type Harness, openHarness, type Person, seedPeople, sendingCampaign, settle, startWritebackSim, waitFor } from './helpers.js';

let sim: SugarSim;
let sugar: SugarClient;

beforeAll(async () => {
  sim = await startWritebackSim();
  sugar = new SugarClient({ baseUrl: sim.url, username: 'admin', password: 'admin', platform: 'leadfwd', retryBaseMs: 1, retryMaxMs: 5 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

const configCalls = () => sim.requests().filter((r) => r.path.endsWith('/leadfwd/config')).length;

describe('the opt-out scope source', () => {
  it("reads the admin's choice, at most once per interval, and follows a change after it", async () => {
    let clock = 0;
    const source = createOptOutScopeSource({ read: () => sugar.get('/leadfwd/config'), fallback: 'none', ttlMs: 60_000, now: () => clock });
    const before = configCalls();
    // Never chosen in Sugar: the package answers null and the service keeps its own setting.
    expect(await source.current()).toBe('none');
    sim.leadfwdSettings.leadfwd_optout_scope = 'address';
    clock += 59_000;
    expect(await source.current()).toBe('none');
    expect(configCalls() - before).toBe(1);
    clock += 2_000;
    // Stale: the batch at hand still uses the last answer while a fresh one is fetched behind it.
    expect(await source.current()).toBe('none');
    expect(await waitFor(async () => (await source.current()) === 'address' || undefined, 'the new choice read')).toBe(true);
    expect(configCalls() - before).toBe(2);
    // Handed back to the service in Sugar: ours applies again.
    sim.leadfwdSettings.leadfwd_optout_scope = '';
    clock += 61_000;
    await source.current();
    expect(await waitFor(async () => (await source.current()) === 'none' || undefined, 'the service default back')).toBe(true);
  });

  it('falls back to LEADFWD_OPT_OUT_SCOPE while Sugar cannot answer, and says so once', async () => {
    let clock = 0;
    const warnings: object[] = [];
    const logger = { info: () => undefined, error: () => undefined, warn: (o: object) => void warnings.push(o) };
    const source = createOptOutScopeSource({ read: () => sugar.get('/leadfwd/no-such-endpoint'), fallback: 'none', ttlMs: 10, now: () => clock, logger });
    expect(await source.current()).toBe('none');
    clock += 20;
    expect(await source.current()).toBe('none');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ event: 'writeback.opt_out_scope_unread', using: 'none' });
  });
});

describe('an opt-out written back with the scope chosen in Sugar', () => {
  let h: Harness | undefined;
  let people: Person[];
  afterAll(async () => {
    await h?.close();
  });

  it('flags only the opted-out address when the admin chose "this address", whatever the environment says', async () => {
    sim.leadfwdSettings.leadfwd_optout_scope = 'address';
    let listId: string;
    ({ people, listId } = await seedPeople(sim, [{ module: 'Contacts', email: 'kim@example.com', extra: 'kim.home@example.net' }]));
    h = openHarness(sim, {
      settings: { optOutScope: 'all' },
      optOutScope: (client) => createOptOutScopeSource({ read: () => client.get('/leadfwd/config'), fallback: 'all' }),
    });
    const { campaign, rowIds } = await sendingCampaign(h, listId!, people);
    await settle(h, [{ rowId: rowIds[0], state: 'accepted', messageId: '<k@t>' }]);
    await h.engagement.facts.optOut(rowIds[0], 'one_click');
    await h.writeback.start();
    await drained(h, campaign.id);
    expect(emailFlags(sim, people[0].emailAddressId)).toEqual({ opt_out: 1, invalid_email: 0 });
    expect(emailFlags(sim, people[0].others[0])).toEqual({ opt_out: 0, invalid_email: 0 });
  });
});
