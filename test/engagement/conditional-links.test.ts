// A link inside a Liquid `{% if %}` is in some messages only: a private offer for VIP readers. A click token's link
// index sat outside its MAC, so a reader who edited the index of a link they had reached the others, the private one
// too, and the click was counted (an attacker review; the README documented it). Over real HTTP on a real store, a
// message of content with tags now checks each index: its own links redirect, an edited index is a 404 and records
// nothing. Content without tags puts every link in every message, so its tokens stay as they were: one MAC a message.
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildMessage } from '../../service/src/mail/message.js';
import { type CompiledCampaign, compileCampaign } from '../../service/src/mail/template.js';
import { ctx } from '../mail/helpers.js';
import { HUMAN_UA } from '../writeback/helpers.js';
import { SECRET, type Seeded, seededStore } from './helpers.js';
import { rawGet, startTrackingServer, type TrackingServer } from './http-support.js';

const VIP = 'https://shop.example.com/offer?code=VIP50';
const ALL = 'https://shop.example.com/spring';

let s: Seeded;
let srv: TrackingServer;
let campaign: CompiledCampaign;

async function start(html: string) {
  campaign = await compileCampaign({ campaignId: 'camp-1', subject: 'Spring', fromName: 'Spring Team', fromEmail: 'news@news.example.test', html });
  s = await seededStore({ n: 1, links: campaign.links });
  srv = await startTrackingServer(s.store, { engagement: { tokenKeys: [SECRET] } });
}
afterEach(async () => {
  await srv?.close();
  s?.store.close();
});

/** The click tokens in the HTML part of the message row 0 gets, with `fields`. */
async function clickTokensFor(fields: Record<string, string>): Promise<string[]> {
  const row = s.rows[0];
  const built = buildMessage(campaign, { rowId: row.rowId, email: row.email, fields, trackingConsent: true }, { ...ctx, secret: SECRET });
  const html = (await PostalMime.parse(built.raw)).html ?? '';
  return [...html.matchAll(/href="https:\/\/t\.acme\.example\/t\/c\/([^"]+)"/g)].map((m) => m[1]);
}
const click = (token: string) => rawGet(srv.url, `/t/c/${token}`, 'GET', { 'user-agent': HUMAN_UA });

describe('a link in some messages only', () => {
  beforeEach(async () => {
    await start(`<html><body>{% if vip == "yes" %}<p><a href="${VIP}">Your VIP offer</a></p>{% endif %}<p><a href="${ALL}">Spring news</a></p></body></html>`);
  });

  it('cannot be reached by editing the index of a link the reader has', async () => {
    expect(campaign.links).toEqual([VIP, ALL]);
    const [own, ...more] = await clickTokensFor({ vip: 'no' });
    expect(more).toEqual([]);
    expect(own).toMatch(/-1_[0-9a-f]{12}\./);
    const ok = await click(own);
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe(ALL);
    for (const edited of [own.replace('-1_', '-0_'), own.replace(/-1_[0-9a-f]{12}\./, '-0.')]) {
      const r = await click(edited);
      expect(r.status).toBe(404);
      expect(r.headers.location).toBeUndefined();
    }
    const counters = await s.store.engagement.forRecipient(s.rows[0].rowId);
    expect(counters.filter((c) => c.kind === 'click').map((c) => [c.linkIndex, c.humanHits])).toEqual([[1, 1]]);
  });

  it("still takes the reader who was shown it there, with both links' tokens", async () => {
    const tokens = await clickTokensFor({ vip: 'yes' });
    expect(tokens).toHaveLength(2);
    expect((await Promise.all(tokens.map(click))).map((r) => r.headers.location)).toEqual([VIP, ALL]);
  });
});

describe('content without tags', () => {
  it('keeps one MAC a message: every link is in every message', async () => {
    await start(`<html><body><p>Hi {{ first_name | default: "friend" }}</p><a href="${VIP}">Offer</a> <a href="${ALL}">News</a></body></html>`);
    const tokens = await clickTokensFor({ first_name: 'Ann' });
    expect(tokens).toHaveLength(2);
    for (const t of tokens) expect(t).not.toMatch(/-[0-9a-z]+_/);
    expect(new Set(tokens.map((t) => t.split('.')[1])).size).toBe(1);
    expect((await Promise.all(tokens.map(click))).map((r) => r.headers.location)).toEqual([VIP, ALL]);
  });
});
