// The write-back against the simulator: every kind of fact becomes exactly the CampaignLog row Sugar's
// own sender would have written, with the Campaign, its trackers and lists, the address flags and hits.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { closeAfterAll } from '../support/per-file.js';
import {
  click,
  drained,
  emailFlags,
  type Harness,
  hardBounce,
  harnessWithCampaign,
  LINKS,
  open,
  type Person,
  settle,
  softBounce,
  startWritebackSim,
  sugarLog,
} from './helpers.js';

let sim: SugarSim;
let h: Harness;
let people: Person[];
let listId: string;
let campaignId: string;
let rowIds: number[];
let sid: string;

const closing = closeAfterAll();

beforeAll(async () => {
  sim = closing(await startWritebackSim());
  ({ h, people, listId, campaignId, rowIds } = await harnessWithCampaign(
    sim,
    [
      { module: 'Contacts', email: 'ann@example.com' },
      { module: 'Leads', email: 'lee@example.com', extra: 'lee.private@example.net' },
      { module: 'Prospects', email: 'pat@example.org' },
      { module: 'Contacts', email: 'gone@example.com' },
      { module: 'Contacts', email: 'full@example.com' },
      { module: 'Contacts', email: 'quiet@example.com' },
      { module: 'Accounts', email: 'info@blocked.example' },
    ],
    { harness: { settings: { optOutScope: 'all' } }, campaign: { name: 'A spring campaign whose name is far longer than fifty characters' } },
  ));
  closing(h);
  sid = sugarIds.campaign(campaignId);
  const { store } = h;
  await store.suppressions.add('quiet@example.com', 'quiet@example.com', 'unsubscribe', 'earlier campaign');
  await settle(h, [
    { rowId: rowIds[0], state: 'accepted', messageId: '<a@t>' },
    { rowId: rowIds[1], state: 'accepted', messageId: '<b@t>' },
    { rowId: rowIds[2], state: 'accepted', messageId: '<c@t>' },
    { rowId: rowIds[3], state: 'failed', error: '550 5.1.1 user unknown' },
    { rowId: rowIds[4], state: 'accepted', messageId: '<e@t>' },
    { rowId: rowIds[5], state: 'failed', error: 'suppressed before hand-off', suppressed: true },
    { rowId: rowIds[6], state: 'failed', error: '554 5.7.1 policy' },
  ]);
  hardBounce(h, rowIds[3]); // the relay's own 5xx: a hard bounce of a row that was never accepted
  await open(h, rowIds[0], 3);
  await click(h, rowIds[0], 0);
  await click(h, rowIds[0], 0);
  await click(h, rowIds[0], 1, 10_000);
  await open(h, rowIds[1]);
  await h.engagement.facts.optOut(rowIds[1], 'one_click');
  hardBounce(h, rowIds[2]);
  softBounce(h, rowIds[4]);
  await h.writeback.start();
  await drained(h, campaignId);
}, 60_000);

