// Issue 12, finding 5: public and semi-public paths that cost more than a stranger should be able to make them
// cost. Every unknown OAuth-Token cost a Sugar /me call (200 junk tokens, 203 calls); /readyz took the write
// lock and opened a Sugar request and an SMTP connection per call; raw events per recipient were unbounded;
// a LeadFWD list from a filter read a whole module into memory, and GET /lists/:id was not paged.
import { describe, expect, it } from 'vitest';
import { toHttp } from '../../service/src/http/errors.js';
import { createTokenVerifier } from '../../service/src/http/token-checks.js';
import { createLeadfwdLists } from '../../service/src/lists/service.js';
import { SugarApiError } from '../../service/src/sugar/errors.js';
import { campaignBody } from '../support/campaigns.js';
import { mailTo, type Stack, useStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';

let stack: Stack;
useStack({ env: { LEADFWD_SEND_THREADS: '0' } }, (s) => {
  stack = s;
});

const meCalls = () => stack.sim.requests().filter((r) => r.path.endsWith('/me')).length;
const withToken = (token: string) => fetch(`${stack.service.url}/api/v1/campaigns`, { headers: { 'OAuth-Token': token } });

describe('Sugar token checks', () => {
  it('asks Sugar once about a junk token sent 200 times, and refuses it with 401 each time', async () => {
    const before = meCalls();
    const statuses = await Promise.all(Array.from({ length: 200 }, () => withToken('junk-token-0001').then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(meCalls() - before).toBe(1); // was 200
    for (let i = 0; i < 50; i++) expect((await withToken('junk-token-0001')).status).toBe(401);
    expect(meCalls() - before).toBe(1);
  });

  it('keeps at most 4 /me calls in flight for 200 different junk tokens, the overflow refused with 429, and a second round costs nothing', async () => {
    stack.sim.faults.latencyMs = 100;
    try {
      const before = meCalls();
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, stack.sim.requests().filter((r) => r.path.endsWith('/me') && r.status === 0).length);
      }, 5);
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => withToken(`junk-${i}`).then((r) => r.status)));
      clearInterval(sampler);
      expect(peak).toBeLessThanOrEqual(4);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect(statuses).toContain(429);
      const asked = meCalls() - before;
      expect(asked).toBeLessThanOrEqual(4 + 64); // in flight plus queued; was one per token
      const again = await Promise.all(Array.from({ length: 200 }, (_, i) => withToken(`junk-${i}`).then((r) => r.status)));
      expect(again.filter((s) => s === 401).length).toBeGreaterThanOrEqual(asked);
      expect(meCalls() - before).toBeLessThanOrEqual(asked + statuses.filter((s) => s === 429).length); // only tokens never asked about
    } finally {
      stack.sim.faults.latencyMs = 0;
    }
  }, 60_000);

  it('remembers a rejection only for a while, and never remembers a Sugar outage as a rejection', async () => {
    let clock = 0;
    let calls = 0;
    let answer: 'auth' | 'server' = 'server';
    const verify = createTokenVerifier(
      async () => {
        calls++;
        throw new SugarApiError({ kind: answer, method: 'GET', path: '/me', message: 'no' });
      },
      { rejectedTtlMs: 1000, now: () => clock },
    );
    await expect(verify('t')).rejects.toMatchObject({ kind: 'server' });
    await expect(verify('t')).rejects.toMatchObject({ kind: 'server' });
    expect(calls).toBe(2);
    answer = 'auth';
    await expect(verify('t')).rejects.toMatchObject({ kind: 'auth' });
    await expect(verify('t')).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(3);
    clock = 1001;
    await expect(verify('t')).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(4);
  });
});

