// Every user acts with exactly the rights Sugar gives them (issue 11): calls go through Sugar's relay as each demo
// user, and each action an outside review found open now answers 403 or 422 with a clear error, while what the
// user may do still works. Users: sally (marketer), max (owner-only Campaigns edit, no mobile numbers), dana (views
// Campaigns and Target Lists only, no people), chris (no Campaigns), admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { pairSugar, type RelayCall, relayAs, sugarRest, sugarToken } from '../support/relay.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
const as: Record<string, RelayCall> = {};
const content = {
  subject: 'Hello {{ first_name }}',
  fromName: 'Acme',
  fromEmail: 'news@news.example.test',
  html: '<p>Hi <a href="https://acme.test/x">x</a></p>',
};
const campaign = (name: string, extra: object = {}) => ({
  name,
  ...content,
  targetListIds: [DEMO_IDS.lists.newsletter],
  sendAt: '2999-01-01T00:00:00Z',
  ...extra,
});

beforeAll(async () => {
  stack = await startStack({ sim: { seed: 'demo' }, env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  await pairSugar(stack);
  for (const u of ['sally', 'max', 'dana', 'chris', 'admin']) as[u] = await relayAs(stack, u);
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

describe('dana (no people, Campaigns view only)', () => {
  it('cannot build a LeadFWD list over Contacts, nor use counts of people as an oracle', async () => {
    const r = await as.dana('POST', '/lists', { name: 'All contacts', module: 'Contacts', filter: [] });
    expect(r).toMatchObject({ status: 403, body: { error: 'sugar_rights', message: 'Your Sugar role does not let you list Contacts' } });
    const csv = await as.dana('POST', '/lists', { name: 'CSV', csv: 'email\nbob@example.com\n' });
    expect(csv).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
  });

  it('sees target lists (Sugar lets her) but no member counts of people she cannot list', async () => {
    const r = await as.dana('GET', '/sugar/target-lists');
    expect(r.status).toBe(200);
    const newsletter = r.body.targetLists.find((l: { id: string }) => l.id === DEMO_IDS.lists.newsletter);
    expect(newsletter).toMatchObject({ name: 'Newsletter Subscribers', memberCount: null });
    expect((await as.dana('GET', '/sugar/fields?module=Contacts')).body).toMatchObject({ error: 'sugar_rights' });
  });

  it('cannot create a campaign or cancel one someone else created, and /me says so', async () => {
    expect(await as.dana('POST', '/campaigns', campaign('Dana'))).toMatchObject({
      status: 403,
      body: { error: 'sugar_rights', message: 'Your Sugar role does not let you create Campaigns' },
    });
    const sallys = await as.sally('POST', '/campaigns', campaign('Sally for dana'));
    expect(sallys.status).toBe(201);
    expect(await as.dana('POST', `/campaigns/${sallys.body.id}/cancel`)).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
    // Not in Sugar yet (scheduled for later): sally's alone, as a record she has not saved in Sugar would be.
    expect(await as.dana('GET', `/campaigns/${sallys.body.id}`)).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
    const me = await as.dana('GET', '/me');
    expect(me.body).toMatchObject({
      user: { userName: 'dana', isAdmin: false },
      can: { viewCampaigns: true, createCampaigns: false, buildLists: true, listModules: ['Accounts'] },
    });
  });
});

describe('what nobody may do', () => {
  it('lists over Users (or any module but people and accounts) are refused, for admins too', async () => {
    for (const who of ['sally', 'admin']) {
      const r = await as[who]('POST', '/lists', { name: 'Staff', module: 'Users', filter: [] });
      expect(r).toMatchObject({ status: 422, body: { error: 'module_not_allowed' } });
    }
  });

  it('secret fields are never merged or filtered on: user_hash, passwords, keys', async () => {
    const merge = await as.admin('POST', '/campaigns', campaign('Hash', { customFields: ['user_hash'] }));
    expect(merge).toMatchObject({ status: 422, body: { error: 'secret_field' } });
    const filter = await as.sally('POST', '/lists', { name: 'Oracle', module: 'Contacts', filter: [{ $or: [{ portal_password: { $starts: 'a' } }] }] });
    expect(filter).toMatchObject({ status: 422, body: { error: 'secret_field' } });
  });

  it('From must be on a sender domain of this service', async () => {
    const r = await as.sally('POST', '/campaigns', campaign('CEO', { fromName: 'The CEO', fromEmail: 'ceo@bigcorp.example' }));
    expect(r).toMatchObject({ status: 422, body: { error: 'sender_not_allowed' } });
  });
});

describe('test sends', () => {
  it('go to at most 10 addresses, say [Test] in the subject, and at most 20 an hour per user', async () => {
    const c = (await as.sally('POST', '/campaigns', campaign('Tests'))).body;
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}@example.com`);
    expect(await as.sally('POST', `/campaigns/${c.id}/test-send`, { addresses: eleven })).toMatchObject({ status: 422, body: { error: 'too_many' } });
    const one = await as.sally('POST', `/campaigns/${c.id}/test-send`, { addresses: ['qa@example.com'] });
    expect(one).toMatchObject({ status: 200, body: { sent: 1 } });
    const mail = await waitFor(() => stack.sink.messages.find((m) => m.envelope.to[0] === 'qa@example.com'), 'the test message');
    expect(mail.raw.toString()).toMatch(/^Subject: \[Test\] Hello/m);
    for (let i = 1; i < 20; i++) expect((await as.sally('POST', `/campaigns/${c.id}/test-send`, { addresses: [`qa${i}@example.com`] })).status).toBe(200);
    expect(await as.sally('POST', `/campaigns/${c.id}/test-send`, { addresses: ['qa-last@example.com'] })).toMatchObject({
      status: 429,
      body: { error: 'test_send_limit' },
    });
    // The allowance is per user: another marketer still may.
    expect((await as.admin('POST', `/campaigns/${c.id}/test-send`, { addresses: ['qa-admin@example.com'] })).status).toBe(200);
  });

  it('to a test list read as the user: dana cannot (she may not read its people), and max cannot on a campaign not his', async () => {
    const c = (await as.sally('POST', '/campaigns', campaign('Test list'))).body;
    expect((await as.dana('POST', `/campaigns/${c.id}/test-send`, { targetListId: DEMO_IDS.lists.test })).status).toBe(403);
    expect((await as.max('POST', `/campaigns/${c.id}/test-send`, { addresses: ['x@example.com'] })).body).toMatchObject({ error: 'not_your_campaign' });
  });
});

describe('max (owner-only Campaigns edit, mobile numbers hidden)', () => {
  it("may create and pause his own campaign, but not cancel sally's, before or after it has a Sugar Campaign", async () => {
    const mine = await as.max('POST', '/campaigns', campaign('Max'));
    expect(mine.status).toBe(201);
    expect(mine.body.createdBy).toEqual({ id: DEMO_IDS.users.max, userName: 'max' });
    expect((await as.max('POST', `/campaigns/${mine.body.id}/cancel`)).status).toBe(200);

    const sallys = (await as.sally('POST', '/campaigns', campaign('Sally, now', { sendAt: undefined }))).body;
    expect(await as.max('POST', `/campaigns/${sallys.id}/pause`)).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
    // Once sending starts, the Sugar Campaign exists, assigned to sally: Sugar itself now says no to max.
    const sid = sugarIds.campaign(sallys.id);
    // Sugar keeps one session per user and platform: look from another platform, or the relay's sessions would die.
    const admin = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const sugarCampaign = await waitFor(async () => {
      const r = await sugarRest(stack.sim.url, admin, 'GET', `Campaigns/${sid}?fields=id,assigned_user_id`);
      return r.status === 200 ? r.body : undefined;
    }, 'the Sugar Campaign');
    expect(sugarCampaign.assigned_user_id).toBe(DEMO_IDS.users.sally);
    const maxToken = await sugarToken(stack.sim.url, 'max', 'mobile');
    expect((await sugarRest(stack.sim.url, maxToken, 'GET', `Campaigns/${sid}?fields=id`)).body._acl).toMatchObject({ edit: 'no' });
    expect(await as.max('POST', `/campaigns/${sallys.id}/cancel`)).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
    expect((await as.sally('GET', `/campaigns/${sallys.id}`)).body.createdBy).toEqual({ id: DEMO_IDS.users.sally, userName: 'sally' });
  });

  it("neither lists, reads nor exports sally's review, held or set aside: a campaign not in Sugar yet is its creator's", async () => {
    const review = await as.sally('POST', '/campaigns', campaign('Sally review', { hold: true, sendAt: undefined }));
    expect(review.status).toBe(201);
    const id = review.body.id;
    await waitFor(async () => ((await as.sally('GET', `/campaigns/${id}`)).body.audit?.queued ?? 0) > 0, 'the review extracted');
    const refusedToMax = async () => {
      for (const path of [`/campaigns/${id}`, `/campaigns/${id}/export`, `/campaigns/${id}/people?kind=bounced`, `/campaigns/${id}/report`])
        expect(await as.max('GET', path), path).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
      for (const held of ['true', 'false']) {
        const listed = await as.max('GET', `/campaigns?held=${held}`);
        expect(listed.status).toBe(200);
        expect(listed.body.campaigns.map((c: { id: string }) => c.id)).not.toContain(id);
      }
    };
    await refusedToMax();
    expect((await as.sally('GET', `/campaigns/${id}/export`)).status).toBe(200);
    expect((await as.sally('POST', `/campaigns/${id}/discard`)).status).toBe(200);
    await refusedToMax();
    expect((await as.admin('GET', `/campaigns/${id}/export`)).status).toBe(200);
  });

  it("sees his own automation on the first page, however many newer ones of sally's he may not see", async () => {
    const steps = [{ id: 'hello', type: 'send_email', name: 'Hello', ...content }];
    const mine = await as.max('POST', '/automations', { name: 'Max onboarding', steps });
    expect(mine.status).toBe(201);
    for (const name of ['Sally one', 'Sally two']) expect((await as.sally('POST', '/automations', { name, steps })).status).toBe(201);
    for (const limit of [1, 2]) {
      const page = await as.max('GET', `/automations?limit=${limit}`);
      expect(page.body.automations.map((a: { name: string }) => a.name)).toEqual(['Max onboarding']);
    }
    expect((await as.sally('GET', '/automations?limit=2')).body.automations.map((a: { name: string }) => a.name)).toEqual(['Sally two', 'Sally one']);
  });

  it('may not merge a record field every target carries (title, names) that his role hides, by naming it in the content', async () => {
    const people = ['Contacts', 'Leads', 'Prospects'];
    stack.sim.setRole('max', { denied: {}, hiddenFields: Object.fromEntries(people.map((m) => [m, ['title']])) });
    try {
      const named = await as.max('POST', '/campaigns', campaign('Max title', { subject: 'Dear {{ title }}', hold: true }));
      expect(named).toMatchObject({ status: 403, body: { error: 'field_not_readable', details: { fields: ['title'] } } });
      const branched = await as.max('POST', '/campaigns', campaign('Max branch', { html: '<p>{% if title == "CTO" %}Hi boss{% endif %}</p>', hold: true }));
      expect(branched).toMatchObject({ status: 403, body: { error: 'field_not_readable' } });
      // Named at render time (a review's way round the check): any field may be read so.
      const computed = await as.max('POST', '/campaigns', campaign('Max computed', { html: '<p>{{ ["ti" | append: "tle"] }}</p>', hold: true }));
      expect(computed).toMatchObject({ status: 403, body: { error: 'field_not_readable', details: { fields: ['title'] } } });
      const step = { id: 'hello', type: 'send_email', name: 'Hello', ...content, html: '<p>{{ title }}</p>' };
      const automation = await as.max('POST', '/automations', { name: 'Max titles', steps: [step] });
      expect(automation).toMatchObject({ status: 403, body: { error: 'field_not_readable', details: { stepKey: '#hello' } } });
      // The word in a string, not a field: his campaign is made.
      const literal = await as.max('POST', '/campaigns', campaign('Max literal', { subject: 'Hi {{ first_name | default: "title" }}', hold: true }));
      expect(literal.status, JSON.stringify(literal.body)).toBe(201);
      expect((await as.max('POST', `/campaigns/${literal.body.id}/discard`)).status).toBe(200);
    } finally {
      stack.sim.setRole('max', undefined);
    }
  });

  it("sees no address or name his role hides in Sugar (a name shows whole or not at all): his campaign's recipients, preview and export show them blank", async () => {
    const own = await as.max('POST', '/campaigns', campaign('Max hidden addresses', { hold: true, sendAt: undefined }));
    expect(own.status).toBe(201);
    const id = own.body.id;
    await waitFor(async () => ((await as.max('GET', `/campaigns/${id}`)).body.audit?.queued ?? 0) > 0, 'the review extracted');
    const before = (await as.max('GET', `/campaigns/${id}/recipients?limit=5`)).body.recipients;
    expect(before[0].email).toMatch(/@/);
    const modules = ['Contacts', 'Leads', 'Prospects', 'Accounts'];
    stack.sim.setRole('max', { denied: {}, hiddenFields: Object.fromEntries(modules.map((m) => [m, ['email', 'email1', 'last_name', 'name']])) });
    try {
      const answer = await as.max('GET', `/campaigns/${id}/recipients?limit=5`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const after = answer.body.recipients;
      expect(after.map((r: { email: string; name: string }) => [r.email, r.name])).toEqual(before.map(() => ['', '']));
      const preview = await as.max('POST', `/campaigns/${id}/preview`, { rowId: before[0].rowId });
      expect(preview.body).toMatchObject({ to: '', name: '' });
      const csv = (await as.max('GET', `/campaigns/${id}/export`)).body as string;
      expect(csv.split('\r\n')[1]).toMatch(/^,Contacts,/);
      expect(csv).not.toMatch(/@/);
    } finally {
      stack.sim.setRole('max', undefined);
    }
    expect((await as.max('POST', `/campaigns/${id}/discard`)).status).toBe(200);
  });

  it('may not start from a Sugar Campaign he cannot edit, nor merge or filter on a field he cannot read', async () => {
    const spring = await as.max('POST', '/campaigns', campaign('Spring', { sugarCampaignId: DEMO_IDS.campaigns.spring }));
    expect(spring).toMatchObject({ status: 403, body: { error: 'not_your_campaign' } });
    const unknown = await as.max('POST', '/campaigns', campaign('Nowhere', { sugarCampaignId: 'no-such-campaign' }));
    expect(unknown).toMatchObject({ status: 422, body: { error: 'unknown_sugar_campaign' } });
    const merge = await as.max('POST', '/campaigns', campaign('Mobiles', { customFields: ['phone_mobile'] }));
    expect(merge).toMatchObject({ status: 403, body: { error: 'field_not_readable' } });
    const filter = await as.max('POST', '/lists', { name: 'Mobile oracle', module: 'Contacts', filter: [{ phone_mobile: { $starts: '+1' } }] });
    expect(filter).toMatchObject({ status: 403, body: { error: 'field_not_readable' } });
    const fields = (await as.max('GET', '/sugar/fields?module=Contacts')).body.fields.map((f: { name: string }) => f.name);
    expect(fields).not.toContain('phone_mobile');
    expect(fields).toContain('region_c');
  });
});

describe('sally (marketer) and admin', () => {
  it('sally builds a list from a filter in Sugar as herself and sends to it; the list records its creator', async () => {
    const list = await as.sally('POST', '/lists', { name: 'EMEA', module: 'Contacts', filter: [{ region_c: 'EMEA' }] });
    expect(list.status).toBe(201);
    expect(list.body.createdBy).toEqual({ id: DEMO_IDS.users.sally, userName: 'sally' });
    expect((await as.sally('GET', `/lists/${list.body.id}`)).status).toBe(200);
    // Her list holds the records her teams show her: to others it does not exist (max may list Contacts, yet Sugar may
    // hide some of hers from him; read as the service, they reached him, and he could mail them). Admin sees it.
    for (const other of [as.dana, as.max]) {
      expect(await other('GET', `/lists/${list.body.id}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
      expect((await other('GET', '/lists')).body.lists.map((l: { id: string }) => l.id)).not.toContain(list.body.id);
    }
    expect(await as.max('POST', '/campaigns', { name: 'x', ...content, leadfwdListIds: [list.body.id] })).toMatchObject({
      status: 422,
      body: { error: 'unknown_lists' },
    });
    expect(await as.dana('POST', '/campaigns', { name: 'x', ...content, leadfwdListIds: [list.body.id] })).toMatchObject({ status: 403 });
    // One built with the API key (the operator's integration) has no creator: whoever may list its modules uses it.
    const shared = await stack.api('POST', '/lists', { name: 'Nightly import', module: 'Contacts', filter: [{ region_c: 'EMEA' }] });
    expect(shared.status).toBe(201);
    expect((await as.max('GET', '/lists')).body.lists.map((l: { id: string }) => l.id)).toContain(shared.body.id);
    expect((await as.max('POST', '/campaigns', campaign('From the import', { targetListIds: [], leadfwdListIds: [shared.body.id] }))).status).toBe(201);
    expect(await as.dana('GET', `/lists/${shared.body.id}`)).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
    expect((await as.admin('GET', `/lists/${list.body.id}`)).status).toBe(200);
    const c = await as.sally('POST', '/campaigns', {
      name: 'EMEA',
      ...content,
      leadfwdListIds: [list.body.id],
      customFields: ['region_c'],
      sendAt: '2999-01-01T00:00:00Z',
    });
    expect(c.status).toBe(201);
  });

  it("admin may cancel anyone's campaign and see the write-back rows; sally may not see those", async () => {
    const c = (await as.max('POST', '/campaigns', campaign('For admin'))).body;
    expect((await as.admin('POST', `/campaigns/${c.id}/cancel`)).body.status).toBe('cancelled');
    expect((await as.admin('GET', '/writeback/dead')).status).toBe(200);
    expect(await as.sally('GET', '/writeback/dead')).toMatchObject({ status: 403, body: { error: 'admin_only' } });
  });

  it('chris is refused at the door, through the relay as directly', async () => {
    expect(await as.chris('GET', '/campaigns')).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });
});

describe('rights change in Sugar', () => {
  it('applies at the next action: sally loses Campaigns edit, then cannot pause her own campaign', async () => {
    const c = (await as.sally('POST', '/campaigns', campaign('Before'))).body;
    stack.sim.setRole('sally', { denied: { Campaigns: ['edit', 'delete'] } });
    try {
      expect(await as.sally('POST', `/campaigns/${c.id}/pause`)).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
    } finally {
      stack.sim.setRole('sally', undefined);
    }
    expect((await as.sally('POST', `/campaigns/${c.id}/cancel`)).status).toBe(200);
  });
});
