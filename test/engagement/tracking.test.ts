// Pixel and click redirect over real HTTP: durable opens with a class, bot clicks kept apart, and
// bad tokens that record nothing (pixel still a GIF; click 404 without a Location).
import { describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { PIXEL_GIF } from '../../service/src/http/routes/tracking.js';
import { SECRET, type Seeded, tamper } from './helpers.js';
import { rawGet, type TrackingServer, useTrackingServer } from './http-support.js';

let s: Seeded;
let srv: TrackingServer;
useTrackingServer(3, (seeded, server) => {
  s = seeded;
  srv = server;
});

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const open = (rowId: number) => `/t/o/${signToken(SECRET, { k: 'o', r: rowId })}`;
const click = (rowId: number, l: number) => `/t/c/${signToken(SECRET, { k: 'c', r: rowId, l })}`;
const counters = async (rowId: number) => await s.store.engagement.forRecipient(rowId);
const events = async (type?: string) => await s.store.events.list(s.campaignId, { type, limit: 100 });

function expectGif(res: Awaited<ReturnType<typeof rawGet>>, withBody = true) {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('image/gif');
  expect(res.headers['cache-control']).toMatch(/no-store/);
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.body.equals(withBody ? PIXEL_GIF : Buffer.alloc(0))).toBe(true);
}

