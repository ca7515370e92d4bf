// Issue 17 "Must show": a Sugar Email Template round trip. Sally saves LeadFWD content as a Sugar Email Template (her
// own token; merge tags become $contact_ variables, what cannot be mapped is reported), picks it again (variables
// become merge tags), and a campaign sent with it merges each person's fields. A template with variables LeadFWD
// cannot fill (the assigned user's, $account_ for people, tracker placeholders) names each before she goes on.

import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, useStack } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { asUser, messagesBySubject, sugarToken } from './helpers.js';

let stack: Stack;
let sally: ReturnType<typeof asUser>;
let listId: string;

useStack(
  {},
  async (s) => {
    stack = s;
    const sugar = adminClient(stack.sim.url);
    listId = await createListOf(sugar, 'Template people', [
      { first_name: 'Ann', emails: [{ address: 'ann@example.org' }] },
      { first_name: 'Ben', emails: [{ address: 'ben@example.org' }] },
    ]);
    sally = asUser(stack, await sugarToken(stack, 'sally'));
  },
  60_000,
);

describe('Sugar Email Templates as content', () => {
  it('saves content as a template with $contact_ variables, picks it back as merge tags, and sends it merged', async () => {
    const saved = await sally('POST', '/sugar/email-templates', {
      name: 'Spring from LeadFWD',
      subject: 'Spring news for {{ first_name }}',
      html: '<p>Dear {{ first_name }} {{ last_name | upcase }},</p>{% if title %}<p>{{ title }}</p>{% endif %}<p><a href="https://example.org/s">Sale</a></p>',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.unmapped.map((u: { variable: string }) => u.variable)).toEqual(['{{ last_name | upcase }}', '{% if title %}', '{% endif %}']);
    const inSugar = await adminClient(stack.sim.url).get<Record<string, string>>(`/EmailTemplates/${saved.body.id}`);
    expect(inSugar).toMatchObject({
      name: 'Spring from LeadFWD',
      subject: 'Spring news for $contact_first_name',
      type: 'campaign',
      created_by: 'seed_sally_id',
    });
    expect(inSugar.body_html).toContain('Dear $contact_first_name $contact_last_name,');

    const listed = await sally('GET', '/sugar/email-templates');
    expect(listed.body.emailTemplates.map((t: { id: string }) => t.id)).toContain(saved.body.id);
    const picked = await sally('GET', `/sugar/email-templates/${saved.body.id}`);
    expect(picked.status).toBe(200);
    expect(picked.body).toMatchObject({
      name: 'Spring from LeadFWD',
      subject: 'Spring news for {{ first_name }}',
      fields: ['first_name', 'last_name', 'title'],
    });
    expect(picked.body.html).toContain('Dear {{ first_name }} {{ last_name }},');

    const customFields = picked.body.fields.filter((f: string) => !['first_name', 'last_name'].includes(f));
    const c = await sally(
      'POST',
      '/campaigns',
      campaignBody([listId], { name: 'From a template', subject: picked.body.subject, html: picked.body.html, customFields }),
    );
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    await untilCampaign(stack.api, c.body.id, 'sent', 'sent', 30_000);
    const ann = messagesBySubject(stack, 'Spring news for Ann');
    expect(ann).toHaveLength(1);
    expect((await PostalMime.parse(ann[0].raw)).html).toContain('Dear Ann Tester,');
    expect(messagesBySubject(stack, 'Spring news for Ben')).toHaveLength(1);
  }, 60_000);

  it('names every variable it cannot fill, with why, before anyone sends it', async () => {
    const sugar = adminClient(stack.sim.url);
    const t = await sugar.post<{ id: string }>('/EmailTemplates', {
      name: 'Old Sugar template',
      type: 'campaign',
      subject: 'Hi $contact_first_name',
      body_html: '<p>$contact_first_name at $account_name (use $contact_account_name), your rep $contact_user_first_name. {Spring sale}</p>',
      body: 'Hi $contact_first_name',
    });
    const picked = await sally('GET', `/sugar/email-templates/${t.id}`);
    expect(picked.body.subject).toBe('Hi {{ first_name }}');
    expect(picked.body.fields).toEqual(['first_name', 'account_name']);
    expect(picked.body.unmapped).toEqual([
      { variable: '$account_name', reason: expect.stringMatching(/only for Account targets/) },
      { variable: '$contact_user_first_name', reason: expect.stringMatching(/assigned user/) },
      { variable: '{Spring sale}', reason: expect.stringMatching(/tracker placeholder/) },
    ]);
    expect((await sally('GET', '/sugar/email-templates/no-such')).status).toBe(404);
  });

  it('refuses to save for a user whose role may not create Email Templates, and writes nothing', async () => {
    const dana = asUser(stack, await sugarToken(stack, 'dana'));
    const before = (await adminClient(stack.sim.url).get<{ records: unknown[] }>('/EmailTemplates')).records.length;
    const r = await dana('POST', '/sugar/email-templates', { name: 'x', subject: 'x', html: '<p>x</p>' });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('sugar_rights');
    expect((await adminClient(stack.sim.url).get<{ records: unknown[] }>('/EmailTemplates')).records.length).toBe(before);
  });
});
