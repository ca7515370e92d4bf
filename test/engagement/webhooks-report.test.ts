// The ESP webhook (for relays that rewrite the envelope sender) and the campaign report.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import { SECRET, type Seeded } from './helpers.js';
import { API_KEY, startTrackingServer, type TrackingServer, useTrackingServer, WEBHOOK_SECRET } from './http-support.js';

let s: Seeded;
let srv: TrackingServer;
useTrackingServer(3, (seeded, server) => {
  s = seeded;
  srv = server;
});

async function hook(body: unknown, auth: Record<string, string> = { Authorization: `Bearer ${WEBHOOK_SECRET}` }) {
  const res = await fetch(`${srv.url}/webhooks/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...auth },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const suppressed = async (i: number) => await s.store.suppressions.get(s.rows[i].email.toLowerCase());

describe('POST /webhooks/events', () => {
  it('classifies bounces by their reply, suppresses hard ones, and records complaints and unsubscribes', async () => {
    const [a, b, c] = s.rows;
    const res = await hook({
      events: [
        { type: 'bounce', messageId: a.messageId, recipient: a.email, status: '5.1.1', diagnostic: '550 5.1.1 user unknown' },
        { type: 'bounce', messageId: b.messageId.slice(1, -1), bounceType: 'soft' },
        { type: 'complaint', messageId: c.messageId, feedbackType: 'abuse' },
        { type: 'complaint', messageId: c.messageId, feedbackType: 'abuse' },
        { type: 'unsubscribe', messageId: b.messageId },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { index: 0, result: 'bounce', reason: 'hard' },
      { index: 1, result: 'bounce', reason: 'soft' },
      { index: 2, result: 'complaint' },
      { index: 3, result: 'complaint', reason: 'replay' },
      { index: 4, result: 'optout' },
    ]);
    expect(await suppressed(0)).toMatchObject({ reason: 'hard_bounce' });
    expect(await suppressed(1)).toMatchObject({ reason: 'unsubscribe' });
    expect(await suppressed(2)).toMatchObject({ reason: 'complaint' });
  });

  it('rejects events that are not about our messages or name someone else', async () => {
    const res = await hook([
      { type: 'bounce', messageId: '<lf.camp-1.1.forgedforged0@news.example.test>', status: '5.1.1' },
      { type: 'bounce', messageId: s.rows[0].messageId, recipient: 'other@example.com', status: '5.1.1' },
      { type: 'bounce' },
      { type: 'explode', messageId: s.rows[0].messageId },
      null,
      42,
      'x',
    ]);
    expect(res.body.results.map((r: any) => r.reason)).toEqual([
      'not_our_message',
      'recipient_mismatch',
      'not_our_message',
      'unknown_type',
      'not_an_object',
      'not_an_object',
      'not_an_object',
    ]);
    expect(await suppressed(0)).toBeUndefined();
  });

  it('accepts an HMAC signature of the body instead of a bearer token', async () => {
    const body = JSON.stringify({ type: 'bounce', messageId: s.rows[0].messageId, status: '5.1.1' });
    const sig = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
    expect((await hook(body, { 'X-LeadFWD-Signature': `sha256=${sig}` })).status).toBe(200);
    expect((await hook(body, { 'X-LeadFWD-Signature': `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect(await suppressed(0)).toMatchObject({ reason: 'hard_bounce' });
  });

  it.each<[string, () => Promise<{ status: number }>, number]>([
    ['no credentials', () => hook({}, {}), 401],
    ['a wrong bearer', () => hook({}, { Authorization: 'Bearer nope' }), 401],
    ['bad JSON', () => hook('{"events": [', undefined), 400],
    ['too many events', () => hook({ events: Array.from({ length: 1001 }, () => ({})) }), 413],
    ['a body over 1 MB', () => hook('"' + 'x'.repeat(1_100_000) + '"'), 413],
  ])('answers %s with %i', async (_n, call, status) => {
    expect((await call()).status).toBe(status);
  });

  it('is disabled (404) without a configured secret', async () => {
    await srv.close();
    srv = await startTrackingServer(s.store, { webhookSecret: null });
    expect((await hook({})).status).toBe(404);
  });
});

describe('GET /api/v1/campaigns/:id/report', () => {
  const get = async (path: string, key = API_KEY) => {
    const res = await fetch(`${srv.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('reports sent, accepted, bounces, people and machines apart, per-link clicks, opt-outs and a timeline', async () => {
    const [a, b, c] = s.rows;
    const chrome = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36' };
    await fetch(`${srv.url}/t/o/${signToken(SECRET, { k: 'o', r: a.rowId })}`, { headers: chrome });
    await fetch(`${srv.url}/t/o/${signToken(SECRET, { k: 'o', r: b.rowId })}`, { headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.1.2.3' } });
    await fetch(`${srv.url}/t/c/${signToken(SECRET, { k: 'c', r: a.rowId, l: 0 })}`, { headers: chrome, redirect: 'manual' });
    await fetch(`${srv.url}/t/c/${signToken(SECRET, { k: 'c', r: b.rowId, l: 1 })}`, { method: 'HEAD', redirect: 'manual' });
    await fetch(`${srv.url}/u/${signToken(SECRET, { k: 'u', r: c.rowId })}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    await hook({ type: 'bounce', messageId: b.messageId, status: '5.1.1' });

    const { status, body } = await get(`/campaigns/${s.campaignId}/report`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      campaignId: s.campaignId,
      sent: 3,
      accepted: 3,
      recipients: { total: 3, accepted: 3, queued: 0, failed: 0 },
      bounced: { hard: 1, soft: 0 },
      blocked: 0,
      opened: { people: 1, machineOnly: 1, humanOpens: 1, machineOpens: 1, rate: 0.3333 }, // a's click implies no second open
      clicked: { people: 1, botOnly: 1, humanClicks: 1, botClicks: 1, rate: 0.3333 },
      optedOut: 1,
      complaints: 0,
      links: [
        { index: 0, url: 'https://shop.example.com/spring?utm_source=leadfwd&utm_campaign=spring', people: 1, clicks: 1, botClicks: 0 },
        { index: 1, url: 'https://example.com/about#team', people: 0, clicks: 0, botClicks: 1 },
      ],
      timelineRetentionDays: 90,
    });
    const total = (k: string) => body.timeline.reduce((n: number, h: any) => n + h[k], 0);
    expect({
      opens: total('opens'),
      machineOpens: total('machineOpens'),
      clicks: total('clicks'),
      botClicks: total('botClicks'),
      bounces: total('bounces'),
      optOuts: total('optOuts'),
    }).toEqual({ opens: 1, machineOpens: 1, clicks: 1, botClicks: 1, bounces: 1, optOuts: 1 });
    expect(body.timeline[0].hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
  });

  it('needs authentication and answers 404 for an unknown campaign', async () => {
    expect((await get(`/campaigns/${s.campaignId}/report`, 'wrong-key-wrong-key')).status).toBe(401);
    expect((await get('/campaigns/nope/report')).status).toBe(404);
  });
});
