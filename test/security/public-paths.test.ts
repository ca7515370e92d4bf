// Issue 12, finding 5: public and semi-public paths that cost more than a stranger should be able to make them
// cost. Every unknown OAuth-Token cost a Sugar /me call (200 junk tokens, 203 calls); /readyz took the write
// lock and opened a Sugar request and an SMTP connection per call; raw events per recipient were unbounded;
// a LeadFWD list from a filter read a whole module into memory, and GET /lists/:id was not paged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { createTokenVerifier } from '../../service/src/sugar/token-verifier.js';
import { SugarApiError } from '../../service/src/sugar/errors.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ env: { LEADFWD_SEND_THREADS: '0' } }); }, 30_000);
afterAll(async () => { await stack?.stop(); });

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

  it('keeps at most 4 /me calls in flight for 200 different junk tokens, the overflow refused as busy (503), and a second round costs nothing', async () => {
    stack.sim.faults.latencyMs = 100;
    try {
      const before = meCalls();
      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, stack.sim.requests().filter((r) => r.path.endsWith('/me') && r.status === 0).length); }, 5);
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => withToken(`junk-${i}`).then((r) => r.status)));
      clearInterval(sampler);
      expect(peak).toBeLessThanOrEqual(4);
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
      const asked = meCalls() - before;
      expect(asked).toBeLessThanOrEqual(4 + 64); // in flight plus queued; was one per token
      const again = await Promise.all(Array.from({ length: 200 }, (_, i) => withToken(`junk-${i}`).then((r) => r.status)));
      expect(again.filter((s) => s === 401).length).toBeGreaterThanOrEqual(asked);
      expect(meCalls() - before).toBeLessThanOrEqual(asked + statuses.filter((s) => s === 503).length); // only tokens never asked about
    } finally {
      stack.sim.faults.latencyMs = 0;
    }
  }, 60_000);

  it('remembers a rejection only for a while, and never remembers a Sugar outage as a rejection', async () => {
    let clock = 0;
    let calls = 0;
    let answer: 'auth' | 'server' = 'server';
    const verify = createTokenVerifier(async () => {
      calls++;
      throw new SugarApiError({ kind: answer, method: 'GET', path: '/me', message: 'no' });
    }, { rejectedTtlMs: 1000, now: () => clock });
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