describe('open pixel', () => {
  it('answers the GIF only after the open is stored, with a class, a truncated IP and one outbox row', async () => {
    const row = s.rows[0].rowId;
    const res = await rawGet(srv.url, open(row), 'GET', { 'user-agent': CHROME, 'x-forwarded-for': '198.51.100.77' });
    expectGif(res);
    expect(await counters(row)).toEqual([expect.objectContaining({ kind: 'open', humanHits: 1, machineHits: 0 })]);
    const [e] = await events('open');
    expect(e.data).toMatchObject({ class: 'human', machine: false, ip: '198.51.100.0/24' });
    expect(JSON.stringify(e.data)).not.toContain('198.51.100.77');
    await rawGet(srv.url, open(row), 'GET', { 'user-agent': CHROME });
    expect((await counters(row))[0].humanHits).toBe(2);
    expect((await s.store.outbox.stats()).pending).toBe(1); // open:<row> once
  });

  it('keeps machine opens apart and never queues them for Sugar', async () => {
    const row = s.rows[1].rowId;
    expectGif(await rawGet(srv.url, open(row), 'GET', { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.58.1.9' }));
    expectGif(await rawGet(srv.url, open(row), 'GET', { 'user-agent': 'Barracuda Sentinel (EE)', 'x-forwarded-for': '198.51.100.1' }));
    expect(await counters(row)).toEqual([expect.objectContaining({ kind: 'open', humanHits: 0, machineHits: 2 })]);
    expect((await events('open')).map((e) => e.data?.class)).toEqual(['apple_mpp', 'scanner']);
    expect((await s.store.outbox.stats()).pending).toBe(0);
  });

  it('does not count HEAD as an open', async () => {
    expectGif(await rawGet(srv.url, open(s.rows[0].rowId), 'HEAD', { 'user-agent': CHROME }), false);
    expect(await events()).toEqual([]);
  });

  it.each<[string, (good: string) => string]>([
    ['tampered', (g) => tamper(g)],
    ['truncated', (g) => g.slice(0, -3)],
    ['empty', () => '/t/o/'],
    ['huge (10 KB)', () => '/t/o/' + 'A'.repeat(10_000)],
    ['percent-encoded', (g) => g.replace(/\.(?=[^.]*$)/, '%2E')],
    ['double-encoded slash', (g) => g + '%252F..%252F'],
    ['percent-encoded non-UTF-8', () => '/t/o/o1.%FF%FE%C3%28'],
    ['a click token', () => click(s.rows[0].rowId, 0).replace('/t/c/', '/t/o/')],
    ['extra path', (g) => g + '/x.gif'],
  ])('a %s token still gets the GIF and records nothing', async (_n, make) => {
    expectGif(await rawGet(srv.url, make(open(s.rows[0].rowId)), 'GET', { 'user-agent': CHROME }));
    expect(await events()).toEqual([]);
    expect(await counters(s.rows[0].rowId)).toEqual([]);
  });

  it('still answers the GIF when recording fails', async () => {
    s.store.close();
    expectGif(await rawGet(srv.url, open(s.rows[0].rowId), 'GET', { 'user-agent': CHROME }));
  });
});

describe('click redirect', () => {
  it('redirects to the stored URL with its UTM parameters, no-store, and counts a person (and an open)', async () => {
    const row = s.rows[0].rowId;
    const res = await rawGet(srv.url, click(row, 0), 'GET', { 'user-agent': CHROME, 'x-forwarded-for': '2001:db8:aa:bb::1' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://shop.example.com/spring?utm_source=leadfwd&utm_campaign=spring');
    expect(res.headers['cache-control']).toMatch(/no-store/);
    expect(await counters(row)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'click', linkIndex: 0, humanHits: 1, machineHits: 0 }),
        expect.objectContaining({ kind: 'open', humanHits: 1 }),
      ]),
    );
    expect((await events('click'))[0].data).toMatchObject({ linkIndex: 0, machine: false, ip: '2001:db8:aa::/48' });
    expect((await s.store.outbox.stats()).pending).toBe(2); // click:<row>:0 and open:<row>
  });

  it('keeps the fragment of a stored link', async () => {
    const res = await rawGet(srv.url, click(s.rows[0].rowId, 1), 'GET', { 'user-agent': CHROME });
    expect(res.headers.location).toBe('https://example.com/about#team');
  });

  it.each<[string, Record<string, string>, string]>([
    ['HEAD', {}, 'head_request'],
    ['GET', { 'user-agent': 'Mozilla/5.0 (compatible; Proofpoint URL Defense)' }, 'scanner_agent'],
    ['GET', {}, 'no_user_agent'],
  ])('a %s bot click %j is kept apart and still redirected', async (method, headers, reason) => {
    const row = s.rows[2].rowId;
    const res = await rawGet(srv.url, click(row, 0), method, headers);
    expect(res.status).toBe(302);
    expect(await counters(row)).toEqual([expect.objectContaining({ kind: 'click', humanHits: 0, machineHits: 1 })]);
    expect((await events('click'))[0].data).toMatchObject({ machine: true, reason });
    expect((await s.store.outbox.stats()).pending).toBe(0);
  });

  it('flags every link of a message hit at once', async () => {
    const row = s.rows[1].rowId;
    await rawGet(srv.url, click(row, 0), 'GET', { 'user-agent': CHROME });
    await rawGet(srv.url, click(row, 1), 'GET', { 'user-agent': CHROME });
    expect((await events('click')).map((e) => e.data?.reason)).toEqual(['person', 'every_link_at_once']);
  });

  it.each<[string, () => string]>([
    ['tampered', () => tamper(click(s.rows[0].rowId, 0))],
    ['truncated', () => click(s.rows[0].rowId, 0).slice(0, -4)],
    ['a link index the campaign does not have', () => click(s.rows[0].rowId, 99)],
    ['an unknown recipient', () => click(987_654, 0)],
    ['an open token', () => open(s.rows[0].rowId).replace('/t/o/', '/t/c/')],
    ['huge (10 KB)', () => '/t/c/' + 'c'.repeat(10_000)],
    ['percent-encoded', () => click(s.rows[0].rowId, 0).replace('.', '%2e')],
    ['percent-encoded non-UTF-8', () => '/t/c/%C3%28%A0%A1'],
    ['an open-redirect attempt', () => click(s.rows[0].rowId, 0) + '?url=https://evil.example'],
  ])('%s answers 404 without redirecting', async (_n, make) => {
    const res = await rawGet(srv.url, make(), 'GET', { 'user-agent': CHROME });
    if (_n === 'an open-redirect attempt') {
      expect(res.headers.location).toBe('https://shop.example.com/spring?utm_source=leadfwd&utm_campaign=spring');
      return;
    }
    expect(res.status).toBe(404);
    expect(res.headers.location).toBeUndefined();
    expect(await events()).toEqual([]);
  });
});

describe('requests Node refuses before any route runs', () => {
  it('answers raw non-ASCII bytes and over-long URLs with 4xx and keeps serving', async () => {
    expect((await rawGet(srv.url, '/t/o/o1.\xff\xfe', 'GET')).status).toBe(400);
    expect((await rawGet(srv.url, '/t/c/' + 'c'.repeat(20_000), 'GET')).status).toBe(431);
    expectGif(await rawGet(srv.url, open(s.rows[0].rowId), 'GET', { 'user-agent': CHROME }));
  });
});

describe('without the fast path', () => {
  it('the Express route records and answers the same GIF', async () => {
    const { default: request } = await import('supertest');
    const { createApp } = await import('../../service/src/http/app.js');
    const { trackingRoutes } = await import('../../service/src/http/routes/tracking.js');
    const app = createApp({
      auth: {
        verifySugarToken: async () => {
          throw new Error('none');
        },
      },
      apiRouters: [],
      publicRouters: [trackingRoutes({ secret: SECRET, opens: srv.engagement.opens, clicks: srv.engagement.clicks })],
    });
    const res = await request(app)
      .get(open(s.rows[0].rowId))
      .set('user-agent', CHROME)
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = [];
        r.on('data', (d: Buffer) => c.push(d));
        r.on('end', () => cb(null, Buffer.concat(c)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((res.body as Buffer).equals(PIXEL_GIF)).toBe(true);
    expect((await counters(s.rows[0].rowId))[0].humanHits).toBe(1);
  });
});

describe('answering before the commit (LEADFWD_PIXEL_ANSWER_AFTER_COMMIT=false)', () => {
  it('answers the GIF at once and still stores the open moments later', async () => {
    const { trackingFastPath } = await import('../../service/src/http/routes/tracking.js');
    const { createServer } = await import('node:http');
    const fast = trackingFastPath({ secret: SECRET, opens: srv.engagement.opens, clicks: srv.engagement.clicks, answerAfterCommit: false });
    const server = createServer((req, res) => {
      if (!fast(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      expectGif(await rawGet(url, open(s.rows[1].rowId), 'GET', { 'user-agent': CHROME }));
      for (let i = 0; i < 50 && (await counters(s.rows[1].rowId)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await counters(s.rows[1].rowId)).toEqual([expect.objectContaining({ kind: 'open', humanHits: 1 })]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
