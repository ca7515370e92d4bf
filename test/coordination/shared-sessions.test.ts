// Sugar keeps one session per user and platform, so two processes logging in on their own end each other's session
// at each login (the review's two-process Sugar budget test failed on exactly that: extraction got 401 invalid_grant
// after its one renewal). Processes on one PostgreSQL keep one session: each here is a real Sugar client with its
// own store and process id, against the real simulator, calling as the service and (sudo) as a user at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSugarSim } from '../../scripts/sugar-sim/server.js';
import { createSharedSessions } from '../../service/src/coordination/shared-sessions.js';
import type { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { calls, makeClient, type Sim } from '../sugar/sim-fixture.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';

const SECRETS = ['a-service-secret-of-at-least-32-characters!'];

/** Each client calls `n` times, in turn with the other's calls in between (a failed call throws). */
async function interleaved(clients: SugarClient[], n: number, call: (c: SugarClient) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) for (const c of clients) await call(c);
}

describe.skipIf(!debianPgBin())('one Sugar session shared by the processes on one database', () => {
  const { stores, server } = useProcessStores('sessions', { owners: ['p1', 'p2'] });
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(() => sim.clearRequests());

  const processes = (share: boolean) =>
    stores.map(
      (store, i) => makeClient(sim, share ? { sessionShare: createSharedSessions({ store, owner: `p${i + 1}`, serviceSecrets: SECRETS }) } : {}).client,
    );
  const logins = () => calls(sim).filter((c) => c === 'POST /oauth2/token').length;

  it('on their own, each login ends the other process’s session (the control)', async () => {
    const [a, b] = processes(false);
    await interleaved([a, b], 5, (c) => c.get('/me'));
    expect(logins()).toBeGreaterThan(2);
  });

  it('shared, logs in once for both and both keep working, through an expiry and with concurrent calls', async () => {
    const [a, b] = processes(true);
    await interleaved([a, b], 5, (c) => c.get('/me'));
    expect(logins()).toBe(1);
    // Kept sealed (AES-GCM under the service secret), never as readable tokens.
    const kept = server().psql('SELECT sealed FROM sessions.sugar_sessions', 'leadfwd');
    expect(kept).toMatch(/^s1\.[\w-]+\.[\w-]+\.[\w-]+$/);

    sim.faults.expireTokensNow();
    sim.clearRequests();
    await Promise.all([...Array.from({ length: 6 }, () => a.get('/me')), ...Array.from({ length: 6 }, () => b.get('/me'))]);
    // One renewal for both processes (a refresh, or a login if the refresh token died with the session).
    expect(calls(sim).filter((c) => c === 'POST /oauth2/token')).toHaveLength(1);
    await interleaved([a, b], 3, (c) => c.get('/me'));
    expect(logins()).toBe(1);
  });

  it('shared, buys one sudo token for a user and both processes read as her', async () => {
    const [a, b] = processes(true);
    await interleaved([a.sudo('sally'), b.sudo('sally')], 4, async (c) =>
      expect((await c.get<{ current_user: { user_name: string } }>('/me')).current_user.user_name).toBe('sally'),
    );
    expect(calls(sim).filter((c) => c.includes('/oauth2/sudo/sally'))).toHaveLength(1);
  });
});
