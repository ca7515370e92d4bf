// The API and engine wired into the service, against the Sugar simulator and an SMTP sink, with a fake
// clock for the automation: a wait, a branch on a human open, each email step its own Sugar Campaign.
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { untilCampaign } from '../support/campaigns.js';
import { mailTo, type Stack, subjectsTo, useStack, waitFor } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';
import { HUMAN_UA } from '../writeback/helpers.js';

let stack: Stack;
let clock = new Date('2026-11-26T10:00:00.000Z');
const ids: Record<string, string> = {};

const api: Stack['api'] = (...args) => stack.api(...args);
const to = (addr: string) => mailTo(stack.sink, addr);
const subjects = (addr: string) => subjectsTo(stack.sink, addr);
const email = (name: string, html = `<p>${name}</p>`) => ({
  type: 'send_email',
  name,
  subject: name,
  fromName: 'Acme',
  fromEmail: 'news@news.example.test',
  html,
});

useStack(
  {
    env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_AUTOMATION_TICK_MS: '50', LEADFWD_AUTOMATION_LIST_REFRESH_MS: '200' },
    now: () => clock,
  },
  async (s) => {
    stack = s;
    const sugar = adminClient(stack.sim.url);
    ids.ann = await createPerson(sugar, { module: 'Contacts', first_name: 'Ann', emails: [{ address: 'ann@example.com' }] });
    ids.bob = await createPerson(sugar, { module: 'Leads', first_name: 'Bob', emails: [{ address: 'bob@example.com' }] });
    ids.list = await createList(sugar, 'Onboarding list');
    await addToList(sugar, ids.list, 'Contacts', [ids.ann]);
    await sugar.logout();
  },
  60_000,
);

