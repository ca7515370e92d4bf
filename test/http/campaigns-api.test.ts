// The /api/v1 campaign routes against the real simulator (demo seed) and a real SMTP sink:
// validation, access, lifecycle commands and the bad input listed in issue 3.

import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { untilCampaign } from '../support/campaigns.js';
import { expectProblems } from '../support/refusals.js';
import { API_KEY, type Stack, useStack } from '../support/stack.js';

let stack: Stack;
const base = {
  name: 'API test',
  subject: 'Hi {{ first_name | default: "there" }}',
  fromName: 'Team',
  fromEmail: 'team@news.example.test',
  html: '<p>Hello</p>',
};

useStack(
  { sim: { seed: 'demo' } },
  (s) => {
    stack = s;
  },
  60_000,
);

const count = async () => (await stack.api('GET', '/campaigns')).body.campaigns.length;

describe('POST /campaigns validation', () => {
  it('lists every problem in one 422 and stores nothing', async () => {
    const before = await count();
    const r = await stack.api('POST', '/campaigns', { name: '', fromEmail: 'not-an-address', targetListIds: 'x' });
    expectProblems(r, 'invalid_campaign', [
      'name is required',
      'subject is required',
      'fromEmail is not a valid address',
      'targetListIds must be an array of ids',
      'one of mjml or html is required',
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses a field to merge that no module a list can hold has', async () => {
    const before = await count();
    // A relate name (not stored, read by the filter API) is a field Sugar has: it merged before, and still does.
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      customFields: ['regoin_c', 'region_c', 'assigned_user_name', 'prospect_lists', 'email_addresses'],
      targetListIds: DEMO_IDS.sendableListIds,
    });
    // A link to related records, or the address list, is no text to merge either.
    expectProblems(r, 'invalid_campaign', [
      'customFields: Sugar has no field regoin_c to merge on Contacts, Leads, Prospects, Accounts',
      'customFields: Sugar has no field prospect_lists to merge on Contacts, Leads, Prospects, Accounts',
      'customFields: Sugar has no field email_addresses to merge on Contacts, Leads, Prospects, Accounts',
    ]);
    expect(r.body.details.problems).toHaveLength(3);
    expect(await count()).toBe(before);
  });

  it('answers 422 with MJML errors for invalid MJML', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      html: undefined,
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-column></mj-section></mj-body></mjml>',
      targetListIds: DEMO_IDS.sendableListIds,
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('invalid_template');
    expect(Array.isArray(r.body.details)).toBe(true);
    expect(r.body.details.length).toBeGreaterThan(0);
  });

  it('names unknown Sugar target lists and LeadFWD lists', async () => {
    const before = await count();
    const r = await stack.api('POST', '/campaigns', { ...base, targetListIds: [DEMO_IDS.lists.newsletter, 'no-such-list'] });
    expect(r.status).toBe(422);
    expect(r.body.details.unknownTargetListIds).toEqual(['no-such-list']);
    const r2 = await stack.api('POST', '/campaigns', { ...base, leadfwdListIds: ['nope-1'] });
    expect(r2.status).toBe(422);
    expect(r2.body.message).toContain('nope-1');
    expect(await count()).toBe(before);
  });

  it('rejects bodies over the size limit with 413 and malformed JSON with 400', async () => {
    const r = await stack.api('POST', '/campaigns', { ...base, html: 'x'.repeat(3 * 1024 * 1024), targetListIds: DEMO_IDS.sendableListIds });
    expect(r.status).toBe(413);
    const bad = await fetch(`${stack.service.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { Authorization: 'Bearer test-api-key-0123456789', 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'bad_json', message: 'Request body is not valid JSON' });
    // A new operator's review: curl -d sends a form type; the body went unread and the answer said "name is required".
    const form = await fetch(`${stack.service.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ ...base, targetListIds: DEMO_IDS.sendableListIds }),
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      error: 'not_json',
      message: 'The body must be JSON, sent with Content-Type: application/json (got application/x-www-form-urlencoded)',
    });
    // Without a body (an action such as pause) no type is needed.
    const empty = await fetch(`${stack.service.url}/api/v1/campaigns/none/pause`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(empty.status).toBe(404);
  });
});

