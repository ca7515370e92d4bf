// Issue 17: a saved filter as an automation's audience, read again (as its creator) at each list refresh, so a
// person who comes to match the filter later is enrolled then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createPerson } from '../support/sugar-seed.js';
import { asUser, recipientsOf, sugarToken } from './helpers.js';

let stack: Stack;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_AUTOMATION_LIST_REFRESH_MS: '300', LEADFWD_AUTOMATION_TICK_MS: '50' } });
  const admin = adminClient(stack.sim.url);
  for (const [n, region] of [
    ['anna', 'EMEA'],
    ['dora', 'APAC'],
  ] as const)
    ids[n] = await createPerson(admin, { module: 'Contacts', first_name: n, emails: [{ address: `${n}@example.org` }], fields: { region_c: region } });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an automation enrolling from a saved filter', () => {
  it('enrols whom the filter selects, and who comes to match it at a later refresh', async () => {
    const token = await sugarToken(stack, 'sally');
    const filter = await fetch(`${stack.sim.url}/rest/v11_1/Filters`, {
      method: 'POST',
      headers: { 'OAuth-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'EMEA people', module_name: 'Contacts', filter_definition: JSON.stringify([{ region_c: 'EMEA' }]) }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const r = await asUser(stack, token)('POST', '/automations', {
      name: 'EMEA welcome',
      savedFilterIds: [filter.id],
      steps: [
        { type: 'send_email', name: 'Welcome', subject: 'Welcome {{ first_name }}', fromName: 'News', fromEmail: 'news@news.example.test', html: '<p>Hi</p>' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await waitFor(() => (recipientsOf(stack, 'Welcome anna').length ? true : undefined), 'anna welcomed');
    expect(recipientsOf(stack, 'Welcome dora')).toEqual([]);
    await adminClient(stack.sim.url).put(`/Contacts/${ids.dora}`, { region_c: 'EMEA' });
    await waitFor(() => (recipientsOf(stack, 'Welcome dora').length ? true : undefined), 'dora welcomed after the refresh', 15_000);
    expect(recipientsOf(stack, 'Welcome anna')).toHaveLength(1); // enrolled once
    expect(stack.sim.requests().some((q) => q.path.includes('/oauth2/sudo/sally'))).toBe(true);
    const bad = await asUser(stack, token)('POST', '/automations', {
      name: 'x',
      savedFilterIds: ['no-such-filter'],
      steps: [{ type: 'send_email', name: 'x', subject: 'x', fromName: 'x', fromEmail: 'news@news.example.test', html: '<p>x</p>' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('unknown_audience');
  }, 60_000);

  it("refuses an editor's saved filter the automation's creator cannot read, as whom every refresh reads it", async () => {
    const sallyToken = await sugarToken(stack, 'sally');
    const adminToken = await sugarToken(stack, 'admin');
    const saveFilter = async (token: string, name: string) =>
      (
        await fetch(`${stack.sim.url}/rest/v11_1/Filters`, {
          method: 'POST',
          headers: { 'OAuth-Token': token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name, module_name: 'Contacts', filter_definition: JSON.stringify([{ region_c: 'APAC' }]) }),
        }).then((r) => r.json() as Promise<{ id: string }>)
      ).id;
    const steps = [{ id: 'hello', type: 'send_email', name: 'Hello', subject: 'x', fromName: 'x', fromEmail: 'news@news.example.test', html: '<p>x</p>' }];
    const created = await asUser(stack, sallyToken)('POST', '/automations', { name: "Sally's", steps });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const admins = await saveFilter(adminToken, "Admin's own APAC");
    const edit = (filterIds: string[], token = adminToken) =>
      asUser(stack, token)('PUT', `/automations/${created.body.id}`, { name: "Sally's", savedFilterIds: filterIds, steps });
    const refused = await edit([admins]);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error).toBe('unknown_audience');
    expect(refused.body.message).toContain('sally');
    expect(refused.body.message).toContain("Admin's own APAC");
    expect(refused.body.details).toMatchObject({ kind: 'saved_filter', id: admins, readAs: 'sally' });
    expect((await stack.service.store.automations.get(created.body.id))!.definition).not.toHaveProperty('savedFilterIds');
    // One of sally's own is readable as her: the admin may add it.
    const sallys = await saveFilter(sallyToken, "Sally's APAC");
    const kept = await edit([sallys]);
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    // sally made inactive: Sugar refuses to let the service act as her, and the edit is refused naming her, not a 5xx.
    const admin = adminClient(stack.sim.url);
    await admin.put('/Users/seed_sally_id', { status: 'Inactive' });
    try {
      const adminNow = await sugarToken(stack, 'admin'); // a login of admin's own ended the first session
      const another = await saveFilter(adminNow, "Admin's second APAC");
      const inactive = await edit([sallys, another], adminNow);
      expect(inactive.status, JSON.stringify(inactive.body)).toBe(422);
      expect(inactive.body).toMatchObject({ error: 'unknown_audience', details: { id: another, readAs: 'sally' } });
      expect(inactive.body.message).toMatch(/would not let it act as them \(inactive or deleted\)/);
    } finally {
      await admin.put('/Users/seed_sally_id', { status: 'Active' });
    }
  }, 30_000);

  it('keeps only the definition it understands: an audience of the body itself is never read', async () => {
    const token = await sugarToken(stack, 'sally');
    // Stored as given, `audiences` was read at each refresh without the checks a saved filter gets (its module, that
    // the user may see it).
    const r = await asUser(stack, token)('POST', '/automations', {
      name: 'Forged audience',
      audiences: [{ kind: 'saved_filter', id: 'forged-filter', module: 'Users', name: 'Everyone' }],
      note: 'kept nowhere',
      steps: [{ type: 'send_email', name: 'Forged', subject: 'x', fromName: 'x', fromEmail: 'news@news.example.test', html: '<p>x</p>' }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(Object.keys(r.body.definition).sort()).toEqual(['name', 'steps']);
    await new Promise((res) => setTimeout(res, 1000)); // three list refreshes
    expect(stack.sim.requests().filter((q) => q.path.includes('/Users/filter'))).toEqual([]);
  }, 30_000);

  it('reads no audience an automation stored before then kept from its body (a module no filter may select)', async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const r = await sally('POST', '/automations', {
      name: 'Stored before',
      steps: [{ type: 'send_email', name: 'Old', subject: 'x', fromName: 'x', fromEmail: 'news@news.example.test', html: '<p>x</p>' }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // What was stored before for a body {name, steps, audiences}: the body as given.
    const store = stack.service.store;
    const a = (await store.automations.get(r.body.id))!;
    await store.automations.update(a.id, {
      name: a.name,
      targetListIds: a.targetListIds,
      program: a.program,
      createdBy: a.createdBy,
      definition: { ...(a.definition as object), audiences: [{ kind: 'saved_filter', id: 'stored-forged', module: 'Users', name: 'Everyone' }] },
    });
    stack.sim.clearRequests();
    await new Promise((res) => setTimeout(res, 1000)); // three list refreshes
    expect(stack.sim.requests().filter((q) => q.path.includes('/Users/filter'))).toEqual([]);
  }, 30_000);
});
