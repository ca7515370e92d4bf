// Found by an attacker review: POST /campaigns/:id/follow-up asked only for the right to view the first campaign, and
// copied its merge fields without the check POST /campaigns makes (readable by the caller). max may not change
// sally's campaign (owner-only) nor read phone_mobile, yet he made a follow-up with his own content that mailed
// sally's recipients with phone_mobile merged. A follow-up now needs the right to change the first campaign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { asUser, sugarToken } from './helpers.js';

let stack: Stack;
let listId: string;

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  listId = await createListOf(adminClient(stack.sim.url), 'Sally people', [
    { first_name: 'Ann', emails: [{ address: 'ann@example.org' }], fields: { phone_mobile: '+49 170 1234567' } },
  ]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a follow-up is a new campaign and gets its checks', () => {
  it("max cannot follow up sally's campaign merging a field he may not read (nor one he may not change)", async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const max = asUser(stack, await sugarToken(stack, 'max'));
    const first = await sally('POST', '/campaigns', {
      name: 'Sally mobile',
      subject: 'Hi',
      fromName: 'News',
      fromEmail: 'news@news.example.test',
      html: '<p>Your number {{ phone_mobile }}</p>',
      targetListIds: [listId],
      customFields: ['phone_mobile'],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await waitFor(async () => ((await sally('GET', `/campaigns/${first.body.id}`)).body.status === 'sent' ? true : undefined), 'sent', 20_000);
    // The same content as a campaign of his own is refused: max may not read phone_mobile.
    const own = await max('POST', '/campaigns', {
      name: 'Max mobile',
      subject: 'Hi',
      fromName: 'News',
      fromEmail: 'news@news.example.test',
      html: '<p>x</p>',
      targetListIds: [listId],
      customFields: ['phone_mobile'],
    });
    expect(own).toMatchObject({ status: 403, body: { error: 'field_not_readable' } });
    // And he may not change sally's campaign.
    expect((await max('GET', `/campaigns/${first.body.id}`)).body.mayEdit).toBe(false);

    const fu = await max('POST', `/campaigns/${first.body.id}/follow-up`, {
      subject: 'From max',
      criterion: 'not_clicked',
      html: '<p>Max says: {{ phone_mobile }}</p>',
    });
    expect(fu.status, JSON.stringify(fu.body?.customFields ?? fu.body)).toBe(403);
    expect(fu.body.error).toBe('not_your_campaign');
    // With Campaigns edit on every record (no owner-only limit) but still no phone_mobile: the field refuses it.
    stack.sim.setRole('max', { denied: {}, hiddenFields: { Contacts: ['phone_mobile'], Leads: ['phone_mobile'], Prospects: ['phone_mobile'] } });
    const fields = await max('POST', `/campaigns/${first.body.id}/follow-up`, { subject: 'From max', criterion: 'not_clicked' });
    expect(fields).toMatchObject({ status: 403, body: { error: 'field_not_readable' } });
    stack.sim.setRole('max', undefined);
    // sally, whose campaign it is, still may.
    const hers = await sally('POST', `/campaigns/${first.body.id}/follow-up`, { subject: 'Again', criterion: 'not_clicked' });
    expect(hers.status, JSON.stringify(hers.body)).toBe(201);
  }, 60_000);
});
