// Issue 13 part 2, the service behind the LeadFWD area, through Sugar's relay as each demo user: the campaign list's
// filters, total and automation grouping; the report's providers, lists of people and CSV export; the operator's
// choice for uncertain messages (audited, in the history, Sugar told); what dana (views only) and max (owner-only)
// may do there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/server.js';
import { untilCampaign } from '../support/campaigns.js';
import { pairSugar, type RelayCall, relayAs } from '../support/relay.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList } from '../support/sugar-seed.js';

let stack: Stack;
const as: Record<string, RelayCall> = {};
let listId = '';
const ADDRESSES = ['ann@gmail.com', 'bob@outlook.com', 'cy@yahoo.com', 'dee@icloud.com', 'eve@example.org', 'flo@hotmail.com'];
/** The first hand-off to these is lost after DATA (uncertain); later ones are taken. */
const DROP_ONCE = new Set(['dee@icloud.com', 'flo@hotmail.com']);
/** The sink asks at RCPT and again at the end of DATA: a first delivery is the first two questions. */
const asked = new Map<string, number>();

const content = {
  subject: 'Hello {{ first_name }}',
  fromName: 'Acme',
  fromEmail: 'news@news.example.test',
  html: '<p>Hi <a href="https://acme.test/x">x</a></p>',
};