describe('scheduling and lifecycle', () => {
  it('treats a send time in the past as now and sends to the seeded lists', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      targetListIds: DEMO_IDS.sendableListIds,
      sugarCampaignId: DEMO_IDS.campaigns.spring,
      sendAt: '2001-01-01T00:00:00Z',
    });
    expect(r.status).toBe(201);
    expect(Date.parse(r.body.sendAt)).toBeGreaterThan(Date.now() - 60_000);
    const done = await untilCampaign(stack.api, r.body.id, 'sent', 'demo campaign sent');
    const skipped = Object.values(done.audit.skipped as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(done.audit.candidates).toBe(done.audit.queued + skipped);
    for (const reason of ['opted_out', 'invalid', 'duplicate', 'no_address', 'exempt', 'malformed'])
      expect(done.audit.skipped[reason], reason).toBeGreaterThan(0);
    expect(done.progress.accepted).toBe(done.audit.queued);
    // Exempt lists linked to the Sugar campaign apply: the blocked address and the competitor's domain got nothing.
    const to = stack.sink.messages.flatMap((m) => m.envelope.to).map((a) => a.toLowerCase());
    expect(to).not.toContain('blocked@example.com');
    expect(to.some((a) => a.endsWith('@competitor.example'))).toBe(false);
  });

  it('finishes a campaign with zero eligible targets with a clear audit', async () => {
    const r = await stack.api('POST', '/campaigns', { ...base, targetListIds: [DEMO_IDS.lists.exempt] });
    expect(r.status).toBe(201);
    const done = await untilCampaign(stack.api, r.body.id, 'sent', 'empty campaign done');
    expect(done.audit).toMatchObject({ candidates: 0, queued: 0 });
  });

  it('pauses, resumes and cancels a scheduled campaign, and refuses impossible moves with 409', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      targetListIds: DEMO_IDS.sendableListIds,
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = r.body.id;
    await untilCampaign(stack.api, id, 'pending', 'pending');
    expect((await stack.api('POST', `/campaigns/${id}/pause`)).body.status).toBe('paused');
    expect((await stack.api('POST', `/campaigns/${id}/pause`)).status).toBe(409);
    expect((await stack.api('POST', `/campaigns/${id}/resume`)).body.status).toBe('pending');
    expect((await stack.api('POST', `/campaigns/${id}/cancel`)).body.status).toBe('cancelled');
    expect((await stack.api('POST', `/campaigns/${id}/resume`)).status).toBe(409);
    expect((await stack.api('GET', '/campaigns/does-not-exist')).status).toBe(404);
  });
});