describe('/api/v1/automations', () => {
  it('422 lists every problem and saves nothing', async () => {
    const res = await api('POST', '/automations', {
      name: 'Broken',
      targetListIds: [ids.list],
      steps: [
        { type: 'branch', on: 'opened', then: [] },
        { type: 'wait', duration: 'P6M' },
        { type: 'content_stream', name: 'S', interval: 'P1D', fromName: 'A', fromEmail: 'a@b.test', contents: [] },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('invalid_automation');
    expect(res.body.details.problems).toHaveLength(3);
    expect((await api('POST', '/automations', { name: 'X', targetListIds: ['no-such-list'], steps: [email('A')] })).body).toMatchObject({
      error: 'unknown_lists',
    });
    expect((await api('POST', '/automations', { name: 'X', steps: [email('A', '')] })).status).toBe(422);
    expect((await api('GET', '/automations')).body).toEqual({ automations: [] });
  });

  it('sends the first email, waits two days, then branches on a human open; one Sugar Campaign per email step', async () => {
    const created = await api('POST', '/automations', {
      name: 'Onboarding',
      targetListIds: [],
      steps: [email('Welcome'), { type: 'wait', duration: 'P2D' }, { type: 'branch', on: 'opened', then: [email('Thanks')], else: [email('Reminder')] }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const enrol = await api('POST', `/automations/${id}/enrol`, {
      targets: [
        { module: 'Contacts', id: ids.ann, email: 'ann@example.com' },
        { module: 'Leads', id: ids.bob, email: 'bob@example.com' },
      ],
    });
    expect(enrol.body).toEqual({ enrolled: 2, skipped: [] });
    expect((await api('POST', `/automations/${id}/enrol`, { targets: [{ module: 'Contacts', id: ids.ann, email: 'ann@example.com' }] })).body.enrolled).toBe(0);
    expect((await api('POST', `/automations/${id}/enrol`, { targets: [{ module: 'Nope', id: '1' }] })).status).toBe(422);

    await waitFor(() => to('ann@example.com').length === 1 && to('bob@example.com').length === 1, 'the welcome emails');
    const html = (await PostalMime.parse(to('ann@example.com')[0].raw)).html!;
    const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => (await api('GET', `/automations/${id}`)).body.steps[0].engagement?.opened === 1, 'the open counted');

    clock = new Date(clock.getTime() + 2 * 86_400_000);
    await waitFor(() => to('ann@example.com').length === 2 && to('bob@example.com').length === 2, 'the branch emails');
    expect(subjects('ann@example.com')).toEqual(['Welcome', 'Thanks']);
    expect(subjects('bob@example.com')).toEqual(['Welcome', 'Reminder']);

    const view = (await api('GET', `/automations/${id}`)).body;
    expect(view).toMatchObject({ name: 'Onboarding', status: 'active', enrolments: { active: 0, done: 2, left: 0 } });
    expect(view.steps.map((s: any) => [s.type, s.name, s.passed ?? s.waiting])).toEqual([
      ['send_email', 'Welcome', 2],
      ['wait', undefined, 0],
      ['send_email', 'Thanks', 1],
      ['send_email', 'Reminder', 1],
    ]);
    const names = await waitFor(() => {
      const rows = stack.sim.db.prepare("SELECT name FROM campaigns WHERE name LIKE 'Onboarding – %' ORDER BY name").pluck().all() as string[];
      return rows.length === 3 ? rows : undefined;
    }, 'three Sugar campaigns');
    expect(names).toEqual(['Onboarding – Reminder', 'Onboarding – Thanks', 'Onboarding – Welcome']);
    const sugarId = (name: string) => stack.sim.db.prepare('SELECT id FROM campaigns WHERE name = ?').pluck().get(name) as string;
    const log = (name: string, expected: Record<string, number>) =>
      waitFor(() => {
        const c = stack.sim.campaignLogCounts(sugarId(name));
        return JSON.stringify(c) === JSON.stringify(expected) ? c : undefined;
      }, `CampaignLog of ${name}`);
    await log('Onboarding – Welcome', { targeted: 2, viewed: 1 });
    await log('Onboarding – Thanks', { targeted: 1 });
    await log('Onboarding – Reminder', { targeted: 1 });
    // Step campaigns stay open for targets who reach the step later.
    // Each names its automation, and refuses to be paused or cancelled on its own (the automation is the control).
    for (const s of view.steps.filter((x: any) => x.campaignId)) {
      const c = (await api('GET', `/campaigns/${s.campaignId}`)).body;
      expect(c).toMatchObject({ status: 'sending', automation: { automationId: id, automationName: 'Onboarding', stepKey: s.key } });
      const refused = await api('POST', `/campaigns/${s.campaignId}/cancel`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error: 'automation_step', details: { automationId: id } });
      expect((await api('GET', `/campaigns/${s.campaignId}`)).body.status).toBe('sending');
    }
  });

  it('enrols the members of its Sugar lists, and members added later at the next read', async () => {
    const created = await api('POST', '/automations', { name: 'From the list', targetListIds: [ids.list], steps: [email('Listed')] });
    expect(created.status).toBe(201);
    await waitFor(() => to('ann@example.com').some((m) => /^Subject: Listed/m.test(m.raw.toString())), 'the list member mailed');
    const sugar = adminClient(stack.sim.url);
    ids.cat = await createPerson(sugar, { module: 'Contacts', first_name: 'Cat', emails: [{ address: 'cat@example.com' }] });
    await addToList(sugar, ids.list, 'Contacts', [ids.cat]);
    await sugar.logout();
    await waitFor(() => to('cat@example.com').length === 1, 'the new member mailed');
    const view = (await api('GET', `/automations/${created.body.id}`)).body;
    expect(view.enrolments).toEqual({ active: 0, done: 2, left: 0 });
    expect(to('ann@example.com').filter((m) => /^Subject: Listed/m.test(m.raw.toString()))).toHaveLength(1);
    // Stopped: its step campaign finishes like any campaign once its ledger is empty.
    expect((await api('POST', `/automations/${created.body.id}/stop`)).body.status).toBe('stopped');
    await untilCampaign(api, view.steps[0].campaignId, 'sent', 'the step campaign sent');
  });

  it('pause, resume and stop are checked transitions', async () => {
    const id = (await api('POST', '/automations', { name: 'Short', steps: [email('Only')] })).body.id;
    expect((await api('POST', `/automations/${id}/resume`)).status).toBe(409);
    expect((await api('POST', `/automations/${id}/pause`)).body.status).toBe('paused');
    expect((await api('POST', `/automations/${id}/resume`)).body.status).toBe('active');
    expect((await api('POST', `/automations/${id}/stop`)).body.status).toBe('stopped');
    expect((await api('POST', `/automations/${id}/enrol`, { targets: [{ module: 'Contacts', id: 'x', email: 'x@example.com' }] })).status).toBe(409);
    expect((await api('GET', '/automations/nope')).status).toBe(404);
    expect((await api('GET', '/automations')).body.automations.map((a: any) => a.name).sort()).toEqual(['From the list', 'Onboarding', 'Short']);
  });
  it('edits an automation: nobody gets a step twice, and the edited email goes out from a campaign of its own', async () => {
    const sugar = adminClient(stack.sim.url);
    ids.dee = await createPerson(sugar, { module: 'Contacts', first_name: 'Dee', emails: [{ address: 'dee@example.com' }] });
    ids.eve = await createPerson(sugar, { module: 'Contacts', first_name: 'Eve', emails: [{ address: 'eve@example.com' }] });
    await sugar.logout();
    const body = (first: string) => ({
      name: 'Edited',
      steps: [
        { ...email(first), id: 'hello' },
        { type: 'wait', duration: 'P1D', id: 'pause' },
        { ...email('Later'), id: 'later' },
      ],
    });
    const id = (await api('POST', '/automations', body('Hello'))).body.id;
    await api('POST', `/automations/${id}/enrol`, { targets: [{ module: 'Contacts', id: ids.dee, email: 'dee@example.com' }] });
    await waitFor(() => subjects('dee@example.com').includes('Hello') || undefined, 'Dee mailed the first version');
    const firstCampaign = (await api('GET', `/automations/${id}`)).body.steps[0].campaignId;

    expect((await api('PUT', `/automations/${id}`, { name: 'Edited', steps: [] })).status).toBe(422);
    const edited = await api('PUT', `/automations/${id}`, body('Hello again'));
    expect(edited.status).toBe(200);
    expect(edited.body.steps[0]).toMatchObject({ key: '#hello', subject: 'Hello again' });
    await api('POST', `/automations/${id}/enrol`, { targets: [{ module: 'Contacts', id: ids.eve, email: 'eve@example.com' }] });
    await waitFor(() => subjects('eve@example.com').includes('Hello again') || undefined, 'Eve mailed the edited version');
    const stepCampaign = (await api('GET', `/automations/${id}`)).body.steps[0].campaignId;
    expect(stepCampaign).not.toBe(firstCampaign);
    const editedName = (await api('GET', `/campaigns/${stepCampaign}`)).body.name as string;
    expect(editedName).toMatch(/^Edited – Hello again \(edited \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    // Sugar gets the edited email as a Campaign of its own, beside the first version's.
    const sugarCampaign = (name: string) =>
      stack.sim.db.prepare('SELECT id FROM campaigns WHERE name = ? AND deleted = 0').pluck().get(name) as string | undefined;
    await waitFor(() => {
      const [a, b] = ['Edited – Hello', editedName].map(sugarCampaign);
      return (a && b && stack.sim.campaignLogCounts(a).targeted === 1 && stack.sim.campaignLogCounts(b).targeted === 1) || undefined;
    }, 'one Sugar Campaign per version, each with its one target');
    await untilCampaign(api, firstCampaign, 'sent', 'the replaced step campaign finished');

    // A day on, both reach the second email; Dee, who passed the edited step, never got it again.
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    await waitFor(() => (subjects('dee@example.com').includes('Later') && subjects('eve@example.com').includes('Later')) || undefined, 'both mailed Later');
    expect(subjects('dee@example.com')).toEqual(['Hello', 'Later']);
    expect(subjects('eve@example.com')).toEqual(['Hello again', 'Later']);
    // Once it has sent, every step needs an id: a position could be given to another step by the edit.
    const unnamed = await api('PUT', `/automations/${id}`, { name: 'Edited', steps: [{ ...email('Hello again'), id: 'hello' }, email('New, no id')] });
    expect(unnamed).toMatchObject({ status: 422, body: { error: 'invalid_automation', details: { problems: ['steps[1] needs an id'] } } });
    expect((await api('POST', `/automations/${id}/stop`)).body.status).toBe('stopped');
    expect((await api('PUT', `/automations/${id}`, body('Too late'))).status).toBe(409);

    // An automation that sent steps without ids cannot be edited at all: nobody could tell which step a target passed.
    const plain = (await api('POST', '/automations', { name: 'No ids', steps: [email('First'), email('Second')] })).body.id;
    await api('POST', `/automations/${plain}/enrol`, { targets: [{ module: 'Contacts', id: ids.eve, email: 'eve@example.com' }] });
    await waitFor(() => subjects('eve@example.com').includes('Second') || undefined, 'the plain automation sent');
    const refused = await api('PUT', `/automations/${plain}`, { name: 'No ids', steps: [email('Inserted'), email('First'), email('Second')] });
    expect(refused).toMatchObject({ status: 409, body: { error: 'not_editable' } });
  });
});
