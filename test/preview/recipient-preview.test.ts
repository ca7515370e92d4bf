// The review step's service side (issue 13): a held campaign's recipients to choose from, and the real message one of
// them would get — merge values, custom fields with their defaults, links to where they lead, no open pixel — for
// the campaign's creator only, through the relay as the UI calls it. And MJML compiled to HTML for a format switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { untilCampaign } from '../support/campaigns.js';
import { pairSugar, type RelayCall, relayAs } from '../support/relay.js';
import { type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let sally: RelayCall;
let max: RelayCall;
let id = '';

beforeAll(async () => {
  stack = await startStack({ sim: { seed: 'demo' } });
  await pairSugar(stack);
  sally = await relayAs(stack, 'sally');
  max = await relayAs(stack, 'max');
  const created = await sally('POST', '/campaigns', {
    name: 'Preview me',
    subject: 'Hi {{ first_name | default: "you" }} in {{ region_c | default: "your region" }}',
    fromName: 'Acme',
    fromEmail: 'news@news.example.test',
    html: '<p>Hello {{ first_name }}, region {{ region_c | default: "unknown" }}</p><p><a href="https://example.com/offer">Offer</a></p>',
    targetListIds: [DEMO_IDS.lists.newsletter],
    customFields: ['region_c'],
    hold: true,
  });
  expect(created.status).toBe(201);
  id = created.body.id;
  await untilCampaign(sally, id, 'pending', 'the held campaign counted');
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe("a held campaign's recipients and their real message", () => {
  it('lists the queued recipients with names and records, paged', async () => {
    const all = await sally('GET', `/campaigns/${id}/recipients?limit=5`);
    expect(all.status).toBe(200);
    const view = (await sally('GET', `/campaigns/${id}`)).body;
    expect(all.body.total).toBe(view.audit.queued);
    expect(all.body.recipients).toHaveLength(5);
    expect(all.body.recipients[0]).toMatchObject({
      rowId: expect.any(Number),
      email: expect.stringContaining('@'),
      module: expect.any(String),
      recordId: expect.any(String),
      state: 'queued',
    });
    const next = await sally('GET', `/campaigns/${id}/recipients?limit=5&offset=5`);
    expect(next.body.recipients[0].rowId).not.toBe(all.body.recipients[0].rowId);
  });

  it("renders one recipient's message: merge values, defaults for empty fields, links to their destinations, no pixel", async () => {
    const { recipients } = (await sally('GET', `/campaigns/${id}/recipients?limit=200`)).body;
    const withName = recipients.find((r: { name: string }) => r.name);
    const p = await sally('POST', `/campaigns/${id}/preview`, { rowId: withName.rowId });
    expect(p.status).toBe(200);
    expect(p.body.to).toBe(withName.email);
    expect(p.body.subject).toMatch(/^Hi \S+ in \S+/);
    expect(p.body.subject).not.toContain('{{');
    expect(p.body.html).not.toContain('{{');
    // No link of the service at all: a link copied from a preview and opened would record a click (written to Sugar as
    // Click-thru, and taken as proof the message arrived) or an opt-out for a person who never acted.
    expect(`${p.body.html}\n${p.body.text}`.match(/\/(?:t\/[oc]|u)\/[\w.-]{16,}/g) ?? []).toEqual([]);
    expect(p.body.html).toContain('href="https://example.com/offer"');
    expect(p.body.text).toContain('https://example.com/offer');
    expect(p.body.text).toContain('Hello');
    expect(p.body.links).toEqual(['https://example.com/offer']);
    // Nothing was sent or recorded.
    expect(stack.sink.messages).toHaveLength(0);
    expect((await sally('GET', `/campaigns/${id}`)).body).toMatchObject({ held: true, status: 'pending' });
  });

  it('refuses a row of another campaign and someone who may not change the campaign', async () => {
    expect((await sally('POST', `/campaigns/${id}/preview`, { rowId: 999_999 })).status).toBe(404);
    expect((await sally('POST', `/campaigns/${id}/preview`, { rowId: 'x' })).status).toBe(404);
    expect((await sally('POST', `/campaigns/${id}/preview`, { rowId: { toString: 1 } })).body).toMatchObject({
      error: 'not_found',
      message: expect.stringMatching(/no recipient an object$/),
    });
    const refused = await max('GET', `/campaigns/${id}/recipients`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('not_your_campaign');
  });
});

describe('MJML to HTML for a format switch', () => {
  it("compiles MJML, merge tags kept; names MJML's own errors", async () => {
    const ok = await sally('POST', '/preview/mjml', {
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ first_name | default: "there" }}</mj-text></mj-column></mj-section></mj-body></mjml>',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.html).toContain('Hi {{ first_name | default: "there" }}');
    expect(ok.body.html).toMatch(/<html/i);
    const bad = await sally('POST', '/preview/mjml', { mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-column></mj-section></mj-body></mjml>' });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid_template');
  });
});
