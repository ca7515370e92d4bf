// People's own calls through the service (the dashlet's templates, lists, rights, each with the person's Sugar token)
// draw from a share of Sugar's request budget (LEADFWD_SUGAR_USERS_RATE, half of LEADFWD_SUGAR_RATE unless set), so
// the service's own work keeps the rest: a view-only user looping over the templates took the whole budget, and a
// campaign's extraction and setup waited behind her (an attacker review). Real service, simulator and sink; the
// simulator's own request log is the judge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, sugarToken } from '../features/helpers.js';
import { campaignBody } from '../support/campaigns.js';
import { cleanLists } from '../support/service-process.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';

const RATE = 6;
const USERS = RATE / 2;
const JITTER = 2;

describe("people's calls and Sugar's request budget", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { LEADFWD_SUGAR_RATE: String(RATE) } });
  }, 30_000);
  afterAll(async () => await stack?.stop());

  it("keeps people's calls to their share, and the campaign's own calls going meanwhile", async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const { listIds } = stack.sim.seedBulk(cleanLists({ lists: 2, perList: 30 }));
    stack.sim.clearRequests();
    const started = Date.now();
    let flooding = true;
    const flood = Array.from({ length: 8 }, async () => {
      while (flooding) await sally('GET', '/sugar/email-templates');
    });
    await new Promise((r) => setTimeout(r, 1000));
    const created = await stack.api('POST', '/campaigns', campaignBody(listIds, { name: 'Meanwhile' }));
    expect(created.status).toBe(201);
    await waitFor(async () => ((await stack.api('GET', `/campaigns/${created.body.id}`)).body.status === 'sent' ? true : undefined), 'sent', 60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - started))));
    flooding = false;
    await Promise.all(flood);

    const log = stack.sim.requests().filter((e) => !e.bulk);
    const theirs = log.filter((e) => /EmailTemplates/.test(e.path)).map((e) => e.at);
    const seconds = (Math.max(...theirs) - Math.min(...theirs)) / 1000;
    console.info(`${theirs.length} calls of sally's in ${seconds.toFixed(1)} s; ${log.length - theirs.length} others`);
    // Her share: a second's burst, then its rate, never the whole budget.
    expect(theirs.length).toBeGreaterThan(2 * USERS);
    expect(theirs.length).toBeLessThanOrEqual(USERS + Math.ceil(seconds * USERS) + JITTER);
    // The campaign's extraction and setup went on while she looped.
    const during = log.filter((e) => !/EmailTemplates|\/me$|\/ping$/.test(e.path) && e.at < Math.max(...theirs));
    expect(during.length).toBeGreaterThan(0);
  }, 90_000);
});
