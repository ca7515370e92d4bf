// Issue 17 "Must show": local-time sending across three time zones. At 01:00 UTC a campaign goes "at 09:00 local":
// people in Berlin get it at 08:00 UTC, those without a zone (or with one Sugar cannot know) at 09:00 UTC in the
// campaign's zone, New York at 14:00 UTC, Tokyo (already past 09:00) the next day at 00:00 UTC. The audit says how
// many go when, before anything goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { fakeClock, recipientsOf } from './helpers.js';

const clock = fakeClock('2026-03-02T01:00:00.000Z');
let stack: Stack;
let listId: string;
const ZONES: Record<string, string | undefined> = {
  berlin1: 'Europe/Berlin',
  berlin2: 'Europe/Berlin',
  ny1: 'America/New_York',
  tokyo1: 'Asia/Tokyo',
  tokyo2: 'Asia/Tokyo',
  nozone: undefined,
  badzone: 'Mars/Olympus_Mons',
};

beforeAll(async () => {
  stack = await startStack({ now: clock.now });
  const sugar = adminClient(stack.sim.url);
  listId = await createListOf(
    sugar,
    'World',
    Object.entries(ZONES).map(([name, zone]) => ({
      first_name: name,
      emails: [{ address: `${name}@example.org` }],
      fields: zone ? { leadfwd_timezone_c: zone } : {},
    })),
  );
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const got = () => recipientsOf(stack, 'Good morning').map((a) => a.replace('@example.org', ''));
const untilGot = (names: string[]) =>
  waitFor(() => (JSON.stringify(got()) === JSON.stringify([...names].sort()) ? true : undefined), `mail for ${names}`, 15_000);

describe('sending at a local time', () => {
  it('sends at 09:00 in each recipient zone (the record, else the campaign default) and shows the plan first', async () => {
    const bad = await stack.api('POST', '/campaigns', campaignBody([listId], { localTime: { at: '25:00', timeZone: 'Nowhere/Land' } }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/localTime.at must be a time HH:MM.*localTime.timeZone must be an IANA time zone/s);

    const r = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([listId], {
        name: 'Morning',
        subject: 'Good morning {{ first_name }}',
        html: '<p>Good morning</p>',
        localTime: { at: '09:00', timeZone: 'UTC' },
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.id;
    const planned = await untilCampaign(stack.api, id, (v) => v.audit?.localTimes && v.status !== 'extracting' && v.status !== 'draft', 'the plan');
    expect(planned.audit.localTimes).toEqual([
      { timeZone: 'Europe/Berlin', at: '2026-03-02T08:00:00.000Z', count: 2, fromRecord: true },
      { timeZone: 'UTC', at: '2026-03-02T09:00:00.000Z', count: 2, fromRecord: false },
      { timeZone: 'America/New_York', at: '2026-03-02T14:00:00.000Z', count: 1, fromRecord: true },
      { timeZone: 'Asia/Tokyo', at: '2026-03-03T00:00:00.000Z', count: 2, fromRecord: true },
    ]);
    await new Promise((res) => setTimeout(res, 1_500));
    expect(got()).toEqual([]);

    clock.advance(7 * 3_600_000); // 08:00 UTC: 09:00 in Berlin
    await untilGot(['berlin1', 'berlin2']);
    clock.advance(3_600_000); // 09:00 UTC: the campaign's default zone
    await untilGot(['berlin1', 'berlin2', 'nozone', 'badzone']);
    clock.advance(5 * 3_600_000); // 14:00 UTC: 09:00 in New York
    await untilGot(['berlin1', 'berlin2', 'nozone', 'badzone', 'ny1']);
    expect((await stack.api('GET', `/campaigns/${id}`)).body.status).toBe('sending');
    clock.advance(10 * 3_600_000); // 00:00 UTC next day: 09:00 in Tokyo
    await untilGot(Object.keys(ZONES));
    await untilCampaign(stack.api, id, 'sent', 'sent');
  }, 90_000);
});
