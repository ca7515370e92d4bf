// Issue 17: the A/B split as a step in an automation, end to end. Twenty people enrol; each gets one variant of the
// welcome (an even hash split of their address), never both, and everyone then gets the step after the split.
import { describe, expect, it } from 'vitest';
import { createAutomation } from '../support/campaigns.js';
import { type Stack, waitFor } from '../support/stack.js';
import { recipientsOf, useStackWithPeople } from './helpers.js';

let stack: Stack;
let listId: string;
const PEOPLE = 20;
const email = (name: string, subject: string) => ({
  type: 'send_email',
  name,
  subject,
  fromName: 'News',
  fromEmail: 'news@news.example.test',
  html: '<p>x</p>',
});

useStackWithPeople({}, PEOPLE, (s, list) => {
  stack = s;
  listId = list;
});

describe('a split step in an automation', () => {
  it('sends each person one path of the split, then the steps after it', async () => {
    const id = await createAutomation(stack.api, {
      name: 'Split welcome',
      targetListIds: [listId],
      steps: [
        { type: 'split', id: 'welcome', paths: [[email('Welcome A', 'Welcome, version A')], [email('Welcome B', 'Welcome, version B')]] },
        email('Tips', 'Tips'),
      ],
    });
    await waitFor(() => (recipientsOf(stack, 'Tips').length === PEOPLE ? true : undefined), 'everyone past the split', 30_000);
    const both = () => recipientsOf(stack, 'Welcome, version A').length + recipientsOf(stack, 'Welcome, version B').length;
    await waitFor(() => (both() === PEOPLE ? true : undefined), 'every welcome handed off', 30_000);
    const a = recipientsOf(stack, 'Welcome, version A');
    const b = recipientsOf(stack, 'Welcome, version B');
    expect(a.filter((x) => b.includes(x))).toEqual([]);
    expect(a.length).toBeGreaterThan(2);
    expect(b.length).toBeGreaterThan(2);
    // Each path's email is its own step campaign, so its results are reported apart.
    const steps = (await stack.api('GET', `/automations/${id}`)).body.steps as Array<{ name: string }>;
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['Welcome A', 'Welcome B', 'Tips']));
  }, 60_000);
});
