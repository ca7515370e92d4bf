// Issue 17 "Must show": a non-opener follow-up that skips human openers and offers MPP-only openers as a choice.
// Six people get a campaign; ann opens it, ben clicks (a click is an open), cat's only open is an Apple MPP prefetch,
// dan and eve do nothing (a scanner follows eve's link: not a person), fay opts out in Sugar. The follow-up counts
// show the choice; two follow-ups three days later (fake clock) go to the non-openers read then (dan, who opened in
// the meantime, is left out), one with the MPP-only opener and one without. Each has its own Sugar Campaign naming
// the first one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';
import { fakeClock, humanClick, humanOpen, messagesBySubject, mppOpen, READER_ENV, recipientsOf, scannerClick, trackingOf } from './helpers.js';

const clock = fakeClock();
let stack: Stack;
let firstId: string;
const people: Record<string, string> = {};
const NAMES = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];

const statusOf = async (id: string) => (await stack.api('GET', `/campaigns/${id}`)).body.status as string;
const untilSent = (id: string) => untilCampaign(stack.api, id, 'sent', `${id} sent`, 30_000);

beforeAll(async () => {
  stack = await startStack({ now: clock.now, env: READER_ENV });
  const sugar = adminClient(stack.sim.url);
  for (const n of NAMES) people[n] = await createPerson(sugar, { module: 'Contacts', first_name: n, emails: [{ address: `${n}@example.org` }] });
  const list = await createList(sugar, 'Spring');
  await addToList(sugar, list, 'Contacts', Object.values(people));
  const html = '<p>Hi {{ first_name }}, <a href="https://shop.example.com/spring">see the sale</a></p>';
  const r = await stack.api('POST', '/campaigns', campaignBody([list], { name: 'Spring sale', subject: 'Spring sale', html }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  firstId = r.body.id;
  await untilSent(firstId);
  const mail = Object.fromEntries(messagesBySubject(stack, 'Spring sale').map((m) => [m.envelope.to[0], m.raw]));
  const t = async (n: string) => trackingOf(mail[`${n}@example.org`]);
  expect((await humanOpen((await t('ann')).pixel)).status).toBe(200);
  expect((await humanClick((await t('ben')).links[0])).status).toBe(302);
  expect((await mppOpen((await t('cat')).pixel)).status).toBe(200);
  await scannerClick((await t('eve')).links[0]);
  await sugar.put(`/Contacts/${people.fay}`, { email: [{ email_address: 'fay@example.org', primary_address: true, opt_out: true }] });
  // Dan opens a day later: after the follow-ups were planned, before they go.
  clock.days(1);
  await humanOpen((await t('dan')).pixel);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('resend to non-openers', () => {
  it("shows who a follow-up would reach: human openers apart, MPP-only openers as the person's choice", async () => {
    const r = await stack.api('GET', `/campaigns/${firstId}/follow-up`);
    expect(r.status).toBe(200);
    // ann, ben, dan opened (ben by his click); cat only through MPP; eve and fay not at all (the scanner is no one).
    expect(r.body).toMatchObject({ accepted: 6, humanOpeners: 3, mppOnly: 1, noOpen: 2, humanClickers: 1 });
  });

  it('asks for the MPP choice, and only a sent campaign has a follow-up', async () => {
    const missing = await stack.api('POST', `/campaigns/${firstId}/follow-up`, { subject: 'Did you miss it?' });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toMatch(/mppOnly/);
    const list = (await stack.api('GET', `/campaigns/${firstId}`)).body.targetListIds[0];
    const held = await stack.api('POST', '/campaigns', campaignBody([list], { name: 'Not yet', hold: true }));
    const early = await stack.api('POST', `/campaigns/${held.body.id}/follow-up`, { subject: 'x', mppOnly: 'exclude' });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('invalid_transition');
  });

  it('sends each follow-up at its time to whom nobody opened for then, with or without the MPP-only openers', async () => {
    const without = await stack.api('POST', `/campaigns/${firstId}/follow-up`, { subject: 'Did you miss it?', afterDays: 3, mppOnly: 'exclude' });
    expect(without.status, JSON.stringify(without.body)).toBe(201);
    expect(without.body).toMatchObject({
      name: 'Spring sale – follow-up',
      status: 'draft',
      followUpOf: { campaignId: firstId, name: 'Spring sale', criterion: 'not_opened', mppOnly: 'exclude' },
    });
    const withMpp = await stack.api('POST', `/campaigns/${firstId}/follow-up`, {
      subject: 'Last chance',
      name: 'Spring sale – last chance',
      afterDays: 3,
      mppOnly: 'include',
    });
    expect(withMpp.status).toBe(201);
    const first = (await stack.api('GET', `/campaigns/${firstId}`)).body;
    expect(without.body.sendAt).toBe(new Date(Date.parse(first.sendAt) + 3 * 86_400_000).toISOString());

    await new Promise((r) => setTimeout(r, 800));
    expect(await statusOf(without.body.id)).toBe('draft');
    clock.days(2);
    await untilSent(without.body.id);
    await untilSent(withMpp.body.id);
    // fay opted out in Sugar since: read again, skipped. dan opened in the meantime: not a non-opener any more.
    expect(recipientsOf(stack, 'Did you miss it?')).toEqual(['eve@example.org']);
    expect(recipientsOf(stack, 'Last chance')).toEqual(['cat@example.org', 'eve@example.org']);
    const view = (await stack.api('GET', `/campaigns/${withMpp.body.id}`)).body;
    expect(view.audit).toMatchObject({ candidates: 3, queued: 2, skipped: { opted_out: 1 } });
    expect(view.audit.sources).toEqual([{ kind: 'follow_up', id: firstId, name: 'Spring sale', records: 3 }]);

    // Its own Sugar Campaign, which names the first one.
    const sugar = adminClient(stack.sim.url);
    const own = await waitFor(
      () => sugar.get<{ name: string; content: string }>(`/Campaigns/${sugarIds.campaign(withMpp.body.id)}`).catch(() => undefined),
      'the Sugar Campaign of the follow-up',
    );
    expect(own.name).toBe('Spring sale – last chance');
    expect(own.content).toContain(`Follow-up to the Sugar Campaign "Spring sale" (${sugarIds.campaign(firstId)})`);
    expect(own.content).toContain('Apple Mail Privacy Protection-only openers included');
  }, 60_000);
});