describe('raw events per recipient', () => {
  it('keeps at most 50 raw opens and 50 raw clicks for one recipient, while the counters count every hit', async () => {
    const sugar = adminClient(stack.sim.url);
    const list = await createListOf(sugar, 'Events cap', [{ first_name: 'Rae', emails: [{ address: 'rae@example.com' }] }]);
    const html = '<p>Hi <a href="https://example.com/one">one</a> <a href="https://example.com/two">two</a></p>';
    const created = await stack.api('POST', '/campaigns', campaignBody([list], { name: 'Events cap', html, sendAt: new Date().toISOString() }));
    expect(created.status).toBe(201);
    const msg = await waitFor(() => mailTo(stack.sink, 'rae@example.com')[0], 'the message');
    const body = msg.raw.toString().replace(/=\r\n/g, '').replace(/=3D/g, '=');
    const pixel = /\/t\/o\/[A-Za-z0-9._-]+/.exec(body)![0];
    const clicks = [...new Set([...body.matchAll(/\/t\/c\/[A-Za-z0-9._-]+/g)].map((m) => m[0]))];
    expect(clicks.length).toBe(2);
    for (let i = 0; i < 120; i++) await fetch(`${stack.service.url}${pixel}`).then((r) => r.arrayBuffer());
    for (let i = 0; i < 70; i++) await fetch(`${stack.service.url}${clicks[i % 2]}`, { redirect: 'manual' }).then((r) => r.arrayBuffer());
    const store = stack.service.store;
    const rowId = (await store.recipients.list(created.body.id, { limit: 1, offset: 0 }))[0].rowId;
    const counters = await store.engagement.forRecipient(rowId);
    const hits = (kind: string) => counters.filter((k) => k.kind === kind).reduce((n, k) => n + k.humanHits + k.machineHits, 0);
    expect(hits('open')).toBe(120);
    expect(hits('click')).toBe(70);
    const events = await store.events.list(created.body.id, { limit: 10_000 });
    expect(events.filter((e) => e.type === 'open').length).toBe(50);
    expect(events.filter((e) => e.type === 'click').length).toBe(50);
  }, 60_000);
});

describe('LeadFWD lists from a filter', () => {
  it('are streamed page by page, refused with 422 above the maximum leaving nothing behind, and read back a page at a time', async () => {
    stack.sim.seedBulk({ lists: 1, perList: 2500, modules: ['Contacts'] });
    const small = createLeadfwdLists({ store: stack.service.store, maxMembers: 1000 });
    const listsBefore = (await stack.service.store.lists.list()).length;
    const operator = { kind: 'operator', sugar: stack.service.sugar } as const;
    const refusal = await small.fromFilter({ name: 'Too big', module: 'Contacts', filter: [] }, operator).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'list_too_large' });
    expect(toHttp(refusal).status).toBe(422); // the use case names the code; the HTTP adapter answers 422 for it
    expect((await stack.service.store.lists.list()).length).toBe(listsBefore);

    const created = await stack.api('POST', '/lists', { name: 'Everyone', module: 'Contacts', filter: [] });
    expect(created.status).toBe(201);
    expect(created.body.memberCount).toBeGreaterThanOrEqual(2500);
    const seen = new Set<string>();
    let after: number | undefined;
    let pages = 0;
    do {
      const page = await stack.api('GET', `/lists/${created.body.id}?limit=1000${after !== undefined ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.members.length).toBeLessThanOrEqual(1000);
      expect(page.body.memberCount).toBe(created.body.memberCount);
      for (const m of page.body.members) seen.add(m.recordId);
      after = page.body.nextAfter;
      pages++;
    } while (after !== undefined);
    expect(seen.size).toBe(created.body.memberCount);
    expect(pages).toBe(Math.ceil(created.body.memberCount / 1000) + (created.body.memberCount % 1000 === 0 ? 1 : 0));
    for (const bad of ['limit=0', 'limit=99999', 'after=-1', 'limit=abc']) {
      const r = await stack.api('GET', `/lists/${created.body.id}?${bad}`);
      expect(r.status, bad).toBe(422);
    }
  }, 60_000);
});