describe('held campaigns (review before sending)', () => {
  it('extracts a held campaign but sends nothing until confirmed, then sends it with the audit it was reviewed with', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      name: 'Held',
      targetListIds: [DEMO_IDS.lists.newsletter],
      hold: true,
      sendAt: '2001-01-01T00:00:00Z',
    });
    expect(r.status).toBe(201);
    expect(r.body.held).toBe(true);
    const id = r.body.id;
    const pending = await untilCampaign(stack.api, id, 'pending', 'the held campaign extracted');
    expect(pending.audit.queued).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 600)); // several scheduler ticks with the send time long past
    expect((await stack.api('GET', `/campaigns/${id}`)).body).toMatchObject({ status: 'pending', held: true });
    expect(stack.sink.messages.filter((m) => m.raw.toString().includes('lf.' + id)).length).toBe(0);

    expect((await stack.api('POST', `/campaigns/${id}/confirm`, { sendAt: 'next tuesday' })).status).toBe(422);
    const confirmed = await stack.api('POST', `/campaigns/${id}/confirm`, {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.held).toBe(false);
    const sent = await untilCampaign(stack.api, id, 'sent', 'the confirmed campaign sent');
    expect(sent.audit).toEqual(pending.audit);
    expect(sent.progress.accepted).toBe(pending.audit.queued);
    expect((await stack.api('POST', `/campaigns/${id}/confirm`, {})).body.error).toBe('not_held');
  });

  it('refuses to confirm a held campaign that was cancelled, and a hold that is not a boolean', async () => {
    const r = await stack.api('POST', '/campaigns', { ...base, targetListIds: [DEMO_IDS.lists.newsletter], hold: true });
    expect((await stack.api('POST', `/campaigns/${r.body.id}/cancel`)).body.status).toBe('cancelled');
    const refused = await stack.api('POST', `/campaigns/${r.body.id}/confirm`, {});
    expect(refused.status).toBe(409);
    expect((await stack.api('POST', '/campaigns', { ...base, targetListIds: [DEMO_IDS.lists.newsletter], hold: 'yes' })).status).toBe(422);
  });

  it('sets a review aside only while it is held: one confirmed meanwhile stands, and the caller is told', async () => {
    const held = await stack.api('POST', '/campaigns', { ...base, targetListIds: [DEMO_IDS.lists.newsletter], hold: true, sendAt: '2099-01-01T00:00:00Z' });
    const aside = await stack.api('POST', `/campaigns/${held.body.id}/discard`);
    expect(aside.status).toBe(200);
    expect(aside.body.status).toBe('cancelled');

    // The send flow's Confirm went through, its answer was lost, and the flow sets the review aside before a new one.
    const confirmed = await stack.api('POST', '/campaigns', {
      ...base,
      targetListIds: [DEMO_IDS.lists.newsletter],
      hold: true,
      sendAt: '2099-01-01T00:00:00Z',
    });
    await untilCampaign(stack.api, confirmed.body.id, 'pending', 'the review counted');
    expect((await stack.api('POST', `/campaigns/${confirmed.body.id}/confirm`, { sendAt: '2099-01-01T00:00:00Z' })).status).toBe(200);
    const refused = await stack.api('POST', `/campaigns/${confirmed.body.id}/discard`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('not_held');
    expect((await stack.api('GET', `/campaigns/${confirmed.body.id}`)).body).toMatchObject({ status: 'pending', held: false });
  });
});

