// Issue 17: the winner of an automation's split step. Twenty people split between two welcomes; one person clicks in
// path A while a security gateway follows every link of every message of path B. Two hours after the split's first
// send (fake clock) A wins on people's clicks, and people enrolled afterwards get A only. A second split with no
// data yet stays undecided, says why, keeps splitting, and takes the path a person chooses by hand.
import { describe, expect, it } from 'vitest';
import { createAutomation } from '../support/campaigns.js';
import { type Stack, waitFor } from '../support/stack.js';
import { adminClient, createPerson } from '../support/sugar-seed.js';
import { fakeClock, humanClick, messagesBySubject, READER_ENV, recipientsOf, scannerClick, trackingOf, useStackWithPeople } from './helpers.js';

const clock = fakeClock();
let stack: Stack;
let listId: string;
const PEOPLE = 20;
const email = (id: string, subject: string) => ({
  type: 'send_email',
  id,
  name: subject,
  subject,
  fromName: 'News',
  fromEmail: 'news@news.example.test',
  html: '<p>Hi <a href="https://shop.example.com/a">shop</a> <a href="https://shop.example.com/b">more</a></p>',
});
type SplitView = {
  key: string;
  winner: number | null;
  decidedBy: string | null;
  undecidedReason: string | null;
  decideAt: string | null;
  paths: Array<{ label: string; humanClickers: number; accepted: number; rate: number }>;
};
const splitOf = async (id: string) => ((await stack.api('GET', `/automations/${id}`)).body.splits as SplitView[])[0];

/** Later arrivals: people enrolled through the API after the decision. */
async function enrolNew(automationId: string, prefix: string, n: number) {
  const sugar = adminClient(stack.sim.url);
  const targets = [];
  for (let i = 0; i < n; i++) {
    const address = `${prefix}${i}@example.org`;
    targets.push({
      module: 'Contacts',
      id: await createPerson(sugar, { module: 'Contacts', first_name: `${prefix}${i}`, emails: [{ address }] }),
      email: address,
    });
  }
  const r = await stack.api('POST', `/automations/${automationId}/enrol`, { targets });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.enrolled).toBe(n);
  return targets.map((t) => t.email);
}

useStackWithPeople({ now: clock.now, env: READER_ENV }, PEOPLE, (s, list) => {
  stack = s;
  listId = list;
});

describe('the winner of a split step', () => {
  it('is the path people clicked, not the one a scanner clicked through, and later arrivals get it only', async () => {
    const id = await createAutomation(stack.api, {
      name: 'Split on clicks',
      targetListIds: [listId],
      steps: [
        { type: 'split', id: 'welcome', winner: { metric: 'clicks', afterHours: 2 }, paths: [[email('a', 'Path A hello')], [email('b', 'Path B hello')]] },
      ],
    });
    await waitFor(async () => ((await splitOf(id)).paths.reduce((n, p) => n + p.accepted, 0) === PEOPLE ? true : undefined), 'every welcome accepted', 30_000);
    const a = messagesBySubject(stack, 'Path A hello');
    const b = messagesBySubject(stack, 'Path B hello');
    expect(a.length).toBeGreaterThan(2);
    expect(b.length).toBeGreaterThan(2);

    expect((await humanClick((await trackingOf(a[0].raw)).links[0])).status).toBe(302);
    for (const m of b) for (const link of (await trackingOf(m.raw)).links) await scannerClick(link);
    const before = await splitOf(id);
    expect(before).toMatchObject({ key: '#welcome', winner: null, decideAt: new Date(Date.parse(clock.now().toISOString()) + 2 * 3_600_000).toISOString() });
    expect(before.paths.map((p) => p.humanClickers)).toEqual([1, 0]);

    clock.advance(2 * 3_600_000);
    const decided = await waitFor(async () => {
      const s = await splitOf(id);
      return s.winner !== null ? s : undefined;
    }, 'the winner');
    expect(decided).toMatchObject({ winner: 0, decidedBy: 'auto', undecidedReason: null });
    expect(decided.paths.map((p) => p.label)).toEqual(['A', 'B']);
    expect(decided.paths[0].rate).toBeCloseTo(1 / a.length);
    expect(decided.paths[1].rate).toBe(0);

    const later = await enrolNew(id, 'late', 8);
    await waitFor(() => (later.every((x) => recipientsOf(stack, 'Path A hello').includes(x)) ? true : undefined), 'later arrivals get A', 30_000);
    expect(recipientsOf(stack, 'Path B hello')).toHaveLength(b.length);
    // A person cannot overrule a recorded winner.
    const again = await stack.api('POST', `/automations/${id}/split-winner`, { step: 'welcome', path: 1 });
    expect(again.status).toBe(409);
  }, 90_000);

  it('keeps splitting while no path has data, says why, and takes the path a person chooses', async () => {
    const id = await createAutomation(stack.api, {
      name: 'Split on opens',
      targetListIds: [listId],
      steps: [{ type: 'split', id: 'hello', winner: { metric: 'opens', afterHours: 1 }, paths: [[email('q1', 'Quiet one')], [email('q2', 'Quiet two')]] }],
    });
    await waitFor(async () => ((await splitOf(id)).paths.reduce((n, p) => n + p.accepted, 0) === PEOPLE ? true : undefined), 'every hello accepted', 30_000);
    clock.advance(3_600_000);
    const waiting = await waitFor(async () => {
      const s = await splitOf(id);
      return s.undecidedReason ? s : undefined;
    }, 'the undecided reason');
    expect(waiting).toMatchObject({ winner: null, undecidedReason: 'no path has any human opens yet' });

    expect((await stack.api('POST', `/automations/${id}/split-winner`, { step: 'nope', path: 1 })).status).toBe(404);
    expect((await stack.api('POST', `/automations/${id}/split-winner`, { step: 'hello', path: 2 })).status).toBe(422);
    const chosen = await stack.api('POST', `/automations/${id}/split-winner`, { step: 'hello', path: 1 });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.splits[0]).toMatchObject({ winner: 1, decidedBy: 'the API', undecidedReason: null });
    const before = recipientsOf(stack, 'Quiet one').length;
    const later = await enrolNew(id, 'chosen', 5);
    await waitFor(() => (later.every((x) => recipientsOf(stack, 'Quiet two').includes(x)) ? true : undefined), 'later arrivals get the chosen path', 30_000);
    expect(recipientsOf(stack, 'Quiet one')).toHaveLength(before);
  }, 90_000);

  it('refuses a winner rule it cannot follow', async () => {
    const r = await stack.api('POST', '/automations', {
      name: 'Bad rule',
      steps: [{ type: 'split', winner: { metric: 'replies', afterHours: 0 }, paths: [[email('x1', 'X')], [{ type: 'wait', duration: 'P1D' }]] }],
    });
    expect(r.status).toBe(422);
    expect(r.body.details.problems).toEqual([
      'steps[0].winner.metric must be "opens" or "clicks"',
      'steps[0].winner.afterHours must be a number of hours above 0 and at most 720',
      'steps[0]: every path must send an email for a winner to be chosen on its results',
    ]);
  });
});
