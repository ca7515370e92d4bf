// RFC 8058 one-click and the confirmation page over real HTTP.
import { describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { SECRET, type Seeded, tamper } from './helpers.js';
import { rawGet, type TrackingServer, useTrackingServer } from './http-support.js';

let s: Seeded;
let srv: TrackingServer;
useTrackingServer(
  2,
  (seeded, server) => {
    s = seeded;
    srv = server;
  },
  { senderName: 'Spring <Team> & "Co"', senderAddress: "1 O'Hara St <script>x</script>, Springfield" },
);

const path = (rowId: number) => `/u/${signToken(SECRET, { k: 'u', r: rowId })}`;
const suppressed = async (i = 0) => await s.store.suppressions.get(s.rows[i].email.toLowerCase());

async function post(p: string, body: string | FormData = 'List-Unsubscribe=One-Click', headers: Record<string, string> = {}) {
  const init: RequestInit = {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: typeof body === 'string' ? { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } : headers,
  };
  const res = await fetch(srv.url + p, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('GET /u/:token', () => {
  it('shows an accessible confirmation page with the sender, escaped, and changes nothing', async () => {
    const res = await fetch(srv.url + path(s.rows[0].rowId));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<form method="post" action="\?via=page">/);
    expect(html).toMatch(/<button type="submit"[^>]*>Unsubscribe<\/button>/);
    expect(html).toContain('Spring &lt;Team&gt; &amp; &quot;Co&quot;');
    expect(html).toContain('1 O&#39;Hara St &lt;script&gt;x&lt;/script&gt;, Springfield');
    expect(html).not.toContain('<script>');
    expect(html).toContain('P******@Example.com'); // masked address
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await suppressed()).toBeUndefined();
    expect((await s.store.outbox.stats()).pending).toBe(0);
  });

  it('answers 404 for a bad token', async () => {
    const res = await fetch(srv.url + path(s.rows[0].rowId).slice(0, -2), { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('POST /u/:token (RFC 8058)', () => {
  it('opts out on a urlencoded one-click POST: 200, no redirect, no cookie, suppressed first and queued for Sugar', async () => {
    const res = await post(path(s.rows[0].rowId));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await suppressed()).toMatchObject({ reason: 'unsubscribe', source: 'one_click:camp-1' });
    expect((await s.store.outbox.stats()).pending).toBe(1);
    expect((await s.store.engagement.summary(s.campaignId)).facts.opt_out).toBe(1);
  });

  it('accepts multipart/form-data, as RFC 8058 prefers', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await post(path(s.rows[1].rowId), form)).status).toBe(200);
    expect(await suppressed(1)).toMatchObject({ reason: 'unsubscribe' });
  });

  it('is idempotent: a replay answers 200 and records nothing new', async () => {
    for (let i = 0; i < 3; i++) expect((await post(path(s.rows[0].rowId))).status).toBe(200);
    expect((await s.store.outbox.stats()).pending).toBe(1);
    expect(await s.store.events.list(s.campaignId, { type: 'optout', limit: 10 })).toHaveLength(1);
  });

  it('needs no cookies, origin or auth, and ignores a cross-site origin', async () => {
    expect((await post(path(s.rows[0].rowId), 'List-Unsubscribe=One-Click', { Origin: 'https://mail.google.com' })).status).toBe(200);
  });

  it('records the page button as its own source', async () => {
    expect((await post(path(s.rows[0].rowId) + '?via=page')).status).toBe(200);
    expect(await suppressed()).toMatchObject({ source: 'page:camp-1' });
  });

  it.each<[string, () => string]>([
    ['tampered', () => tamper(path(s.rows[0].rowId))],
    ['truncated', () => path(s.rows[0].rowId).slice(0, 12)],
    ['another kind of token', () => `/u/${signToken(SECRET, { k: 'o', r: s.rows[0].rowId })}`],
    ['an unknown recipient', () => path(424_242)],
    ['percent-encoded', () => path(s.rows[0].rowId).replace('.', '%2E')],
    ['huge', () => '/u/' + 'u'.repeat(9000)],
  ])('a %s token answers 404 and changes nothing', async (_n, make) => {
    const res = await post(make());
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
    expect(await suppressed()).toBeUndefined();
  });

  it('says so (503) instead of pretending when the store cannot write', async () => {
    s.store.close();
    const res = await post(path(s.rows[0].rowId));
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/try again/i);
  });

  it('shows a person a page, not JSON, when the page cannot read the store', async () => {
    s.store.close();
    const res = await rawGet(srv.url, path(s.rows[0].rowId));
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.toString()).toMatch(/<h1>Please try again<\/h1>/);
  });

  it('does not read GET as consent even with the one-click body shape in the query', async () => {
    const res = await rawGet(srv.url, path(s.rows[0].rowId) + '?List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(await suppressed()).toBeUndefined();
  });
});
