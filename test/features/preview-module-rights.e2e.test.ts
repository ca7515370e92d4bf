// Found by a read-side review: GET /campaigns/:id/recipients and POST /campaigns/:id/preview asked for the right to
// change the campaign and to read its merge fields, but not for the right to see the recipients' records. A Sugar
// role with Campaigns edit and no Contacts (dana with her Campaigns writes given back) read every Contact's address,
// name and record id, and their merged message, while the report's /people and /export left those rows out for her.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACL_ACTIONS } from '../../scripts/sugar-sim/users.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { asUser, sugarToken } from './helpers.js';

let stack: Stack;
let listId: string;

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  listId = await createListOf(adminClient(stack.sim.url), 'Sally contacts', [
    { first_name: 'Ann', emails: [{ address: 'ann.private@example.org' }], fields: { title: 'CFO' } },
  ]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the recipient preview answers to Sugar module rights', () => {
  it('a user who may change the campaign but not see Contacts does not get their addresses from the preview', async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const c = await sally('POST', '/campaigns', {
      name: 'Sally contacts',
      subject: 'Hi',
      fromName: 'News',
      fromEmail: 'news@news.example.test',
      html: '<p>Dear {{ first_name }}, {{ title }}</p>',
      targetListIds: [listId],
      customFields: ['title'],
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const id = c.body.id as string;
    await waitFor(async () => {
      const v = (await sally('GET', `/campaigns/${id}`)).body;
      return v.status === 'sent' && v.sugarCampaignId ? true : undefined;
    }, 'sent, with its Sugar Campaign');

    // dana's role: Campaigns (all of it) and nothing of Contacts, Leads, Targets or Users.
    stack.sim.setRole('dana', { denied: { Contacts: ACL_ACTIONS, Leads: ACL_ACTIONS, Prospects: ACL_ACTIONS, Users: ACL_ACTIONS } });
    const danaToken = await sugarToken(stack, 'dana');
    const dana = asUser(stack, danaToken);
    // Sugar itself refuses her the Contacts.
    const sugarSays = await fetch(`${stack.sim.url}/rest/v11_1/Contacts`, { headers: { 'OAuth-Token': danaToken } });
    expect(sugarSays.status).toBe(403);
    // The report's own lists leave the Contact out for her.
    const csv = await fetch(`${stack.service.url}/api/v1/campaigns/${id}/export`, { headers: { 'OAuth-Token': danaToken } });
    expect(csv.status).toBe(200);
    expect(await csv.text()).not.toContain('ann.private@example.org');
    const dv = await dana('GET', `/campaigns/${id}`);
    expect(dv.body.mayEdit, JSON.stringify(dv)).toBe(true);

    // The preview's list of recipients must not show it either.
    const rec = await dana('GET', `/campaigns/${id}/recipients`);
    expect(rec.body).toEqual({ total: 0, hidden: 1, recipients: [] });
    // Nor the merged message of that Contact.
    const rowId = (await sally('GET', `/campaigns/${id}/recipients`)).body.recipients[0].rowId;
    const msg = await dana('POST', `/campaigns/${id}/preview`, { rowId });
    expect(msg).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
    expect(JSON.stringify(msg.body)).not.toContain('ann.private@example.org');
    // sally, who may see them, still gets both.
    expect((await sally('GET', `/campaigns/${id}/recipients`)).body).toMatchObject({ total: 1, hidden: 0 });
    expect((await sally('POST', `/campaigns/${id}/preview`, { rowId })).body.to).toBe('ann.private@example.org');
  }, 60_000);
});