describe('test sends and header safety', () => {
  it('sends a test to given addresses outside the ledger, with injected headers neutralised', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      subject: 'Hi\r\nBcc: evil@attacker.example',
      fromName: 'Team\r\nX-Evil: 1',
      targetListIds: DEMO_IDS.sendableListIds,
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(r.status).toBe(201);
    const before = stack.sink.messages.length;
    const t = await stack.api('POST', `/campaigns/${r.body.id}/test-send`, { addresses: ['qa@example.com'] });
    expect(t.status).toBe(200);
    expect(t.body.sent).toBe(1);
    const msg = stack.sink.messages[before];
    expect(msg.envelope.to).toEqual(['qa@example.com']);
    const parsed = await PostalMime.parse(msg.raw);
    expect(parsed.headers.some((h) => h.key === 'bcc' || h.key === 'x-evil')).toBe(false);
    expect(parsed.html).not.toContain('/t/o/'); // no tracking pixel in a test send
    expect((await stack.api('GET', `/campaigns/${r.body.id}`)).body.progress.accepted).toBe(0);
  });

  it('sends a test to a Sugar test list but refuses a list that is not one', async () => {
    const r = await stack.api('POST', '/campaigns', {
      ...base,
      targetListIds: DEMO_IDS.sendableListIds,
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const ok = await stack.api('POST', `/campaigns/${r.body.id}/test-send`, { targetListId: DEMO_IDS.lists.test });
    expect(ok.status).toBe(200);
    expect(ok.body.sent).toBeGreaterThan(0);
    const refused = await stack.api('POST', `/campaigns/${r.body.id}/test-send`, { targetListId: DEMO_IDS.lists.newsletter });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('not_a_test_list');
    // An address that is an object whose toString is no function: told as such (it threw inside String(): 500).
    const odd = await stack.api('POST', `/campaigns/${r.body.id}/test-send`, { addresses: [{ toString: 1 }, 'ok@example.com'] });
    expect(odd.status).toBe(422);
    expect(odd.body).toMatchObject({ error: 'invalid_addresses', message: 'Not valid addresses: an object' });
  });
});

describe('access', () => {
  const sugarToken = async (user: string) => {
    const res = await fetch(`${stack.sim.url}/rest/v11_1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform: 'base' }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('refuses calls without credentials or with a wrong key, and never leaks the key', async () => {
    expect((await stack.api('GET', '/campaigns', undefined, { Authorization: '' })).status).toBe(401);
    const wrong = await stack.api('GET', '/campaigns', undefined, { Authorization: 'Bearer wrong-key' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('test-api-key');
  });

  it("accepts a Sugar user's token, refuses a bad one, and answers 403 to a user without Campaigns access", async () => {
    const sally = await sugarToken('sally');
    expect((await stack.api('GET', '/campaigns', undefined, { Authorization: '', 'OAuth-Token': sally })).status).toBe(200);
    expect((await stack.api('GET', '/campaigns', undefined, { Authorization: '', 'OAuth-Token': 'forged-token' })).status).toBe(401);
    const chris = await sugarToken('chris');
    const denied = await stack.api('GET', '/campaigns', undefined, { Authorization: '', 'OAuth-Token': chris });
    expect(denied.status).toBe(403);
  });

  it('answers no browser origin: the UI reaches it through Sugar (docs/relay.md), so no CORS header is ever sent', async () => {
    for (const origin of ['https://crm.example.com', 'https://evil.example']) {
      const pre = await fetch(`${stack.service.url}/api/v1/campaigns`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.status).toBe(401);
    }
  });
});

describe('Sugar directory and LeadFWD lists', () => {
  it('lists Sugar target lists with member counts and mergeable fields with custom ones', async () => {
    const lists = (await stack.api('GET', '/sugar/target-lists')).body.targetLists;
    const newsletter = lists.find((l: any) => l.id === DEMO_IDS.lists.newsletter);
    expect(newsletter).toMatchObject({ list_type: 'default', memberCount: 43 });
    const fields = (await stack.api('GET', '/sugar/fields?module=Contacts')).body.fields;
    expect(fields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['region_c', 'first_name']));
    expect(fields.find((f: any) => f.name === 'region_c').custom).toBe(true);
    expect((await stack.api('GET', '/sugar/fields?module=Bugs')).status).toBe(422);
  });

  it('imports a CSV, matches rows to Sugar records by address and reports the unmatched ones', async () => {
    const csv = 'Email,Note\nbob@example.com,x\nnobody@nowhere.example,y\nnot an address,z\n';
    const r = await stack.api('POST', '/lists', { name: 'Imported', csv });
    expect(r.status).toBe(201);
    expect(r.body.memberCount).toBe(1);
    expect(r.body.unmatched).toEqual([
      { row: 3, value: 'nobody@nowhere.example', reason: expect.stringContaining('no Contact') },
      { row: 4, value: 'not an address', reason: 'not an e-mail address' },
    ]);
    const listed = (await stack.api('GET', `/lists/${r.body.id}`)).body;
    expect(listed.members).toHaveLength(1);
  });

  it('builds a list from a Sugar filter and sends to it', async () => {
    const r = await stack.api('POST', '/lists', { name: 'EMEA contacts', module: 'Contacts', filter: [{ region_c: 'EMEA' }] });
    expect(r.status).toBe(201);
    expect(r.body.memberCount).toBeGreaterThan(0);
    const c = await stack.api('POST', '/campaigns', { ...base, leadfwdListIds: [r.body.id] });
    expect(c.status).toBe(201);
    const done = await untilCampaign(stack.api, c.body.id, 'sent', 'list campaign sent');
    expect(done.audit.candidates).toBe(r.body.memberCount);
  });
});
