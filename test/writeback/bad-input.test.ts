// Sugar refusing or garbling individual writes: a deleted Target List, target or address row (404),
// a refused value (422), a call refused as a whole, bodies that are not what Sugar sends. Each is
// recorded on its row and the campaign, never holds back the other rows, and is not retried forever.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { closeAfterAll } from '../support/per-file.js';
import { adminClient, createList } from '../support/sugar-seed.js';
import {
  accept,
  drained,
  emailFlags,
  type Harness,
  hardBounce,
  open,
  openHarness,
  type Person,
  seedPeople,
  sendingCampaign,
  startWritebackSim,
  stateWhen,
  sugarLog,
} from './helpers.js';
import { type BulkCall, type SugarProxy, startProxy } from './proxy.js';

let sim: SugarSim;
let proxy: SugarProxy;
let h: Harness;
let people: Person[];
let rowIds: number[];
let campaignId: string;
let goneListId: string;
let listId: string;
const flags = { html: false };

const targetOf = (item: BulkCall['requests'][number]) => {
  try {
    return JSON.parse(item.data ?? '{}') as { target_id?: string; activity_type?: string };
  } catch {
    return {};
  }
};
const rowError = async (key: string) => (await h.store.outbox.dead(100, campaignId)).find((d) => d.key === key);

const closing = closeAfterAll();

beforeAll(async () => {
  sim = closing(await startWritebackSim());
  proxy = closing(await startProxy(sim.url));
  ({ people, listId } = await seedPeople(
    sim,
    Array.from({ length: 7 }, (_, i) => ({ module: 'Contacts' as const, email: `c${i}@example.com`, extra: i === 1 ? 'c1.home@example.net' : undefined })),
  ));
  const admin = adminClient(sim.url);
  goneListId = await createList(admin, 'Deleted before sending');
  await admin.delete(`/ProspectLists/${goneListId}`);
  await admin.delete(`/Contacts/${people[1].id}`);
  await admin.delete(`/EmailAddresses/${people[2].emailAddressId}`);
  await admin.logout();

  // Sugar refuses one target's value (a custom validation, say): the call reaches the simulator with a
  // value it rejects. A call naming another target is refused whole, before Sugar runs any of it.
  proxy.intercept = (call) => {
    if (call.requests.some((r) => targetOf(r).target_id === people[5].id)) {
      return { status: 422, body: JSON.stringify({ error: 'missing_parameter', error_message: 'Invalid request - URL is missing' }) };
    }
    return {
      requests: call.requests.map((r) => {
        const t = targetOf(r);
        return t.target_id === people[3].id && t.activity_type === 'targeted' ? { ...r, data: JSON.stringify({ ...t, activity_type: 'sent!' }) } : r;
      }),
    };
  };
  proxy.rewrite = (call, _status, results) => {
    if (flags.html) return { status: 200, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' };
    return results.map((r, i) => {
      const t = targetOf(call.requests[i]);
      return t.target_id === people[4].id && t.activity_type === 'viewed' ? { ...r, status: 200, contents: 'OK' } : r;
    });
  };
  h = closing(openHarness(sim, { client: { baseUrl: proxy.url }, settings: { maxAttempts: 3, optOutScope: 'all' } }));
  const c = await sendingCampaign(h, listId, people, { targetListIds: [listId, goneListId] });
  campaignId = c.campaign.id;
  rowIds = c.rowIds;
  await accept(h, rowIds);
  await h.engagement.facts.optOut(rowIds[1], 'page');
  hardBounce(h, rowIds[2]);
  await open(h, rowIds[4]);
  await open(h, rowIds[6]);
  flags.html = true;
  await h.writeback.start();
}, 60_000);

describe('write-back when Sugar refuses or garbles writes', () => {
  it('retries a body that is not JSON, showing why, and goes on once Sugar answers properly', async () => {
    const s = await stateWhen(h, campaignId, (st) => st.errors.some((e) => /not JSON/.test(e.error)), 'the garbled answer on the campaign');
    expect(s.dead).toBe(0);
    flags.html = false;
    await drained(h, campaignId);
  });

  it('kills a row whose link to a deleted Target List answers 404, and links the other list', async () => {
    expect((await rowError(`list:${campaignId}:${goneListId}`))?.lastError).toMatch(
      /link Target List .* answered 404 not_found \(Could not find the related bean; the record is gone from Sugar/,
    );
    const linked = sim.db
      .prepare('SELECT prospect_list_id FROM prospect_list_campaigns WHERE campaign_id = ? AND deleted = 0')
      .pluck()
      .all(sugarIds.campaign(campaignId));
    expect(linked).toEqual([listId]);
  });

  it("writes a deleted target's opt-out, flags the address that was mailed and notes the rest", async () => {
    const row = sugarLog(sim, sugarIds.campaign(campaignId)).find((r) => r.target_id === people[1].id && r.activity_type === 'removed');
    expect(row).toBeDefined();
    expect(emailFlags(sim, people[1].emailAddressId).opt_out).toBe(1);
    expect((await h.store.outbox.states([`optout:${rowIds[1]}`])).get(`optout:${rowIds[1]}`)).toBe('done');
    expect(emailFlags(sim, people[1].others[0]).opt_out).toBe(0); // unknown once the record is gone
    expect((await h.writeback.state(campaignId)).notes).toContainEqual(
      expect.objectContaining({
        key: `optout:${rowIds[1]}`,
        note: expect.stringMatching(/^read Contacts\/.* answered 404 not_found .*; flagged only the address that was mailed$/),
      }),
    );
  });

  it('kills a hard bounce whose address row was deleted (404), with the request named', async () => {
    expect(await rowError(`bounce:${rowIds[2]}`)).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/^invalid_email flag: PUT \/EmailAddresses\/[0-9a-f-]+ answered 404 not_found/),
    });
  });

  it('kills a row Sugar refused with 422 at once, and writes the others', async () => {
    expect(await rowError(`sent:${rowIds[3]}`)).toMatchObject({
      attempts: 1,
      lastError: expect.stringContaining('answered 422 invalid_parameter (Invalid value for field activity_type: sent!'),
    });
    const targeted = sugarLog(sim, sugarIds.campaign(campaignId))
      .filter((r) => r.activity_type === 'targeted')
      .map((r) => r.target_id);
    expect(targeted.sort()).toEqual(
      people
        .filter((_, i) => i !== 3 && i !== 5)
        .map((p) => p.id)
        .sort(),
    );
  });

  it('finds the row a call refused as a whole is about by sending each row alone', async () => {
    expect((await rowError(`sent:${rowIds[5]}`))?.lastError).toMatch(/422 missing_parameter: Invalid request - URL is missing/);
  });

  it('gives up on an answer of the wrong shape after the configured attempts', async () => {
    expect(await rowError(`open:${rowIds[4]}`)).toMatchObject({
      attempts: 3,
      lastError: expect.stringMatching(/^gave up after 3 attempts: .*unexpected body/),
    });
    expect(sugarLog(sim, sugarIds.campaign(campaignId)).some((r) => r.target_id === people[6].id && r.activity_type === 'viewed')).toBe(true);
  });

  it('shows the dead rows and their errors on the campaign', async () => {
    const s = await h.writeback.state(campaignId);
    expect(s.pending).toBe(0);
    expect(s.dead).toBe(5);
    expect(s.errors.filter((e) => e.dead)).toHaveLength(5);
  });
});
