// Issue 17 "Must show": scores written to Sugar in batches (the Sugar calls counted). 24 people get a campaign: 12
// open it, each five times within the score window (one write each, not five), 4 of them also click. Their scores
// reach leadfwd_score_c on their Contacts in a few POST /bulk calls, and the Account of three of them gets the highest
// of its Contacts' scores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';
import { humanClick, humanOpen, messagesBySubject, READER_ENV, trackingOf } from './helpers.js';

let stack: Stack;
const people: string[] = [];
let accountId: string;
const PEOPLE = 24;

beforeAll(async () => {
  stack = await startStack({ env: { ...READER_ENV, LEADFWD_SCORE_WRITEBACK: 'true', LEADFWD_SCORE_WINDOW_MS: '2000' } });
  const sugar = adminClient(stack.sim.url);
  accountId = await createPerson(sugar, { module: 'Accounts', name: 'Acme' });
  for (let i = 0; i < PEOPLE; i++)
    people.push(
      await createPerson(sugar, {
        module: 'Contacts',
        first_name: `P${i}`,
        emails: [{ address: `p${i}@example.org` }],
        fields: i < 3 ? { account_id: accountId } : {},
      }),
    );
  const list = await createList(sugar, 'All');
  await addToList(sugar, list, 'Contacts', people);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('engagement score in Sugar', () => {
  it('writes each person once per window, in a few bulk calls, and rolls the highest up to the Account', async () => {
    const list = (await adminClient(stack.sim.url).get<{ records: Array<{ id: string }> }>('/ProspectLists')).records[0].id;
    const r = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([list], { name: 'Scored', subject: 'Scored', html: '<p>Hi <a href="https://shop.example.com/x">x</a></p>' }),
    );
    expect(r.status).toBe(201);
    await untilCampaign(stack.api, r.body.id, 'sent', 'sent', 30_000);
    const mail = new Map(messagesBySubject(stack, 'Scored').map((m) => [m.envelope.to[0], m.raw]));
    // Wait until the sent rows are written, so only score writes and the open/click activity remain to count.
    await waitFor(async () => ((await stack.service.store.outbox.stats()).pending === 0 ? true : undefined), 'sent rows written');
    const before = stack.sim.requests().length;

    for (let i = 0; i < 12; i++) {
      const t = await trackingOf(mail.get(`p${i}@example.org`)!);
      for (let k = 0; k < 5; k++) await humanOpen(t.pixel);
      if (i % 3 === 0) await humanClick(t.links[0]); // p0, p3, p6, p9 click
    }
    const sugar = adminClient(stack.sim.url);
    const scoreOf = async (module: string, id: string) => (await sugar.get<{ leadfwd_score_c: number | null }>(`/${module}/${id}`)).leadfwd_score_c;
    await waitFor(async () => ((await scoreOf('Accounts', accountId)) === 20 ? true : undefined), 'the Account score', 20_000);
    await waitFor(async () => ((await stack.service.store.outbox.stats()).pending === 0 ? true : undefined), 'every score row written');

    for (let i = 0; i < PEOPLE; i++) expect(await scoreOf('Contacts', people[i]), `p${i}`).toBe(i >= 12 ? null : i % 3 === 0 ? 20 : 5);
    const calls = stack.sim.requests().slice(before);
    const scorePuts = calls.filter((c) => c.bulk && c.method === 'PUT' && /\/Contacts\//.test(c.path));
    expect(scorePuts).toHaveLength(12); // one per person, not one per open
    // The bulk calls that carried them: far fewer than the people (batched), each with the rollup beside it.
    let current: (typeof calls)[number] | undefined;
    const carrying = new Set<(typeof calls)[number]>();
    for (const c of calls) {
      if (!c.bulk) current = c.path.endsWith('/bulk') ? c : undefined;
      else if (current && c.method === 'PUT' && /\/(Contacts|Accounts)\//.test(c.path)) carrying.add(current);
    }
    expect(carrying.size).toBeGreaterThan(0);
    expect(carrying.size).toBeLessThanOrEqual(6);
    expect(calls.filter((c) => c.bulk && c.method === 'PUT' && /\/Accounts\//.test(c.path)).length).toBeGreaterThanOrEqual(1);
    console.log(
      `score writes: ${scorePuts.length} people in ${carrying.size} POST /bulk calls (plus ${calls.filter((c) => !c.bulk).length - carrying.size} other calls)`,
    );
  }, 60_000);
});