describe('write-back to Sugar', () => {
  it('creates the Sugar Campaign with a short name, Email type, Active status, trackers and its list', async () => {
    const camp = sim.db.prepare('SELECT * FROM campaigns WHERE id = ?').get(sid) as Record<string, any>;
    expect(camp).toMatchObject({ campaign_type: 'Email', status: 'Active' });
    expect([...camp.name].length).toBeLessThanOrEqual(50);
    expect(camp.name).toMatch(/^A spring campaign.*…$/);
    expect(camp.content).toContain(`campaign ${campaignId}`);
    expect(camp.start_date).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect((await h.store.campaigns.get(campaignId))!.sugarCampaignId).toBe(sid);

    const trackers = sim.db
      .prepare('SELECT id, tracker_name, tracker_url FROM campaign_trkrs WHERE campaign_id = ? AND deleted = 0 ORDER BY tracker_name')
      .all(sid) as any[];
    expect(trackers).toEqual([
      { id: sugarIds.tracker(campaignId, 0), tracker_name: '1 shop.example.com/spring', tracker_url: LINKS[0] },
      { id: sugarIds.tracker(campaignId, 1), tracker_name: '2 example.com/about', tracker_url: LINKS[1] },
    ]);
    const lists = sim.db.prepare('SELECT prospect_list_id FROM prospect_list_campaigns WHERE campaign_id = ? AND deleted = 0').pluck().all(sid);
    expect(lists).toEqual([listId]);
  });

  it('writes one row per target and activity, counted the way Sugar counts them', async () => {
    expect(sim.campaignLogCounts(sid)).toEqual({ targeted: 4, viewed: 2, link: 2, removed: 1, 'invalid email': 2, 'send error': 2, blocked: 1 });
    // The service's own record of what Sugar holds agrees, row for row.
    expect((await h.writeback.state(campaignId)).activity).toEqual(sim.campaignLogCounts(sid));
    const local = (await h.store.writeback.rows(campaignId)).map((r) => [r.logId, r.activityType, r.targetId]).sort();
    const remote = sugarLog(sim, sid)
      .map((r) => [r.id, r.activity_type, r.target_id])
      .sort();
    expect(remote).toEqual(local);
  });

  it("fills every column the target record and the status page read, as Sugar's sender does", () => {
    const rows = sugarLog(sim, sid);
    const ann = rows.filter((r) => r.target_id === people[0].id);
    expect(ann.map((r) => r.activity_type).sort()).toEqual(['link', 'link', 'targeted', 'viewed']);
    for (const r of ann) {
      expect(r).toMatchObject({ target_type: 'Contacts', list_id: listId, more_information: 'ann@example.com' });
      expect(r.target_tracker_key).toBe(sugarIds.trackerKey(campaignId, rowIds[0]));
      expect(r.activity_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    }
    expect(ann.find((r) => r.activity_type === 'viewed')).toMatchObject({ hits: 3 });
    const links = ann.filter((r) => r.activity_type === 'link').sort((a, b) => b.hits - a.hits);
    expect(links).toMatchObject([
      { related_id: sugarIds.tracker(campaignId, 0), related_type: 'CampaignTrackers', hits: 2 },
      { related_id: sugarIds.tracker(campaignId, 1), related_type: 'CampaignTrackers', hits: 1 },
    ]);
    expect(rows.find((r) => r.target_id === people[5].id)).toMatchObject({
      activity_type: 'blocked',
      more_information: 'quiet@example.com (suppressed: unsubscribe)',
    });
    expect(rows.filter((r) => r.target_id === people[3].id).map((r) => r.activity_type)).toEqual(['invalid email']);
    expect(
      rows
        .filter((r) => r.target_id === people[2].id)
        .map((r) => r.activity_type)
        .sort(),
    ).toEqual(['invalid email', 'targeted']);
    expect(rows.find((r) => r.target_id === people[6].id)).toMatchObject({ activity_type: 'send error', target_type: 'Accounts' });
  });

  it('flags opt-outs on every address of the target and hard bounces on the bounced address only', () => {
    expect(emailFlags(sim, people[1].emailAddressId)).toEqual({ opt_out: 1, invalid_email: 0 });
    expect(emailFlags(sim, people[1].others[0])).toEqual({ opt_out: 1, invalid_email: 0 });
    expect(emailFlags(sim, people[2].emailAddressId)).toEqual({ opt_out: 0, invalid_email: 1 });
    expect(emailFlags(sim, people[3].emailAddressId)).toEqual({ opt_out: 0, invalid_email: 1 });
    for (const i of [0, 4, 5, 6]) expect(emailFlags(sim, people[i].emailAddressId)).toEqual({ opt_out: 0, invalid_email: 0 });
  });

  it('keeps hits equal to the local human count as opens keep coming, without new rows', async () => {
    await open(h, rowIds[0], 2);
    expect((await click(h, rowIds[0], 1, 20_000))?.bot).toBe(false);
    await drained(h, campaignId);
    const ann = sugarLog(sim, sid).filter((r) => r.target_id === people[0].id);
    expect(ann.find((r) => r.activity_type === 'viewed')!.hits).toBe(5);
    expect(ann.find((r) => r.related_id === sugarIds.tracker(campaignId, 1))!.hits).toBe(2);
    expect(sim.campaignLogCounts(sid)).toMatchObject({ viewed: 2, link: 2 });
  });

  it('shows the state on the campaign: everything written back, nothing dead, no lag', async () => {
    const s = await h.writeback.state(campaignId);
    expect(s).toMatchObject({ pending: 0, dead: 0, lagSeconds: 0, hitsPending: 0, sugarCampaignId: sid, errors: [] });
    // campaign + list + 7 deliveries + 2 opens + 2 clicks (ann) + opt-out + 3 bounces
    expect(s.done).toBe(1 + 1 + 7 + 2 + 2 + 1 + 3);
  });
});
