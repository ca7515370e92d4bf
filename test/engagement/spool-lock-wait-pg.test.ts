// A tracking process recreated after its process died (a new container: a new host name) found the spool lock its
// predecessor touched a moment ago, was refused it, and ran without a spool for its whole life: through the next
// database outage it could neither count opens and clicks nor take one-click opt-outs. It waits the lock out now,
// /readyz saying why and /healthz that it is alive, and starts with the spool (a real process on real PostgreSQL).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin, freePort } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';

describe.skipIf(!debianPgBin())('a tracking process whose spool lock another host touched lately', () => {
  const rig = usePgProcessRig('pgspoolwait');
  const data = mkdtempSync(join(tmpdir(), 'leadfwd-spoolwait-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('waits until the lock goes stale, saying so, then tracks with its spool', async () => {
    const lock = join(data, 'spool', 'spool.lock');
    mkdirSync(join(data, 'spool'), { recursive: true, mode: 0o700 });
    writeFileSync(lock, 'gone-container 1\n');
    const touched = new Date(Date.now() - 27_000); // stale in about 3 s
    utimesSync(lock, touched, touched);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const starting = rig.start('tracker', { LEADFWD_ROLES: 'tracking', LEADFWD_DATA_DIR: data, LEADFWD_PORT: String(port) });

    const waiting = await waitFor(
      async () => {
        const r = await fetch(`${url}/readyz`).catch(() => undefined);
        const body = r && ((await r.json().catch(() => undefined)) as { checks?: { spool?: { reason: string } } } | undefined);
        return body?.checks?.spool?.reason;
      },
      '/readyz naming the spool lock',
      20_000,
    );
    expect(waiting).toMatch(/^waiting for the lock of its spool folder: .*in use by another process \(gone-container 1\)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const p = await starting;
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(` ${p.child.pid}\\n$`));
    expect(p.stderr()).toContain('tracking.spool.waiting');
    expect(p.stderr()).not.toContain('tracking.spool.unavailable');
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200 || undefined, 'ready', 20_000);
    // The spool is there: /metrics shows it.
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^leadfwd_spool_waiting_hits 0$/m);
  }, 60_000);
});
