// Found by a read-side review: Sugar's 404 on a campaign's Sugar Campaign read as "no Sugar Campaign yet", which lets
// anyone who may view Campaigns see it. Sugar answers 404 for a record hidden from the user (another team's) and for a
// deleted one, so another user read the report and exported every recipient's address. Once the Sugar Campaign was
// made, a 404 leaves the campaign to its creator (and administrators).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { asUser, sugarToken } from './helpers.js';

let stack: Stack;
let listId: string;

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  listId = await createListOf(adminClient(stack.sim.url), 'Board', [{ first_name: 'Bea', emails: [{ address: 'bea.board@example.org' }] }]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a campaign whose Sugar Campaign Sugar no longer shows', () => {
  it('is its creator’s alone: another user who may view Campaigns gets neither view, report nor export', async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const maxToken = await sugarToken(stack, 'max');
    const max = asUser(stack, maxToken);
    const c = await sally('POST', '/campaigns', {
      name: 'Board letter',
      subject: 'For the board',
      fromName: 'News',
      fromEmail: 'news@news.example.test',
      html: '<p>Dear {{ first_name }}</p>',
      targetListIds: [listId],
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const id = c.body.id as string;
    const sugarCampaignId = await waitFor(async () => {
      const v = (await sally('GET', `/campaigns/${id}`)).body;
      return v.status === 'sent' && v.sugarCampaignId ? (v.sugarCampaignId as string) : undefined;
    }, 'sent, with its Sugar Campaign');
    expect((await max('GET', `/campaigns/${id}`)).status).toBe(200); // Sugar shows it to him

    await adminClient(stack.sim.url).request('DELETE', `/Campaigns/${sugarCampaignId}`);
    for (const path of [`/campaigns/${id}`, `/campaigns/${id}/report`, `/campaigns/${id}/people?kind=bounced`]) {
      expect(await max('GET', path), path).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
    }
    const csv = await fetch(`${stack.service.url}/api/v1/campaigns/${id}/export`, { headers: { 'OAuth-Token': maxToken } });
    expect(csv.status).toBe(403);
    expect(await csv.text()).not.toContain('bea.board@example.org');
    expect((await sally('GET', `/campaigns/${id}/report`)).status).toBe(200);
    // And lists it still, where max no longer sees it.
    expect((await sally('GET', '/campaigns')).body.campaigns.map((x: { id: string }) => x.id)).toContain(id);
    const his = await max('GET', '/campaigns');
    expect(his.status, JSON.stringify(his.body)).toBe(200);
    expect(his.body.campaigns.map((x: { id: string }) => x.id)).not.toContain(id);
  }, 60_000);
});
