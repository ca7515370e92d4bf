// A held campaign sent at each recipient's local time: its recipients' times are worked out from its send time when
// the list is read, and the review shows that plan. A confirm for another time would not move them (the whole list
// would go the moment that time came, whatever the hour where each lives), so it is refused with the reason; a
// confirm without a time keeps the plan.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { fakeClock } from './helpers.js';

const clock = fakeClock('2026-03-02T01:00:00.000Z');
let stack: Stack;
let listId: string;
beforeAll(async () => {
  stack = await startStack({ now: clock.now });
  listId = await createListOf(adminClient(stack.sim.url), 'People', [
    { first_name: 'a', emails: [{ address: 'a@example.org' }] },
    { first_name: 'b', emails: [{ address: 'b@example.org' }] },
  ]);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

it('refuses a confirm for another time, and keeps the planned local times without one', async () => {
  const r = await stack.api('POST', '/campaigns', campaignBody([listId], { subject: 'Morning', hold: true, localTime: { at: '09:00', timeZone: 'UTC' } }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const id = r.body.id as string;
  await untilCampaign(stack.api, id, 'pending', 'extracted');
  const plan = (await stack.api('GET', `/campaigns/${id}`)).body;

  const later = await stack.api('POST', `/campaigns/${id}/confirm`, { sendAt: '2026-03-05T00:00:00.000Z' });
  expect(later.status).toBe(422);
  expect(later.body.message).toMatch(/goes at 09:00 in each recipient's time zone.*confirm it without sendAt/);
  expect((await stack.api('GET', `/campaigns/${id}`)).body).toMatchObject({ held: true, sendAt: plan.sendAt });

  const ok = await stack.api('POST', `/campaigns/${id}/confirm`, {});
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect(ok.body).toMatchObject({ held: false, sendAt: plan.sendAt });
  const rows = await stack.service.store.recipients.list(id, { limit: 10, offset: 0 });
  expect(rows.map((x) => x.retryAt)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z']);
}, 60_000);
