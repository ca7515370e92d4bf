// The Sugar side of a campaign start: a LeadFWD list copied to a Target List, a campaign started
// from an existing Sugar Campaign (and what happens when that one was deleted, then revived through
// the API), and a Sugar user without rights to Campaigns (403).
import express from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { requireAuth } from '../../service/src/http/auth.js';
import { errorHandler } from '../../service/src/http/errors.js';
import { writebackRoutes } from '../../service/src/http/routes/writeback.js';

const KEY = 'setup-test-api-key-0123';

import { closeAfterAll } from '../support/per-file.js';
import { adminClient } from '../support/sugar-seed.js';
import {
  accept,
  drained,
  type HarnessOptions,
  open,
  openHarness,
  type Person,
  seedPeople,
  sendingCampaign,
  startWritebackSim,
  stateWhen,
  sugarLog,
} from './helpers.js';

let sim: SugarSim;
let people: Person[];
let listId: string;
const closing = closeAfterAll();
const harness = (o?: HarnessOptions) => closing(openHarness(sim, o));

beforeAll(async () => {
  sim = closing(await startWritebackSim());
  ({ people, listId } = await seedPeople(sim, [
    { module: 'Contacts', email: 'ann@example.com' },
    { module: 'Leads', email: 'lee@example.com' },
    { module: 'Prospects', email: 'pat@example.com' },
  ]));
}, 60_000);

