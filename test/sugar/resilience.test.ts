// Retries against the real simulator's faults: which failures are retried, how often, and how long we wait.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSugarSim } from '../../scripts/sugar-sim/server.js';
import { SugarApiError } from '../../service/src/sugar/sugar-client.js';
import { calls, caught, type Harness, makeClient, type Sim } from './sim-fixture.js';

let sim: Sim;
let h: Harness;
beforeAll(async () => {
  sim = await startSugarSim({ port: 0, seed: 'empty' });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  sim.faults.reset();
  h = makeClient(sim, { maxRetries: 4 });
  await h.client.get('/ping'); // log in first so faults hit the call under test
  sim.clearRequests();
  h.client.resetStats();
});

const newContact = (last_name: string) => ({ id: crypto.randomUUID(), last_name });

describe('retries', () => {
  it('retries a GET through a run of 503s with capped full-jitter waits', async () => {
    sim.faults.failNext(3, 503, 'maintenance');
    expect(await h.client.get('/ping')).toBe('pong');
    expect(calls(sim)).toEqual(Array(4).fill('GET /ping'));
    expect(h.client.stats()).toMatchObject({ calls: 4, retries: 3, byStatus: { 503: 3, 200: 1 } });
    expect(h.waits).toHaveLength(3);
    for (const [i, w] of h.waits.entries()) {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(10 * 2 ** i);
    }
  });

  it('rides out a maintenance window with real waits', async () => {
    const real = makeClient(sim, { maxRetries: 12, retryBaseMs: 20, retryMaxMs: 80, sleep: undefined });
    await real.client.get('/ping');
    sim.clearRequests();
    real.client.resetStats();
    sim.faults.maintenanceFor(150);
    expect(await real.client.get('/ping')).toBe('pong');
    const seen = sim.requests().map((r) => r.status);
    const s = real.client.stats();
    expect(seen.at(-1)).toBe(200);
    expect(seen.slice(0, -1).every((st) => st === 503)).toBe(true);
    expect(s.calls).toBe(seen.length);
    expect(s.retries).toBe(seen.length - 1);
    expect(s.byStatus[503]).toBe(seen.length - 1);
    await real.client.logout();
  });

  it('gives up after maxRetries with a retryable server error', async () => {
    sim.faults.failNext(10, 502, 'bad_gateway');
    const err = await caught(() => h.client.get('/ping'));
    expect(err).toBeInstanceOf(SugarApiError);
    expect([err.kind, err.status, err.label, err.retryable]).toEqual(['server', 502, 'bad_gateway', true]);
    expect(h.client.stats()).toMatchObject({ calls: 5, retries: 4 });
    expect(calls(sim)).toHaveLength(5);
  });

  it('waits exactly what Retry-After says on 429, capped by retryMaxMs', async () => {
    sim.faults.rateLimitNext(2, 7);
    expect(await h.client.get('/ping')).toBe('pong');
    expect(h.waits).toEqual([7000, 7000]);
    expect(h.client.stats()).toMatchObject({ calls: 3, retries: 2, byStatus: { 429: 2, 200: 1 } });

    const capped = makeClient(sim, { retryMaxMs: 2500 });
    await capped.client.get('/ping');
    sim.faults.rateLimitNext(1, 60);
    await capped.client.get('/ping');
    expect(capped.waits).toEqual([2500]);
  });

  it('retries a 429 even for a plain POST, since Sugar never processed it', async () => {
    sim.faults.rateLimitNext(1, 1);
    const rec = await h.client.post<{ id: string }>('/Contacts', newContact('Ratelimited'));
    expect(rec.id).toBeTruthy();
    expect(calls(sim)).toEqual(['POST /Contacts', 'POST /Contacts']);
    expect(h.waits).toEqual([1000]);
  });

  it('retries a GET after a dropped connection', async () => {
    sim.faults.dropNext(1);
    expect(await h.client.get('/ping')).toBe('pong');
    expect(h.client.stats()).toMatchObject({ calls: 2, retries: 1, byStatus: { network: 1, 200: 1 } });
    expect(sim.requests().map((r) => r.status)).toEqual([0, 200]);
  });

  it('does not replay a non-idempotent POST after a dropped connection or a 5xx', async () => {
    sim.faults.dropNext(1);
    const dropped = await caught(() => h.client.post('/Contacts', { last_name: 'Dropped' }));
    expect([dropped.kind, dropped.retryable]).toEqual(['network', true]);
    sim.faults.failNext(1, 503);
    const failed = await caught(() => h.client.post('/Contacts', { last_name: 'Failed' }));
    expect([failed.kind, failed.status]).toEqual(['server', 503]);
    expect(h.client.stats()).toMatchObject({ calls: 2, retries: 0 });
  });

  it('replays a POST marked idempotent (a create with a client-chosen id)', async () => {
    sim.faults.failNext(1, 503);
    const body = newContact('Idempotent');
    const rec = await h.client.post<{ id: string; last_name: string }>('/Contacts', body, { idempotent: true });
    expect([rec.id, rec.last_name]).toEqual([body.id, 'Idempotent']);
    expect(h.client.stats()).toMatchObject({ calls: 2, retries: 1 });
  });

  it('retries PUT and DELETE on 5xx', async () => {
    const rec = await h.client.post<{ id: string }>('/Contacts', newContact('Mutable'));
    sim.faults.failNext(1, 500, 'fatal_error');
    expect((await h.client.put<{ last_name: string }>(`/Contacts/${rec.id}`, { last_name: 'Changed' })).last_name).toBe('Changed');
    sim.faults.failNext(1, 503);
    expect(await h.client.delete(`/Contacts/${rec.id}`)).toEqual({ id: rec.id });
    expect(h.client.stats()).toMatchObject({ calls: 5, retries: 2 });
  });

  it('never retries 404 or 422', async () => {
    const missing = await caught(() => h.client.get('/Contacts/does-not-exist'));
    expect([missing.kind, missing.status, missing.label, missing.retryable]).toEqual(['not_found', 404, 'not_found', false]);
    const body = newContact('Twice');
    await h.client.post('/Contacts', body, { idempotent: true });
    const dup = await caught(() => h.client.post('/Contacts', body, { idempotent: true }));
    expect([dup.kind, dup.status, dup.label]).toEqual(['invalid', 422, 'invalid_parameter']);
    expect(dup.message).toContain(`Record already exists: ${body.id}`);
    expect(h.client.stats()).toMatchObject({ calls: 3, retries: 0 });
  });

  it('times out a slow answer and retries it', async () => {
    const slow = makeClient(sim, { timeoutMs: 100, maxRetries: 2 });
    await slow.client.get('/ping');
    slow.client.resetStats();
    sim.faults.latencyMs = 400;
    const err = await caught(() => slow.client.get('/ping'));
    expect([err.kind, err.retryable]).toEqual(['timeout', true]);
    expect(slow.client.stats()).toMatchObject({ calls: 3, retries: 2, byStatus: { timeout: 3 } });
  });
});