beforeAll(async () => {
  stack = await startStack({
    sim: { seed: 'demo' },
    env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0', LEADFWD_SEND_THREADS: '0' },
    sink: {
      behaviour: (rcpt) => {
        if (rcpt === 'cy@yahoo.com') return { code: 550, message: '5.1.1 No such user' };
        asked.set(rcpt, (asked.get(rcpt) ?? 0) + 1);
        return DROP_ONCE.has(rcpt) && asked.get(rcpt)! <= 2 ? 'drop-after-data' : 'accept';
      },
    },
  });
  await pairSugar(stack);
  for (const u of ['sally', 'max', 'dana']) as[u] = await relayAs(stack, u);
  const sugar = adminClient(stack.sim.url);
  listId = await createContactList(sugar, 'Providers', ADDRESSES);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const create = (user: string, name: string, extra: object = {}) =>
  as[user]('POST', '/campaigns', { name, ...content, targetListIds: [listId], sendAt: '2999-01-01T00:00:00Z', ...extra });

describe('GET /campaigns: filters, a total, and automations grouped apart', () => {
  it('filters by status, text, sender, send time, Sugar Campaign and list, pages with a total, and refuses a bad filter', async () => {
    const spring = await create('sally', 'Spring offer', { sendAt: '2998-03-01T09:00:00Z', sugarCampaignId: DEMO_IDS.campaigns.spring });
    const autumn = await create('sally', 'Autumn offer', {
      fromEmail: 'team@news.example.test',
      subject: 'Spring is over',
      targetListIds: [listId, DEMO_IDS.lists.newsletter],
    });
    expect([spring.status, autumn.status]).toEqual([201, 201]);
    await untilCampaign(as.sally, autumn.body.id, 'pending', 'extraction');
    const list = async (q: string) => (await as.sally('GET', `/campaigns?${q}`)).body;
    expect((await list('q=SPRING')).campaigns.map((c: { name: string }) => c.name)).toEqual(['Autumn offer', 'Spring offer']);
    expect((await list('fromEmail=Team@news.example.test')).campaigns.map((c: { name: string }) => c.name)).toEqual(['Autumn offer']);
    expect((await list('sentBefore=2998-12-31T00:00:00Z')).campaigns.map((c: { name: string }) => c.name)).toEqual(['Spring offer']);
    const page = await list('limit=1&offset=1&q=offer');
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.campaigns.map((c: { name: string }) => c.name)).toEqual(['Spring offer']);
    expect((await list('status=pending,sending&q=offer')).total).toBe(2);
    expect((await list('status=sent&q=offer')).total).toBe(0);
    // A quote the browser leaves as it is, relayed and signed as sent (the simulator's fetch percent-encodes it).
    expect((await list("q=O'Brien")).total).toBe(0);
    // What a dashlet on a Sugar Campaign or Target List asks for: its own campaigns only, however many others came since.
    expect((await list(`sugarCampaignId=${DEMO_IDS.campaigns.spring}&q=offer`)).campaigns.map((c: { name: string }) => c.name)).toEqual(['Spring offer']);
    expect((await list(`targetListId=${DEMO_IDS.lists.newsletter}&q=offer`)).campaigns.map((c: { name: string }) => c.name)).toEqual(['Autumn offer']);
    expect((await list(`targetListId=${listId}&q=offer`)).total).toBe(2);
    const bad = await as.sally('GET', '/campaigns?status=shipped&sentAfter=soon&targetListId=not%20an%20id');
    expect(bad).toMatchObject({ status: 422, body: { error: 'invalid_input' } });
    expect(bad.body.details.problems).toEqual([
      expect.stringMatching(/^status must be a comma-separated list of/),
      'sentAfter must be an ISO 8601 date-time',
      'targetListId must be an id',
    ]);
    for (const c of [spring, autumn]) await as.sally('POST', `/campaigns/${c.body.id}/cancel`);
  });

  it("keeps an automation's step campaigns out of the list unless asked for that automation", async () => {
    const a = await as.sally('POST', '/automations', {
      name: 'Grouped',
      targetListIds: [DEMO_IDS.lists.newsletter],
      steps: [{ id: 'hello', type: 'send_email', name: 'Hello', ...content }],
    });
    expect(a.status).toBe(201);
    const step = await waitFor(async () => (await as.sally('GET', `/automations/${a.body.id}`)).body.steps[0].campaignId ?? undefined, 'the step campaign');
    const all = (await as.sally('GET', '/campaigns?limit=500')).body.campaigns.map((c: { id: string }) => c.id);
    expect(all).toContain(step);
    expect((await as.sally('GET', '/campaigns?automation=none&limit=500')).body.campaigns.map((c: { id: string }) => c.id)).not.toContain(step);
    const only = (await as.sally('GET', `/campaigns?automation=${a.body.id}&figures=true`)).body;
    expect(only.campaigns.map((c: { id: string }) => c.id)).toEqual([step]);
    expect(only.campaigns[0].figures).toEqual({ accepted: expect.any(Number), opened: 0, clicked: 0, bounced: 0, optedOut: 0, complaints: 0 });
    // The builder edits the body it was created with, step ids included; sally may change it, dana may only look.
    const view = (await as.sally('GET', `/automations/${a.body.id}`)).body;
    expect(view).toMatchObject({ mayEdit: true, definition: { name: 'Grouped', steps: [{ id: 'hello', type: 'send_email' }] } });
    expect((await as.dana('GET', `/automations/${a.body.id}`)).body.mayEdit).toBe(false);
    await as.sally('POST', `/automations/${a.body.id}/stop`);
  });

  it('names the step of an email that does not compile or sends from a domain it may not', async () => {
    const steps = (second: object) => [
      { id: 'one', type: 'send_email', name: 'One', ...content },
      { type: 'wait', duration: 'PT1H' },
      { id: 'two', type: 'send_email', name: 'Two', ...content, ...second },
    ];
    const mjml = await as.sally('POST', '/automations', {
      name: 'Broken',
      steps: steps({ html: undefined, mjml: '<mjml><mj-body><mj-text>x</mj-body></mjml>' }),
    });
    expect(mjml).toMatchObject({ status: 422, body: { error: 'invalid_template', details: { stepKey: '#two', errors: expect.any(Array) } } });
    const sender = await as.sally('POST', '/automations', { name: 'Elsewhere', steps: steps({ fromEmail: 'me@elsewhere.example' }) });
    expect(sender).toMatchObject({ status: 422, body: { error: 'sender_not_allowed', details: { stepKey: '#two', senderDomains: expect.any(Array) } } });
  });
});

describe('the report, its people and the export', () => {
  let id = '';
  let rows: Array<{ rowId: number; email: string }> = [];

  it('sends, with one relay refusal (hard bounce) and two uncertain hand-offs', async () => {
    const c = await create('sally', 'Providers test', { sendAt: undefined });
    expect(c.status).toBe(201);
    id = c.body.id;
    await untilCampaign(as.sally, id, 'sent', 'sent', 30_000);
    const view = (await as.sally('GET', `/campaigns/${id}`)).body;
    expect(view.progress).toMatchObject({ accepted: 3, failed: 1, uncertain: 2 });
    expect(view.mayEdit).toBe(true);
    rows = (await as.sally('GET', `/campaigns/${id}/recipients?limit=10`)).body.recipients;
  });

  it('groups results by mailbox provider: Gmail, Outlook (two domains), Yahoo, Apple, other', async () => {
    const r = (await as.sally('GET', `/campaigns/${id}/report`)).body;
    expect(r.providers.map((p: { provider: string }) => p.provider)).toEqual(['google', 'microsoft', 'yahoo', 'apple', 'other']);
    const by = Object.fromEntries(r.providers.map((p: { provider: string }) => [p.provider, p]));
    expect(by.google).toMatchObject({ recipients: 1, accepted: 1 });
    expect(by.microsoft).toMatchObject({ recipients: 2, accepted: 1, uncertain: 1 });
    expect(by.yahoo).toMatchObject({ recipients: 1, failed: 1, hardBounces: 1 });
    expect(by.apple).toMatchObject({ recipients: 1, uncertain: 1 });
    expect(by.other).toMatchObject({ recipients: 1, accepted: 1 });
  });

  it('lists bounces and uncertain messages as Sugar records; a reader without Contacts sees none of them, only a count', async () => {
    const bounced = (await as.sally('GET', `/campaigns/${id}/people?kind=bounced`)).body;
    expect(bounced).toMatchObject({ kind: 'bounced', total: 1, hidden: 0 });
    expect(bounced.people[0]).toMatchObject({ email: 'cy@yahoo.com', name: 'P2 Tester', module: 'Contacts', fact: 'hard_bounce' });
    const uncertain = (await as.sally('GET', `/campaigns/${id}/people?kind=uncertain`)).body;
    expect(uncertain.people.map((p: { email: string }) => p.email).sort()).toEqual(['dee@icloud.com', 'flo@hotmail.com']);
    const dana = (await as.dana('GET', `/campaigns/${id}/people?kind=bounced`)).body;
    expect(dana).toMatchObject({ total: 0, hidden: 1, people: [] });
    expect((await as.sally('GET', `/campaigns/${id}/people?kind=everyone`)).body).toMatchObject({ error: 'invalid_input' });
  });

  it('exports one CSV row per recipient, as text/csv through the relay; dana may not export', async () => {
    const csv = await as.sally('GET', `/campaigns/${id}/export`);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('email,module,record_id,state,accepted_at,opens,clicks,bounce,opted_out,complaint');
    expect(lines).toHaveLength(7);
    expect(lines.find((l) => l.startsWith('cy@yahoo.com'))).toMatch(/^cy@yahoo\.com,Contacts,[\w-]+,failed,,0,0,hard,no,no$/);
    expect(await as.dana('GET', `/campaigns/${id}/export`)).toMatchObject({ status: 403, body: { error: 'sugar_rights' } });
  });

  it("max may not decide on sally's uncertain messages; a bad body is refused and names the problem", async () => {
    expect(await as.max('POST', `/campaigns/${id}/uncertain`, { action: 'accepted', all: true })).toMatchObject({
      status: 403,
      body: { error: 'not_your_campaign' },
    });
    const bad = await as.sally('POST', `/campaigns/${id}/uncertain`, { action: 'later', rowIds: [] });
    expect(bad).toMatchObject({ status: 422, body: { error: 'invalid_input' } });
    expect(bad.body.details.problems).toEqual(['action must be "accepted" or "resend"', 'rowIds must name at least one row']);
    expect((await as.sally('GET', `/campaigns/${id}`)).body.progress.uncertain).toBe(2);
  });

  it('marks one as accepted: never resent, Sugar gets its targeted row, the history says who', async () => {
    const dee = rows.find((r) => r.email === 'dee@icloud.com')!;
    const r = await as.sally('POST', `/campaigns/${id}/uncertain`, { action: 'accepted', rowIds: [dee.rowId] });
    expect(r).toMatchObject({ status: 200, body: { action: 'accepted', changed: 1 } });
    const view = (await as.sally('GET', `/campaigns/${id}`)).body;
    expect(view.status).toBe('sent');
    expect(view.progress).toMatchObject({ accepted: 4, uncertain: 1 });
    expect(view.history.at(-1)).toMatchObject({ status: 'sent', reason: '1 uncertain message marked as accepted (not resent) by sally' });
    const listed = (await as.sally('GET', `/campaigns/${id}/people?kind=uncertain`)).body.people;
    expect(listed.find((p: { email: string }) => p.email === 'dee@icloud.com').resolution).toEqual({ action: 'accepted', by: 'sally', at: expect.any(String) });
    await waitFor(async () => (await stack.api('GET', `/campaigns/${id}`)).body.writeback.pending === 0 || undefined, 'the write-back');
    expect(stack.sim.campaignLogCounts(view.sugarCampaignId)).toMatchObject({ targeted: 4 });
    expect(stack.sink.messages.filter((m) => m.envelope.to[0] === 'dee@icloud.com')).toHaveLength(0);
  });

  it('sends the rest again now: the sent campaign sends once more and is sent again', async () => {
    const r = await as.sally('POST', `/campaigns/${id}/uncertain`, { action: 'resend', all: true });
    expect(r.body).toEqual({ action: 'resend', changed: 1 });
    await waitFor(async () => stack.sink.messages.some((m) => m.envelope.to[0] === 'flo@hotmail.com') || undefined, 'the resent message');
    const view = await waitFor(async () => {
      const v = (await as.sally('GET', `/campaigns/${id}`)).body;
      return v.status === 'sent' && v.progress.uncertain === 0 ? v : undefined;
    }, 'sent again');
    expect(view.progress).toMatchObject({ accepted: 5, failed: 1, uncertain: 0, queued: 0 });
    const statuses = view.history.map((h: { status: string }) => h.status);
    expect(statuses.slice(-3)).toEqual(['sent', 'sending', 'sent']);
    expect(view.history.at(-2).reason).toBe('1 uncertain message sent again by sally');
    // Nothing left to decide: the same call again changes nothing and writes nothing.
    expect((await as.sally('POST', `/campaigns/${id}/uncertain`, { action: 'resend', all: true })).body).toEqual({ action: 'resend', changed: 0 });
    expect((await as.sally('GET', `/campaigns/${id}`)).body.history).toHaveLength(view.history.length);
  });
});