describe('campaign setup in Sugar', () => {
  it('copies a LeadFWD list to a Target List with its members, leaving out those deleted in Sugar', async () => {
    const admin = adminClient(sim.url);
    const goneId = (await admin.post<{ id: string }>('/Contacts', { last_name: 'Gone' })).id;
    await admin.delete(`/Contacts/${goneId}`);
    await admin.logout();
    const h = harness();
    const list = await h.store.lists.create('VIP customers', 'api', undefined, { id: 'user-sally', userName: 'sally' });
    await h.store.lists.addMembers(list.id, [
      ...people.map((p) => ({ module: p.module, recordId: p.id, email: p.email })),
      { module: 'Contacts' as const, recordId: goneId },
    ]);
    const c = await sendingCampaign(h, listId, people, { targetListIds: [], leadfwdListIds: [list.id] });
    await accept(h, c.rowIds);
    await h.writeback.start();
    await drained(h, c.campaign.id);

    const slid = sugarIds.list(list.id);
    expect((await h.store.lists.get(list.id))!.sugarListId).toBe(slid);
    // Its creator's, as the LeadFWD list is: Sugar's owner-only and team rules then apply to the copy.
    expect(sim.db.prepare('SELECT name, list_type, assigned_user_id FROM prospect_lists WHERE id = ?').get(slid)).toEqual({
      name: 'LeadFWD: VIP customers',
      list_type: 'default',
      assigned_user_id: 'user-sally',
    });
    const members = sim.db.prepare('SELECT related_id FROM prospect_lists_prospects WHERE prospect_list_id = ? AND deleted = 0').pluck().all(slid);
    expect(members.sort()).toEqual(people.map((p) => p.id).sort());
    const linked = sim.db
      .prepare('SELECT prospect_list_id FROM prospect_list_campaigns WHERE campaign_id = ? AND deleted = 0')
      .pluck()
      .all(sugarIds.campaign(c.campaign.id));
    expect(linked).toEqual([slid]);
    expect(sugarLog(sim, sugarIds.campaign(c.campaign.id)).map((r) => r.list_id)).toEqual([slid, slid, slid]);
    expect((await h.writeback.state(c.campaign.id)).notes).toEqual([
      expect.objectContaining({ key: `list:${c.campaign.id}:${list.id}`, note: '1 of 4 members are no longer in Sugar and were left out of the Target List' }),
    ]);
  });

  it('writes into the Sugar Campaign the user started from, without creating another', async () => {
    const admin = adminClient(sim.url);
    const existing = (
      await admin.post<{ id: string }>('/Campaigns', { name: 'Planned in Sugar', campaign_type: 'Email', status: 'Planning', end_date: '2026-12-31' })
    ).id;
    await admin.logout();
    const before = sim.db.prepare('SELECT count(*) FROM campaigns').pluck().get();
    const h = harness();
    const c = await sendingCampaign(h, listId, people, { sugarCampaignId: existing });
    await accept(h, c.rowIds);
    await h.writeback.start();
    await drained(h, c.campaign.id);
    expect(sim.db.prepare('SELECT count(*) FROM campaigns').pluck().get()).toBe(before);
    expect(sim.db.prepare('SELECT status FROM campaigns WHERE id = ?').pluck().get(existing)).toBe('Planning');
    expect(sim.campaignLogCounts(existing)).toEqual({ targeted: 3 });
    expect(sim.db.prepare('SELECT count(*) FROM campaign_trkrs WHERE campaign_id = ?').pluck().get(existing)).toBe(2);
    expect(sim.db.prepare('SELECT prospect_list_id FROM prospect_list_campaigns WHERE campaign_id = ? AND deleted = 0').pluck().all(existing)).toEqual([
      listId,
    ]);
  });

  it('stops a campaign whose Sugar Campaign was deleted, lists it through the API, and revives it once restored', async () => {
    const admin = adminClient(sim.url);
    const existing = (await admin.post<{ id: string }>('/Campaigns', { name: 'Soon gone', campaign_type: 'Email', status: 'Active', end_date: '2026-12-31' }))
      .id;
    await admin.delete(`/Campaigns/${existing}`);
    const h = harness();
    const c = await sendingCampaign(h, listId, people.slice(0, 1), { sugarCampaignId: existing });
    await accept(h, c.rowIds);
    await open(h, c.rowIds[0]);
    await h.writeback.start();
    const id = c.campaign.id;
    await stateWhen(h, id, (s) => s.pending === 0, 'rows to settle');
    // Behind the API key, as the service mounts it: the operator may see and revive every row.
    const app = express()
      .use(express.json())
      .use(
        '/api/v1',
        requireAuth({
          apiKey: KEY,
          verifySugarToken: async () => {
            throw new Error('no users here');
          },
        }),
        writebackRoutes(h.writeback),
      )
      .use(errorHandler());

    const dead = await request(app).get('/api/v1/writeback/dead').set('Authorization', `Bearer ${KEY}`).query({ campaignId: id }).expect(200);
    expect(dead.body.dead.map((d: any) => d.key).sort()).toEqual(
      [`campaign:${id}`, `list:${id}:${listId}`, `open:${c.rowIds[0]}`, `sent:${c.rowIds[0]}`].sort(),
    );
    expect(dead.body.dead.find((d: any) => d.kind === 'campaign').lastError).toMatch(
      /the Sugar Campaign .* the campaign started from: GET \/Campaigns\/.* answered 404 not_found/,
    );
    expect(dead.body.dead.find((d: any) => d.kind === 'sent').lastError).toMatch(/could not be set up .* revive it first/);
    expect(dead.body.dead.every((d: any) => d.attempts === 1)).toBe(true);

    await request(app)
      .post('/api/v1/writeback/revive')
      .set('Authorization', `Bearer ${KEY}`)
      .send({ ids: ['x'] })
      .expect(422);
    await request(app).post('/api/v1/writeback/revive').set('Authorization', `Bearer ${KEY}`).send({}).expect(422);
    await request(app)
      .get('/api/v1/writeback/dead')
      .set('Authorization', `Bearer ${KEY}`)
      .query({ campaignId: 'x'.repeat(300) })
      .expect(422);

    await admin.post('/Campaigns', { id: existing, name: 'Restored', campaign_type: 'Email', status: 'Active', end_date: '2026-12-31' });
    await admin.logout();
    const revived = await request(app).post('/api/v1/writeback/revive').set('Authorization', `Bearer ${KEY}`).send({ campaignId: id }).expect(200);
    expect(revived.body).toEqual({ revived: 4 });
    await drained(h, id);
    expect(await h.writeback.state(id)).toMatchObject({ dead: 0, errors: [] });
    expect(sim.campaignLogCounts(existing)).toEqual({ targeted: 1, viewed: 1 });
  });

  it("records a 403 for a Sugar user without rights to Campaigns and gives up on that campaign's rows at once", async () => {
    const h = harness({ client: { username: 'chris', password: 'chris' } });
    const c = await sendingCampaign(h, listId, people.slice(0, 2));
    await accept(h, c.rowIds);
    await h.writeback.start();
    const id = c.campaign.id;
    const s = await stateWhen(h, id, (st) => st.pending === 0, 'rows to settle');
    expect(s.dead).toBe(4);
    const setup = (await h.store.outbox.dead(10, id)).find((d) => d.kind === 'campaign')!;
    expect(setup).toMatchObject({ attempts: 1, lastError: expect.stringContaining('Sugar Campaign: POST /Campaigns answered 403 not_authorized') });
    expect(setup.lastError).toContain('the Sugar user lacks the rights for this');
    expect(sim.db.prepare('SELECT count(*) FROM campaigns WHERE id = ?').pluck().get(sugarIds.campaign(id))).toBe(0);
  });
});
