// /readyz follows a PostgreSQL outage at once (issue 15): a service process answers from a result refreshed at most
// every 5 s, so it went on saying 200 for up to 5 s after its own loops had found the database gone. Now the first
// statement anywhere in the process that finds PostgreSQL unreachable fails the database check for the very next
// request, and the next probe that succeeds once PostgreSQL is back clears it.
import { afterAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';

describe.skipIf(!debianPgBin())('/readyz during a PostgreSQL outage', () => {
  const rig = usePgProcessRig('pgreadyz');
  let p: ServiceProcess | undefined;
  afterAll(async () => {
    await rig.pg.start().catch(() => {});
  });

  const readyz = async (q: ServiceProcess) => {
    const res = await fetch(`${q.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks: { database: { ok: boolean; reason?: string } } } };
  };
  const outages = (q: ServiceProcess) => (q.stderr().match(/"outage":true/g) ?? []).length;

  it('turns 503 on the first request after a statement met PostgreSQL gone, and 200 once a probe succeeds again', async () => {
    p = await rig.start('r1');
    const q = p;
    await waitFor(async () => (await readyz(q)).status === 200 || undefined, '/readyz 200', 30_000);
    // A fresh result: without the failures reported, it would be answered for the next 5 s.
    expect((await readyz(q)).status).toBe(200);
    const freshAt = Date.now();
    const before = outages(q);

    await rig.pg.stop('immediate');
    await waitFor(() => outages(q) > before || undefined, 'a loop to meet the outage', 10_000);
    const failedAt = Date.now();
    const during = await readyz(q);
    console.log(`first outage logged ${failedAt - freshAt} ms after the last 200; /readyz then: ${during.status} ${during.body.checks.database.reason}`);
    expect(failedAt - freshAt, 'the outage must be met while the 200 is still fresh, or this proves nothing').toBeLessThan(5000);
    expect(during.status).toBe(503);
    expect(during.body.checks.database).toMatchObject({ ok: false, reason: expect.stringMatching(/database not writable/) });

    await rig.pg.start();
    await waitFor(async () => (await readyz(q)).status === 200 || undefined, '/readyz 200 again', 20_000);
    expect((await readyz(q)).body.checks.database.ok).toBe(true);
  }, 90_000);
});
