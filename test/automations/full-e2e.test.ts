// Issue 7 "Must show": a wait, two send_email steps, a three-content stream and an engagement branch give
// exactly the expected messages per target and six Sugar Campaigns with their CampaignLog rows; a target
// who opts out after the first email gets nothing more; a restart between steps resends nothing.
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { createAutomation } from '../support/campaigns.js';
import { mailTo, type Stack, subjectsTo, useStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { HUMAN_UA } from '../writeback/helpers.js';

let stack: Stack;
let clock = new Date('2026-11-26T10:00:00.000Z');
const days = (n: number) => {
  clock = new Date(clock.getTime() + n * 86_400_000);
};
const ids: Record<string, string> = {};
let automationId: string;

const api: Stack['api'] = (...args) => stack.api(...args);
const to = (addr: string) => mailTo(stack.sink, addr);
const subjects = (addr: string) => subjectsTo(stack.sink, addr);
const counts = () => ['ann', 'bob', 'cat'].map((p) => to(`${p}@example.com`).length).join(',');
const sender = { fromName: 'Acme', fromEmail: 'news@news.example.test' };
const email = (name: string) => ({ type: 'send_email', name, subject: name, ...sender, html: `<p>${name}</p>` });

useStack(
  { env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_AUTOMATION_TICK_MS: '50' }, now: () => clock },
  async (s) => {
    stack = s;
    const sugar = adminClient(stack.sim.url);
    ids.list = await createListOf(
      sugar,
      'Nurture',
      ['ann', 'bob', 'cat'].map((p) => ({ first_name: p, emails: [{ address: `${p}@example.com` }] })),
    );
    await sugar.logout();
  },
  60_000,
);

describe('automated campaign end to end', () => {
  it('runs every step at its time, for the people it should', async () => {
    automationId = await createAutomation(api, {
      name: 'Nurture',
      targetListIds: [ids.list],
      steps: [
        email('Welcome'),
        { type: 'wait', duration: 'P1D' },
        email('Follow-up'),
        {
          type: 'content_stream',
          name: 'Tips',
          interval: 'P3D',
          ...sender,
          contents: [1, 2, 3].map((i) => ({ name: `Tip ${i}`, subject: `Tip ${i}`, html: `<p>Tip ${i}</p>` })),
        },
        { type: 'wait', duration: 'P1D' },
        { type: 'branch', on: 'opened', then: [email('Offer')] },
      ],
    });
    // The list's members enrol on their own: the service reads the Sugar list when the automation is created.
    await waitFor(() => counts() === '1,1,1', 'three welcomes');

    // Cat opts out after the first email (one-click unsubscribe from its headers).
    const parsed = await PostalMime.parse(to('cat@example.com')[0].raw);
    const unsubscribe = /<(https?:[^>]+)>/.exec(parsed.headers.find((h) => h.key === 'list-unsubscribe')!.value)![1];
    expect(
      (await fetch(unsubscribe, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }))
        .status,
    ).toBe(200);

    days(1);
    await waitFor(() => counts() === '3,3,1', 'follow-up and the first tip');
    // Restart between stream contents: positions and passed steps come back from the file.
    await stack.restart();
    days(3);
    await waitFor(() => counts() === '4,4,1', 'the second tip');
    days(3);
    await waitFor(() => counts() === '5,5,1', 'the third tip');
    const html = (await PostalMime.parse(to('ann@example.com')[4].raw)).html!;
    const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(
      async () => (await api('GET', `/automations/${automationId}`)).body.steps.find((s: any) => s.name === 'Tips – Tip 3').engagement?.opened === 1,
      'the open of tip 3',
    );
    days(1);
    await waitFor(async () => (await api('GET', `/automations/${automationId}`)).body.enrolments.done === 2, 'everyone through');
    await waitFor(() => counts() === '6,5,1', 'the offer');

    // Follow-up and Tip 1 leave in the same tick from two campaigns, so their order on the wire may vary.
    expect(subjects('ann@example.com').sort()).toEqual(['Follow-up', 'Offer', 'Tip 1', 'Tip 2', 'Tip 3', 'Welcome']);
    expect(subjects('bob@example.com').sort()).toEqual(['Follow-up', 'Tip 1', 'Tip 2', 'Tip 3', 'Welcome']);
    expect(subjects('cat@example.com')).toEqual(['Welcome']);
    expect((await api('GET', `/automations/${automationId}`)).body.enrolments).toEqual({ active: 0, done: 2, left: 1 });
  });

  it('made six Sugar Campaigns with the expected names and CampaignLog rows', async () => {
    const names = ['Nurture – Welcome', 'Nurture – Follow-up', 'Nurture – Tips – Tip 1', 'Nurture – Tips – Tip 2', 'Nurture – Tips – Tip 3', 'Nurture – Offer'];
    const expected: Record<string, Record<string, number>> = {
      'Nurture – Welcome': { targeted: 3, removed: 1 },
      'Nurture – Follow-up': { targeted: 2 },
      'Nurture – Tips – Tip 1': { targeted: 2 },
      'Nurture – Tips – Tip 2': { targeted: 2 },
      'Nurture – Tips – Tip 3': { targeted: 2, viewed: 1 },
      'Nurture – Offer': { targeted: 1 },
    };
    const canonical = (o: Record<string, number> | undefined) => JSON.stringify(Object.entries(o ?? {}).sort());
    const read = () => {
      const rows = stack.sim.db.prepare("SELECT id, name FROM campaigns WHERE name LIKE 'Nurture – %'").all() as Array<{ id: string; name: string }>;
      return Object.fromEntries(rows.map((r) => [r.name, stack.sim.campaignLogCounts(r.id)]));
    };
    // Wait until the outbox wrote everything, then compare (on a timeout the comparison shows what differs).
    await waitFor(() => {
      const seen = read();
      return names.every((n) => canonical(seen[n]) === canonical(expected[n])) || undefined;
    }, 'six Sugar campaigns written back').catch(() => undefined);
    const all = read();
    expect(all).toEqual(expected);
  });
});
