// Issue 15: a whole campaign with the service on PostgreSQL (LEADFWD_DATABASE_URL) instead of SQLite, through the
// real Sugar simulator and SMTP sink: extraction skips what it must, every eligible target is mailed exactly once,
// opens, a click, an opt-out and a relay's hard refusal are recorded, and Sugar's CampaignLog ends equal to the
// service's report, row for row. The same checks as the SQLite runs (test/support/campaign-checks.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredTo, expectBalancedAudit, expectCampaignLogEqualsReport, recipientOf } from '../support/campaign-checks.js';
import { untilCampaign } from '../support/campaigns.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { type Stack, startStack } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';

const BULK = 40;

describe.skipIf(!debianPgBin())('a campaign on PostgreSQL', () => {
  let stack: Stack;
  const ids: Record<string, string> = {};
  let campaign: any;

  beforeAll(async () => {
    stack = await startStack({
      store: 'postgres',
      env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_DATABASE_POOL: '4' },
      sink: { behaviour: (rcpt) => (rcpt === 'hard@example.net' ? { code: 550, message: '5.1.1 <hard@example.net>: User unknown' } : 'accept') },
    });
    const sugar = adminClient(stack.sim.url);
    const person = async (key: string, spec: Parameters<typeof createPerson>[1]) => {
      ids[key] = await createPerson(sugar, spec);
    };
    await person('ann', { module: 'Contacts', first_name: 'Ann', emails: [{ address: 'ann@example.com' }] });
    await person('annLead', { module: 'Leads', first_name: 'Ann again', emails: [{ address: 'ANN@example.com' }] });
    await person('lee', { module: 'Leads', first_name: 'Lee', emails: [{ address: 'lee@example.com' }] });
    await person('bob', { module: 'Prospects', first_name: 'Bob', emails: [{ address: 'bob@example.org' }] });
    await person('olly', { module: 'Contacts', first_name: 'Olly', emails: [{ address: 'olly@example.com', opt_out: true }] });
    await person('ivan', { module: 'Leads', first_name: 'Ivan', emails: [{ address: 'ivan@example.com', invalid: true }] });
    await person('hard', { module: 'Contacts', first_name: 'Harold', emails: [{ address: 'hard@example.net' }] });
    const list = await createList(sugar, 'Spring on PostgreSQL');
    await addToList(sugar, list, 'Contacts', [ids.ann, ids.olly, ids.hard]);
    await addToList(sugar, list, 'Leads', [ids.annLead, ids.lee, ids.ivan]);
    await addToList(sugar, list, 'Prospects', [ids.bob]);
    ids.list = list;
    ids.bulk = stack.sim.seedBulk(cleanLists({ lists: 1, perList: BULK })).listIds[0];
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs on PostgreSQL, not on a SQLite file', async () => {
    expect(stack.service.store.path).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/leadfwd$/);
    expect(existsSync(join(stack.dir, 'data', 'leadfwd.sqlite'))).toBe(false);
    const ready = await fetch(`${stack.service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks.database).toEqual({ ok: true });
  });

  it('extracts, sends every eligible target exactly once and settles every ledger row', async () => {
    const created = await stack.api('POST', '/campaigns', {
      name: 'Spring on PostgreSQL',
      subject: 'Hello {{ first_name | default: "there" }}',
      fromName: 'Spring Team',
      fromEmail: 'news@news.example.test',
      html: '<p>Hi {{ first_name | default: "there" }}</p><a href="https://shop.example.com/spring">Shop</a>',
      targetListIds: [ids.list, ids.bulk],
    });
    expect(created.status).toBe(201);
    campaign = await untilCampaign(stack.api, created.body.id, 'sent', 'sent', 60_000);
    expect(expectBalancedAudit(campaign.audit)).toMatchObject({ opted_out: 1, invalid: 1, duplicate: 1 });
    expect(campaign.audit.queued).toBe(BULK + 4); // ann, lee, bob, hard and the bulk list
    expect(campaign.progress).toMatchObject({ accepted: BULK + 3, failed: 1, queued: 0, sending: 0 });

    const ledger = await stack.service.store.recipients.list(campaign.id, { limit: 1000, offset: 0 });
    expect(ledger).toHaveLength(BULK + 4);
    const accepted = ledger.filter((r) => r.state === 'accepted').map((r) => r.email.toLowerCase());
    expect(ledger.filter((r) => r.state !== 'accepted').map((r) => [r.email, r.state])).toEqual([['hard@example.net', 'failed']]);
    const to = deliveredTo(stack);
    expect(new Set(to).size).toBe(to.length); // nobody twice
    expect(to).toEqual([...accepted].sort());
  }, 90_000);

  it("records opens, a click and an opt-out, and leaves Sugar's CampaignLog equal to the report", async () => {
    expect(await recipientOf(stack, 'ann@example.com').open()).toBe(200);
    expect(await recipientOf(stack, 'lee@example.com').open()).toBe(200);
    expect(await recipientOf(stack, 'bob@example.org').click()).toBe(302);
    expect(await recipientOf(stack, 'lee@example.com').unsubscribe()).toBe(200);
    const counts = await expectCampaignLogEqualsReport(stack, campaign.id, 60_000);
    expect(counts).toEqual({ targeted: BULK + 3, viewed: 3, link: 1, removed: 1, 'invalid email': 1 });
    expect(await stack.service.store.suppressions.get('lee@example.com')).toMatchObject({ reason: 'unsubscribe' });
    // /metrics reads its counts from PostgreSQL at scrape time.
    const metrics = await (await fetch(`${stack.service.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^leadfwd_recipients\\{state="accepted"\\} ${BULK + 3}$`, 'm'));
    expect(metrics).toMatch(/^leadfwd_tracking_hits\{kind="open",class="human"\} [1-9]/m);
  }, 90_000);
});
