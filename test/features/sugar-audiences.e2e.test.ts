// Issue 17 "Must show": a saved-filter audience that changes between creation and send. The campaign names sally's
// saved filter; it is checked with her own token at creation, and read again at its send time (fake clock) with a
// sudo token for her on the service's platform, so the people who joined the filter since get it and those who left
// do not. A report works the same way. A deleted filter fails the campaign with the reason and sends nothing; a
// filter that is not the caller's is refused at creation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createPerson } from '../support/sugar-seed.js';

let stack: Stack;
let clock = new Date('2026-03-02T08:00:00.000Z');
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let sally: string;
const ids: Record<string, string> = {};

async function sugarToken(user: string) {
  const res = await fetch(`${stack.sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform: 'base' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
const asSally = (method: string, path: string, body?: unknown) => stack.api(method, path, body, { Authorization: '', 'OAuth-Token': sally });
async function sugarAs(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.sim.url}/rest/v11_1${path}`, {
    method,
    headers: { 'OAuth-Token': token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const campaignBody = (extra: Record<string, unknown>) => ({
  name: 'EMEA spring',
  subject: 'Hello {{ first_name }}',
  fromName: 'News',
  fromEmail: 'news@news.example.test',
  html: '<p>Hi {{ first_name }}</p>',
  ...extra,
});
const recipientsOf = (subject: string) =>
  stack.sink.messages
    .filter((m) => m.raw.toString().includes(`Subject: ${subject}`))
    .map((m) => m.envelope.to[0])
    .sort();

beforeAll(async () => {
  stack = await startStack({ now: () => clock });
  const admin = adminClient(stack.sim.url);
  for (const [name, region] of [
    ['anna', 'EMEA'],
    ['bert', 'EMEA'],
    ['carl', 'EMEA'],
    ['dora', 'APAC'],
    ['emil', 'NA'],
  ] as const)
    ids[name] = await createPerson(admin, { module: 'Contacts', first_name: name, emails: [{ address: `${name}@example.org` }], fields: { region_c: region } });
  sally = await sugarToken('sally');
  const filter = await sugarAs(sally, 'POST', '/Filters', {
    name: 'My EMEA contacts',
    module_name: 'Contacts',
    filter_definition: JSON.stringify([{ region_c: 'EMEA' }]),
  });
  expect(filter.status).toBe(200);
  ids.filter = filter.body.id;
  const report = await admin.post<{ id: string }>('/Reports', {
    name: 'NA and APAC contacts',
    module: 'Contacts',
    content: JSON.stringify({ module: 'Contacts', filter: [{ region_c: { $in: ['NA', 'APAC'] } }] }),
  });
  ids.report = report.id;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('audiences that follow Sugar', () => {
  it('a saved filter is read at send time as its creator: who joined it since gets the mail, who left it does not', async () => {
    const created = await asSally(
      'POST',
      '/campaigns',
      campaignBody({ savedFilterIds: [ids.filter], sendAt: new Date(clock.getTime() + 3_600_000).toISOString() }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.audiences).toEqual([{ kind: 'saved_filter', id: ids.filter, module: 'Contacts', name: 'My EMEA contacts' }]);
    const id = created.body.id as string;

    // Before its send time nothing is read: the campaign waits as a draft.
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await stack.api('GET', `/campaigns/${id}`)).body.status).toBe('draft');

    // Sugar changes in between: carl leaves EMEA, dora joins it, a new EMEA contact is added.
    const admin = adminClient(stack.sim.url);
    await admin.put(`/Contacts/${ids.carl}`, { region_c: 'NA' });
    await admin.put(`/Contacts/${ids.dora}`, { region_c: 'EMEA' });
    await createPerson(admin, { module: 'Contacts', first_name: 'fred', emails: [{ address: 'fred@example.org' }], fields: { region_c: 'EMEA' } });

    const before = stack.sim.requests().length;
    later(3_600_000);
    await untilCampaign(stack.api, id, 'sent', 'campaign sent', 30_000);
    expect(recipientsOf('Hello anna').concat(recipientsOf('Hello bert'), recipientsOf('Hello dora'), recipientsOf('Hello fred'))).toEqual([
      'anna@example.org',
      'bert@example.org',
      'dora@example.org',
      'fred@example.org',
    ]);
    expect(recipientsOf('Hello carl')).toEqual([]);
    expect(recipientsOf('Hello emil')).toEqual([]);

    const view = (await stack.api('GET', `/campaigns/${id}`)).body;
    expect(view.audit).toMatchObject({ candidates: 4, queued: 4 });
    expect(view.audit.sources).toEqual([{ kind: 'saved_filter', id: ids.filter, name: 'My EMEA contacts', module: 'Contacts', records: 4, readAs: 'sally' }]);
    // One sudo for sally bought the token the filter was read with.
    const calls = stack.sim.requests().slice(before);
    expect(calls.filter((r) => r.path.includes('/oauth2/sudo/sally'))).toHaveLength(1);
    expect(calls.some((r) => r.method === 'POST' && r.path.endsWith('/Contacts/filter'))).toBe(true);
  }, 60_000);

  it('a report is an audience too, its records read as the creator when the campaign goes', async () => {
    const created = await asSally('POST', '/campaigns', campaignBody({ subject: 'Report {{ first_name }}', reportIds: [ids.report] }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const view = await untilCampaign(stack.api, created.body.id, 'sent', 'sent', 30_000);
    expect(view.audit.sources).toEqual([{ kind: 'report', id: ids.report, name: 'NA and APAC contacts', module: 'Contacts', records: 2, readAs: 'sally' }]);
    expect(['Report carl', 'Report emil'].flatMap(recipientsOf)).toEqual(['carl@example.org', 'emil@example.org']);
  }, 60_000);

  it("refuses at creation a filter the caller may not read (another user's) or that does not exist", async () => {
    const admin = adminClient(stack.sim.url);
    const theirs = await admin.post<{ id: string }>('/Filters', { name: 'Admin only', module_name: 'Contacts', filter_definition: '[]' });
    for (const fid of [theirs.id, 'no-such-filter']) {
      const r = await asSally('POST', '/campaigns', campaignBody({ savedFilterIds: [fid] }));
      expect(r.status).toBe(422);
      expect(r.body.error).toBe('unknown_audience');
      expect(r.body.message).toMatch(/saved filter/);
    }
  });

  it('a filter deleted before the send time fails the campaign with the reason, and nothing is sent', async () => {
    const filter = await sugarAs(sally, 'POST', '/Filters', {
      name: 'Soon gone',
      module_name: 'Contacts',
      filter_definition: JSON.stringify([{ region_c: 'EMEA' }]),
    });
    const created = await asSally(
      'POST',
      '/campaigns',
      campaignBody({ subject: 'Gone', savedFilterIds: [filter.body.id], sendAt: new Date(clock.getTime() + 60_000).toISOString() }),
    );
    expect(created.status).toBe(201);
    expect((await sugarAs(sally, 'DELETE', `/Filters/${filter.body.id}`)).status).toBe(200);
    later(60_000);
    const failed = await waitFor(async () => {
      const v = (await stack.api('GET', `/campaigns/${created.body.id}`)).body;
      return v.status === 'failed' ? v : undefined;
    }, 'campaign failed');
    expect(failed.history.at(-1).reason).toMatch(/saved filter "Soon gone".*sally may read any more/);
    expect(stack.sink.messages.filter((m) => m.raw.toString().includes('Subject: Gone'))).toHaveLength(0);
    expect(failed.progress.queued).toBe(0);
  });
});
