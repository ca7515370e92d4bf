// Issue 17 "Must show": an A/B test whose winner is chosen on human clicks while a scanner clicks every link of the
// losing variant. Half of 40 people split between two variants; one person clicks in variant A, a security gateway
// follows every link of every message of variant B. At the decide time (fake clock) A wins and the other half of the
// audience gets A. A second test with no data yet stays undecided, says so, and sends the rest once a person chooses.
// A variant that does not render is refused at creation and nothing is made.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';
import { fakeClock, humanClick, messagesBySubject, READER_ENV, recipientsOf, scannerClick, trackingOf } from './helpers.js';

const clock = fakeClock();
let stack: Stack;
let listId: string;
const PEOPLE = 40;

const untilSent = (id: string) => untilCampaign(stack.api, id, 'sent', `${id} sent`, 30_000);
const body = (name: string, abTest: Record<string, unknown>) => ({
  name,
  subject: 'unused',
  fromName: 'News',
  fromEmail: 'news@news.example.test',
  html: '<p>Hi {{ first_name }} <a href="https://shop.example.com/a">shop</a> <a href="https://shop.example.com/b">more</a></p>',
  targetListIds: [listId],
  abTest,
});

beforeAll(async () => {
  stack = await startStack({ now: clock.now, env: READER_ENV });
  const sugar = adminClient(stack.sim.url);
  listId = await createContactList(sugar, 'Everyone', numberedAddresses('p', PEOPLE));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('A/B tests', () => {
  it('refuses a variant that does not render, and makes nothing', async () => {
    const before = (await stack.api('GET', '/campaigns')).body.total;
    const r = await stack.api(
      'POST',
      '/ab-tests',
      body('Broken', {
        variants: [{ subject: 'Fine' }, { html: '<p>{% if first_name %}never closed</p>' }],
        testShare: 0.2,
        metric: 'opens',
        decideAfterHours: 2,
      }),
    );
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/^Variant B: /);
    expect(r.body.details.variant).toBe(1);
    expect((await stack.api('GET', '/campaigns')).body.total).toBe(before);
  });

  it('asked again with its id (the first answer lost), answers the test made the first time and makes nothing more', async () => {
    const settings = { variants: [{ subject: 'One' }, { subject: 'Two' }], testShare: 0.2, metric: 'opens', decideAfterHours: 2 };
    const id = randomUUID();
    const ask = () => stack.api('POST', '/ab-tests', { ...body('Asked twice', { ...settings, id }), sendAt: '2099-01-01T00:00:00Z' });
    const first = await ask();
    expect(first.status).toBe(201);
    const before = (await stack.api('GET', '/campaigns')).body.total;
    const again = await ask();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(id);
    expect(again.body.variants.map((v: { campaignId: string }) => v.campaignId)).toEqual(first.body.variants.map((v: { campaignId: string }) => v.campaignId));
    expect((await stack.api('GET', '/campaigns')).body.total).toBe(before);
    const bad = await stack.api('POST', '/ab-tests', body('Bad id', { ...settings, id: 'not-a-uuid' }));
    expect(bad.status).toBe(422);
    for (const v of first.body.variants) await stack.api('POST', `/campaigns/${v.campaignId}/cancel`);
  });

  it('picks the variant people clicked, not the one a scanner clicked through, and sends it to the rest', async () => {
    const created = await stack.api(
      'POST',
      '/ab-tests',
      body('Spring', { variants: [{ subject: 'Variant A sale' }, { subject: 'Variant B sale' }], testShare: 0.5, metric: 'clicks', decideAfterHours: 2 }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const test = created.body;
    expect(test.variants.map((v: { name: string }) => v.name)).toEqual(['Spring – variant A', 'Spring – variant B']);
    for (const v of test.variants) await untilSent(v.campaignId);
    const a = messagesBySubject(stack, 'Variant A sale');
    const b = messagesBySubject(stack, 'Variant B sale');
    // Which addresses fall in each share depends on the test's id: about 10 each, never a fixed number.
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.length + b.length).toBeLessThan(PEOPLE);

    // One person clicks in A; a gateway follows every link of every message of B.
    expect((await humanClick((await trackingOf(a[0].raw)).links[0])).status).toBe(302);
    for (const m of b) for (const link of (await trackingOf(m.raw)).links) await scannerClick(link);
    const before = (await stack.api('GET', `/ab-tests/${test.id}`)).body;
    expect(before.variants.map((v: { humanClickers: number }) => v.humanClickers)).toEqual([1, 0]);
    expect(before.winner).toBeUndefined();

    clock.advance(2 * 3_600_000);
    const decided = await waitFor(async () => {
      const v = (await stack.api('GET', `/ab-tests/${test.id}`)).body;
      return v.rest ? v : undefined;
    }, 'the winner');
    expect(decided).toMatchObject({ winner: 0, decidedBy: 'auto', rest: { name: 'Spring – winner A' } });
    await untilSent(decided.rest.campaignId);
    const rest = recipientsOf(stack, 'Variant A sale').filter((r) => !a.some((m) => m.envelope.to[0] === r));
    expect(rest.length + a.length + b.length).toBe(PEOPLE);
    expect(recipientsOf(stack, 'Variant B sale')).toHaveLength(b.length); // B went to its test share only
    // Each part is its own Sugar Campaign.
    const sugar = adminClient(stack.sim.url);
    const sugarName = (id: string) =>
      waitFor(
        () =>
          sugar.get<{ name: string }>(`/Campaigns/${sugarIds.campaign(id)}`).then(
            (c) => c.name,
            () => undefined,
          ),
        `Sugar Campaign of ${id}`,
      );
    expect(await sugarName(test.variants[1].campaignId)).toBe('Spring – variant B');
    expect(await sugarName(decided.rest.campaignId)).toBe('Spring – winner A');
  }, 60_000);

  it('keeps the rest waiting while no variant has data, says why, and sends it when a person chooses', async () => {
    const created = await stack.api(
      'POST',
      '/ab-tests',
      body('Quiet', { variants: [{ subject: 'Quiet one' }, { subject: 'Quiet two' }], testShare: 0.3, metric: 'opens', decideAfterHours: 1 }),
    );
    expect(created.status).toBe(201);
    for (const v of created.body.variants) await untilSent(v.campaignId);
    clock.advance(3_600_000);
    const waiting = await waitFor(async () => {
      const v = (await stack.api('GET', `/ab-tests/${created.body.id}`)).body;
      return v.undecidedReason ? v : undefined;
    }, 'the undecided reason');
    expect(waiting.undecidedReason).toBe('no variant has any human opens yet');
    expect(waiting.rest).toBeNull();
    const chosen = await stack.api('POST', `/ab-tests/${created.body.id}/winner`, { variant: 1 });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body).toMatchObject({ winner: 1, decidedBy: 'the API' });
    await untilSent(chosen.body.rest.campaignId);
    expect(messagesBySubject(stack, 'Quiet two').length).toBeGreaterThan(messagesBySubject(stack, 'Quiet one').length);
    const again = await stack.api('POST', `/ab-tests/${created.body.id}/winner`, { variant: 0 });
    expect(again.status).toBe(409);
  }, 60_000);
});
