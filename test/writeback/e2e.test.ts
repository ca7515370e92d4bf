// Issue 5 "Must show": the whole product against the simulator. A campaign is sent, opened, clicked,
// bounced (hard and soft, at the relay and by DSN), complained about and opted out of; afterwards
// Sugar's CampaignLog, counted the way Sugar's status page counts, equals the service's own report
// row for row, each target's `campaigns` link shows its rows, and the address flags are right,
// shared addresses included.
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { deliver, fixture } from '../engagement/inbound-support.js';
import { expectCampaignLogEqualsReport } from '../support/campaign-checks.js';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, useStack } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';
import { HUMAN_UA } from './helpers.js';

let stack: Stack;
let campaign: any;
const ids: Record<string, string> = {};
const byAddress = (addr: string) => stack.sink.messages.find((m) => m.envelope.to[0].toLowerCase() === addr)!;
const html = async (addr: string) => (await PostalMime.parse(byAddress(addr).raw)).html!;
const pixelOf = async (addr: string) => /src="([^"]*\/t\/o\/[^"]+)"/.exec(await html(addr))![1].replaceAll('&amp;', '&');
const linksOf = async (addr: string) => [...(await html(addr)).matchAll(/href="([^"]*\/t\/c\/[^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
const get = (url: string) => fetch(url, { headers: { 'User-Agent': HUMAN_UA }, redirect: 'manual' });
const messageIdOf = (addr: string) => /^Message-ID: (<[^>]+>)/im.exec(byAddress(addr).raw.toString())![1];
/** A DSN or complaint report (an .eml fixture) about the message `addr` got, delivered to the bounce port. */
const reportBack = (addr: string, file: string) => {
  const m = byAddress(addr);
  return deliver(stack.service.bouncePort, [m.envelope.from], fixture(file, { verp: m.envelope.from, rcpt: m.envelope.to[0], messageId: messageIdOf(addr) }));
};

useStack(
  {
    env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_SOFT_BOUNCE_LIMIT: '1', LEADFWD_OPT_OUT_SCOPE: 'all' },
    sink: {
      behaviour: (rcpt) => {
        if (rcpt === 'hard@example.net') return { code: 550, message: '5.1.1 <hard@example.net>: Recipient address rejected: User unknown' };
        if (rcpt === 'full@example.net') return { code: 554, message: '5.3.0 <full@example.net>: mail system error' };
        return 'accept';
      },
    },
  },
  async (s) => {
    stack = s;
    const sugar = adminClient(stack.sim.url);
    const person = async (key: string, spec: Parameters<typeof createPerson>[1]) => {
      ids[key] = await createPerson(sugar, spec);
    };
    await person('ann', { module: 'Contacts', first_name: 'Ann', emails: [{ address: 'ann@example.com' }] });
    await person('lee', { module: 'Leads', first_name: 'Lee', emails: [{ address: 'lee@example.com' }, { address: 'lee.home@example.org' }] });
    await person('sam', { module: 'Contacts', first_name: 'Sam', emails: [{ address: 'sam@example.com' }] });
    await person('samLead', { module: 'Leads', first_name: 'Sam again', emails: [{ address: 'sam@example.com' }] });
    await person('bob', { module: 'Prospects', first_name: 'Bob', emails: [{ address: 'bob@example.org' }] });
    await person('hard', { module: 'Contacts', first_name: 'Harold', emails: [{ address: 'hard@example.net' }] });
    await person('full', { module: 'Leads', first_name: 'Fuller', emails: [{ address: 'full@example.net' }] });
    await person('cat', { module: 'Contacts', first_name: 'Cat', emails: [{ address: 'cat@example.com' }] });
    const list = await createList(sugar, 'Spring');
    await addToList(sugar, list, 'Contacts', [ids.ann, ids.sam, ids.hard, ids.cat]);
    await addToList(sugar, list, 'Leads', [ids.lee, ids.samLead, ids.full]);
    await addToList(sugar, list, 'Prospects', [ids.bob]);
    ids.list = list;
    await sugar.logout();
  },
  60_000,
);

describe('Sugar write-back end to end', () => {
  it('sends, and the Sugar Campaign exists with its list and trackers as soon as sending starts', async () => {
    const created = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([ids.list], {
        name: 'Spring news, written back to Sugar',
        fromName: 'Spring Team',
        html: '<p>Hi</p><a href="https://shop.example.com/spring">Shop</a> <a href="https://example.com/about">About</a>',
      }),
    );
    expect(created.status).toBe(201);
    campaign = await untilCampaign(stack.api, created.body.id, (c) => c.status === 'sent' && c.writeback.sugarCampaignId, 'sent and set up in Sugar');
    expect(campaign.progress).toMatchObject({ accepted: 5, failed: 2 }); // sam's shared address is mailed once
    const sugarCampaign = stack.sim.db.prepare('SELECT name, campaign_type, status FROM campaigns WHERE id = ?').get(campaign.writeback.sugarCampaignId);
    expect(sugarCampaign).toEqual({ name: 'Spring news, written back to Sugar', campaign_type: 'Email', status: 'Active' });
    expect(stack.sim.db.prepare('SELECT count(*) FROM campaign_trkrs WHERE campaign_id = ?').pluck().get(campaign.writeback.sugarCampaignId)).toBe(2);
  });

  it('records opens, clicks, an opt-out, a complaint, and hard and soft bounces by DSN', async () => {
    for (const addr of ['ann@example.com', 'lee@example.com', 'cat@example.com']) expect((await get(await pixelOf(addr))).status).toBe(200);
    expect((await get(await pixelOf('ann@example.com'))).status).toBe(200); // a second open: hits 2
    const [shop] = await linksOf('ann@example.com');
    expect((await get(shop)).status).toBe(302);
    const [, about] = await linksOf('bob@example.org');
    expect((await get(about)).status).toBe(302); // a click without an open: also the open
    const unsubscribe = /<(https?:[^>]+)>/.exec(
      (await PostalMime.parse(byAddress('lee@example.com').raw)).headers.find((h) => h.key === 'list-unsubscribe')!.value,
    )![1];
    expect(
      (await fetch(unsubscribe, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }))
        .status,
    ).toBe(200);
    expect(await reportBack('sam@example.com', 'arf-abuse.eml')).toEqual({ ok: true });
    expect(await reportBack('cat@example.com', 'postfix-mailbox-full.eml')).toEqual({ ok: true });
    expect(await reportBack('bob@example.org', 'postfix-user-unknown.eml')).toEqual({ ok: true });
  });

  it("leaves Sugar's CampaignLog equal to the service's own report, row for row", async () => {
    const counts = await expectCampaignLogEqualsReport(stack, campaign.id);
    expect(counts).toEqual({ targeted: 5, viewed: 4, link: 2, removed: 2, 'invalid email': 2, 'send error': 2 });
  });

  it("shows each target's rows on its own record through the campaigns link", async () => {
    const sugar = adminClient(stack.sim.url);
    const rowsOf = async (module: string, id: string) => {
      const res = await sugar.get<{ records: Array<{ activity_type: string; hits: number; campaign_id: string }> }>(`/${module}/${id}/link/campaigns`, {
        max_num: 50,
      });
      return res.records.map((r) => `${r.activity_type}${r.activity_type === 'viewed' || r.activity_type === 'link' ? `:${r.hits}` : ''}`).sort();
    };
    expect(await rowsOf('Contacts', ids.ann)).toEqual(['link:1', 'targeted', 'viewed:2']);
    expect(await rowsOf('Leads', ids.lee)).toEqual(['removed', 'targeted', 'viewed:1']);
    expect(await rowsOf('Prospects', ids.bob)).toEqual(['invalid email', 'link:1', 'targeted', 'viewed:1']);
    expect(await rowsOf('Contacts', ids.hard)).toEqual(['invalid email']);
    expect(await rowsOf('Leads', ids.full)).toEqual(['send error']); // the relay's final soft refusal
    expect(await rowsOf('Contacts', ids.cat)).toEqual(['send error', 'targeted', 'viewed:1']);
    expect(await rowsOf('Contacts', ids.sam)).toEqual(['removed', 'targeted']);
    expect(await rowsOf('Leads', ids.samLead)).toEqual([]); // never mailed: the shared address went to Sam
    await sugar.logout();
  });

  it("flags opted-out and bounced addresses on Sugar's shared address rows", async () => {
    const sugar = adminClient(stack.sim.url);
    const flags = async (module: string, id: string) => {
      const rec = await sugar.get<{ email: Array<{ email_address: string; opt_out: boolean; invalid_email: boolean }> }>(`/${module}/${id}`, {
        fields: 'email',
      });
      return Object.fromEntries(rec.email.map((e) => [e.email_address.toLowerCase(), { opt_out: e.opt_out, invalid_email: e.invalid_email }]));
    };
    expect(await flags('Leads', ids.lee)).toEqual({
      'lee@example.com': { opt_out: true, invalid_email: false },
      'lee.home@example.org': { opt_out: true, invalid_email: false },
    });
    // The complaint flagged the row Sam shares with a Lead, so the Lead is opted out too.
    expect(await flags('Leads', ids.samLead)).toEqual({ 'sam@example.com': { opt_out: true, invalid_email: false } });
    expect(await flags('Prospects', ids.bob)).toEqual({ 'bob@example.org': { opt_out: false, invalid_email: true } });
    expect(await flags('Contacts', ids.hard)).toEqual({ 'hard@example.net': { opt_out: false, invalid_email: true } });
    expect(await flags('Leads', ids.full)).toEqual({ 'full@example.net': { opt_out: false, invalid_email: false } });
    expect(await flags('Contacts', ids.ann)).toEqual({ 'ann@example.com': { opt_out: false, invalid_email: false } });
    await sugar.logout();
  });
});
