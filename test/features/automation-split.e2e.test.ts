// Issue 17: the A/B split as a step in an automation, end to end. Twenty people enrol; each gets one variant of the
// welcome (an even hash split of their address), never both, and everyone then gets the step after the split.
import { describe, expect, it } from 'vitest';
import { type Stack, useStack, waitFor } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';
import { recipientsOf } from './helpers.js';

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

useStack(
  { env: { LEADFWD_AUTOMATION_TICK_MS: '50' } },
  async (s) => {
    stack = s;
    const addresses = numberedAddresses('p', PEOPLE);
    listId = await createContactList(adminClient(stack.sim.url), 'Split people', addresses);
  },
  60_000,
);

describe('a split step in an automation', () => {
  it('sends each person one path of the split, then the steps after it', async () => {
    const r = await stack.api('POST', '/automations', {
      name: 'Split welcome',
      targetListIds: [listId],
      steps: [
        { type: 'split', id: 'welcome', paths: [[email('Welcome A', 'Welcome, version A')], [email('Welcome B', 'Welcome, version B')]] },
        email('Tips', 'Tips'),
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await waitFor(() => (recipientsOf(stack, 'Tips').length === PEOPLE ? true : undefined), 'everyone past the split', 30_000);
    const both = () => recipientsOf(stack, 'Welcome, version A').length + recipientsOf(stack, 'Welcome, version B').length;
    await waitFor(() => (both() === PEOPLE ? true : undefined), 'every welcome handed off', 30_000);
    const a = recipientsOf(stack, 'Welcome, version A');
    const b = recipientsOf(stack, 'Welcome, version B');
    expect(a.filter((x) => b.includes(x))).toEqual([]);
    expect(a.length).toBeGreaterThan(2);
    expect(b.length).toBeGreaterThan(2);
    // Each path's email is its own step campaign, so its results are reported apart.
    const steps = (await stack.api('GET', `/automations/${r.body.id}`)).body.steps as Array<{ name: string }>;
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['Welcome A', 'Welcome B', 'Tips']));
  }, 60_000);
});
