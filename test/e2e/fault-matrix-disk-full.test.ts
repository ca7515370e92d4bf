// Fault matrix, disk full on a running service: the database file has a quota (LEADFWD_DB_MAX_MB)
// that a campaign's targets overflow, giving SQLite a real SQLITE_FULL. The service must refuse the
// work with a clear reason, send nothing, keep serving, and say so on /readyz.
import { describe, expect, it } from 'vitest';
import { campaignBody } from '../support/campaigns.js';
import { cleanLists } from '../support/service-process.js';
import { type Stack, untilReadyz, useStack, waitFor } from '../support/stack.js';

let stack: Stack;
useStack({ env: { LEADFWD_DB_MAX_MB: '1', LEADFWD_SEND_THREADS: '0' } }, (s) => {
  stack = s;
});

describe('disk full while a campaign is extracted', () => {
  it('fails the campaign with the reason, sends nothing, keeps serving and reports the database on /readyz', async () => {
    const { listIds } = stack.sim.seedBulk(cleanLists({ lists: 1, perList: 4000 }));
    const created = await stack.api('POST', '/campaigns', campaignBody(listIds, { name: 'Full' }));
    expect(created.status).toBe(201);
    const view = await waitFor(async () => {
      const v = (await stack.api('GET', `/campaigns/${created.body.id}`)).body;
      return v.status === 'extracting' || v.status === 'pending' || v.status === 'sending' ? undefined : v;
    }, 'the campaign to stop');
    expect(view.status).toBe('failed');
    expect(view.history.at(-1).reason).toBe('extraction failed: The data store is unavailable (disk full); nothing was written. Try again later.');
    await new Promise((r) => setTimeout(r, 300)); // a failed campaign must not start sending later
    expect(stack.sink.messages).toHaveLength(0);
    expect((await stack.api('GET', `/campaigns/${created.body.id}`)).body.progress).toMatchObject({ sending: 0, accepted: 0, uncertain: 0 });
    expect((await fetch(`${stack.service.url}/healthz`)).status).toBe(200);
    expect((await stack.api('GET', '/campaigns')).status).toBe(200);
    const ready = await untilReadyz(stack.service.url, 503);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.database).toEqual({ ok: false, reason: 'database not writable (SQLITE_FULL)' });
  }, 60_000);
});
