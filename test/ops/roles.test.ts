// Roles per process (LEADFWD_ROLES): a process starts only what its roles need. One with `api` alone takes a campaign
// but never extracts or sends it (no scheduler) and serves no tracking; one with `tracking` alone answers the pixel
// and serves no API; the inbound bounce listener comes with `tracking`. Real service, SQLite, simulator and sink.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { campaignBody } from '../support/campaigns.js';
import { cleanLists } from '../support/service-process.js';
import { type Stack, startStack } from '../support/stack.js';

let stack: Stack | undefined;

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
  await new Promise((r) => s.close(r));
  return port;
}

async function readyz(url: string) {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; reason?: string }> } };
}
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('roles per process', () => {
  it('with api alone takes campaigns but sends nothing, and serves no tracking', async () => {
    stack = await startStack({ env: { LEADFWD_ROLES: 'api' } });
    const { listIds } = stack.sim.seedBulk(cleanLists({ lists: 1, perList: 3 }));
    const created = await stack.api('POST', '/campaigns', campaignBody(listIds, { name: 'Waits' }));
    expect(created.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1500)); // three ticks of a scheduler, were there one
    expect((await stack.api('GET', `/campaigns/${created.body.id}`)).body.status).toBe('draft');
    expect(stack.sink.messages).toHaveLength(0);
    expect((await fetch(`${stack.service.url}/t/o/anything.gif`)).status).toBe(404);
    expect(stack.service.bouncePort).toBe(0); // no inbound listener without tracking
  });

  it('with tracking alone answers the pixel and serves no API', async () => {
    stack = await startStack({ env: { LEADFWD_ROLES: 'tracking', LEADFWD_BOUNCE_SMTP_PORT: '0' } });
    const pixel = await fetch(`${stack.service.url}/t/o/not-a-token.gif`);
    expect(pixel.status).toBe(200); // a bad token still gets its GIF, recording nothing
    expect(pixel.headers.get('content-type')).toMatch(/image\/gif/);
    expect(await stack.api('GET', '/campaigns')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'This process does not serve the API (LEADFWD_ROLES=tracking): GET /campaigns goes to one that does' },
    });
    expect(stack.service.bouncePort).toBeGreaterThan(0);
    // Nor does it authenticate anyone: checking a token cost a call to Sugar from the public host, and told a valid
    // Sugar token from an invalid one.
    const before = stack.sim.requests().length;
    for (const headers of [{}, { 'OAuth-Token': 'junk-token' }, { Authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const r = await fetch(`${stack.service.url}/api/v1/campaigns/x/uncertain`, { method: 'POST', headers, body: '{"action":"resend"}' });
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: 'not_found', message: expect.stringMatching(/^This process does not serve the API/) });
    }
    expect(
      stack.sim
        .requests()
        .slice(before)
        .filter((q) => q.path.includes('/me')),
    ).toEqual([]);
  });

  it('is ready by what each role uses: tracking needs neither Sugar nor the relay, api and writeback not the relay, send both', async () => {
    const down = { LEADFWD_SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`, LEADFWD_SUGAR_URL: `http://127.0.0.1:${await closedPort()}` };
    stack = await startStack({ env: { LEADFWD_ROLES: 'tracking', LEADFWD_BOUNCE_SMTP_PORT: '0', ...down } });
    expect(await readyz(stack.service.url)).toEqual({ status: 200, body: { ready: true, checks: { database: { ok: true }, inbound: { ok: true } } } });
    await stack.stop();

    stack = await startStack({ env: { LEADFWD_ROLES: 'api', LEADFWD_SMTP_URL: down.LEADFWD_SMTP_URL } });
    expect(await readyz(stack.service.url)).toEqual({ status: 200, body: { ready: true, checks: { database: { ok: true }, sugar: { ok: true } } } });
    await stack.stop();

    // The same unreachable relay keeps a sending process out of the load balancer, naming it.
    stack = await startStack({ env: { LEADFWD_ROLES: 'api,send', LEADFWD_SMTP_URL: down.LEADFWD_SMTP_URL } });
    const send = await readyz(stack.service.url);
    expect(send.status).toBe(503);
    expect(send.body.checks.smtp).toEqual({ ok: false, reason: 'SMTP relay unreachable (ECONNREFUSED)' });
    expect(send.body.checks.sugar).toEqual({ ok: true });
    // Through a proxy, the status and which check failed, not why (the relay's and the database's addresses).
    const proxied = await fetch(`${stack.service.url}/readyz`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect(proxied.status).toBe(503);
    const hidden = await proxied.json();
    expect(hidden.checks).toEqual({ database: { ok: true }, sugar: { ok: true }, smtp: { ok: false } });
    expect(hidden.reasons).toMatch(/loopback or with the API key/);
    await stack.stop();

    // The write-back only calls Sugar: Sugar down takes it out, the relay does not.
    stack = await startStack({ env: { LEADFWD_ROLES: 'writeback', ...down } });
    const writeback = await readyz(stack.service.url);
    expect(writeback.status).toBe(503);
    expect(writeback.body.checks.sugar.ok).toBe(false);
    expect(writeback.body.checks.smtp).toBeUndefined();
  });
});
