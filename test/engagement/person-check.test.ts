// Tokens name their person, not only their row (issue 15): after a failover that lost the last commits, a row id in
// mail already sent can name someone else. Over real HTTP on a real store: a token whose person check does not name
// the row's campaign and address records nothing — no open, no click, no opt-out, nothing for Sugar, no suppression —
// and is counted; the row's own tokens, and tokens minted before the check, work as before.
import { describe, expect, it } from 'vitest';
import { signToken, type TokenPerson } from '../../service/src/domain/tokens.js';
import { routeFor } from '../../service/src/mail/inbound/addresses.js';
import { HUMAN_UA } from '../writeback/helpers.js';
import { BOUNCE_DOMAIN, SECRET, type Seeded } from './helpers.js';
import { rawGet, type TrackingServer, useTrackingServer } from './http-support.js';

let s: Seeded;
let srv: TrackingServer;
useTrackingServer(
  2,
  (seeded, server) => {
    s = seeded;
    srv = server;
  },
  { engagement: { tokenKeys: [SECRET] } },
);

const paths = (rowId: number, person?: TokenPerson) => ({
  open: `/t/o/${signToken(SECRET, { k: 'o', r: rowId }, person)}`,
  click: `/t/c/${signToken(SECRET, { k: 'c', r: rowId, l: 0 }, person)}`,
  unsubscribe: `/u/${signToken(SECRET, { k: 'u', r: rowId }, person)}`,
  mailto: `unsubscribe+${signToken(SECRET, { k: 'u', r: rowId }, person)}@${BOUNCE_DOMAIN}`,
});

async function hitAll(p: ReturnType<typeof paths>) {
  const open = await rawGet(srv.url, p.open, 'GET', { 'user-agent': HUMAN_UA });
  const click = await rawGet(srv.url, p.click, 'GET', { 'user-agent': HUMAN_UA });
  const page = await rawGet(srv.url, p.unsubscribe, 'GET');
  const post = await rawGet(srv.url, p.unsubscribe, 'POST', { 'content-type': 'application/x-www-form-urlencoded' });
  const route = routeFor(p.mailto, [SECRET], BOUNCE_DOMAIN);
  const mailto = route?.type === 'unsubscribe' ? await srv.engagement.facts.optOut(route.rowId, 'mailto', route.person) : undefined;
  return { open, click, page, post, mailto };
}

describe('a token whose person check names someone else', () => {
  it('records nothing on the row that holds another person now, and counts it', async () => {
    const row = s.rows[0];
    // Minted for whoever had this row id before the failover: another address, or the same address in another campaign.
    for (const before of [
      { campaignId: s.campaignId, email: 'someone.else@example.org' },
      { campaignId: 'camp-lost', email: row.email },
    ]) {
      const r = await hitAll(paths(row.rowId, before));
      expect(r.open.status).toBe(200); // the GIF all the same
      expect(r.open.headers['content-type']).toBe('image/gif');
      expect(r.click.status).toBe(404);
      expect(r.click.headers.location).toBeUndefined();
      expect(r.page.status).toBe(404);
      expect(r.page.body.toString()).not.toContain('@'); // not even the masked address of the row's person
      expect(r.post.status).toBe(404);
      expect(r.mailto).toMatchObject({ known: false });
    }
    await srv.engagement.opens.flush();
    expect(await s.store.engagement.forRecipient(row.rowId)).toEqual([]);
    expect(await s.store.events.list(s.campaignId, { limit: 10 })).toEqual([]);
    expect((await s.store.outbox.stats()).pending).toBe(0);
    expect([...(await s.store.suppressions.filterSuppressed(['person0@example.com']))]).toEqual([]);
    expect(srv.engagement.personMismatches()).toBe(2 * 5);
  });

  it('records its own person as before, and a token minted before the check names its row unchecked', async () => {
    const [mine, legacy] = s.rows;
    const own = await hitAll(paths(mine.rowId, { campaignId: s.campaignId, email: mine.email }));
    expect(own.click.status).toBe(302);
    expect(own.page.body.toString()).toContain('P******@Example.com');
    expect(own.post.status).toBe(200);
    expect(own.mailto).toMatchObject({ known: true });
    const old = await hitAll(paths(legacy.rowId));
    expect(old.click.status).toBe(302);
    expect(old.post.status).toBe(200);
    await srv.engagement.opens.flush();
    for (const r of [mine, legacy]) expect((await s.store.engagement.forRecipient(r.rowId)).map((c) => c.kind).sort()).toEqual(['click', 'open']);
    expect([...(await s.store.suppressions.filterSuppressed(['person0@example.com', 'person1@example.com']))].sort()).toEqual([
      'person0@example.com',
      'person1@example.com',
    ]);
    expect(srv.engagement.personMismatches()).toBe(0);
  });
});
