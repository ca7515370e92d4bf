// The operator's two ways to a pairing code outside the API: the code `npm start` prints while no Sugar is paired,
// and `npm run pairing-code` beside a running service. Both work once against the running service.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPairing } from '../../service/src/relay/pairing.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, startPostgres } from '../support/postgres.js';
import { randomSecret } from '../support/secrets.js';
import { createServiceRig, type ServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

let rig: ServiceRig;
const secret = randomSecret();
beforeAll(async () => {
  rig = await createServiceRig('pairing', { LEADFWD_SECRET: secret });
}, 30_000);
afterAll(async () => {
  await rig?.close();
});

const CODE = /Pairing code: ([0-9A-Z]{4}-[0-9A-Z]{4})/;
const pair = (code: string) =>
  fetch(`http://127.0.0.1:${rig.port}/relay/pair`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) }).then(
    async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
  );

function run(script: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A service process of `on`, and what it writes to stderr as it goes. */
async function started(on: ServiceRig) {
  const child = await on.start();
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return { child, stderr: () => stderr };
}

describe('pairing codes for the operator', () => {
  it('a start while a printed code is still valid keeps it, saying until when (several processes printed a code each, only the last one worked)', async () => {
    const own = await createServiceRig('pairing-live', { LEADFWD_SECRET: randomSecret() });
    try {
      const first = await started(own);
      const printed = await waitFor(() => CODE.exec(first.stderr())?.[1], 'the printed pairing code');
      const until = /valid until (\S+);/.exec(first.stderr())![1];
      expect(await own.signal(first.child, 'SIGTERM')).toBe(0);
      const second = await started(own);
      const said = await waitFor(() => /A pairing code shown earlier .* is valid until (\S+);/.exec(second.stderr())?.[1], 'the live code named');
      expect(said).toBe(until);
      expect(CODE.test(second.stderr())).toBe(false);
      const ok = await fetch(`http://127.0.0.1:${own.port}/relay/pair`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: printed }),
      });
      expect(ok.status).toBe(200);
      expect(await own.signal(second.child, 'SIGTERM')).toBe(0);
    } finally {
      await own.close();
    }
  }, 60_000);

  it('npm start prints one while unpaired; npm run pairing-code makes a new one the running service accepts', async () => {
    const { stderr: output } = await started(rig);
    const printed = await waitFor(() => CODE.exec(output())?.[1], 'the printed pairing code');
    const env = { LEADFWD_DATA_DIR: join(rig.dir, 'data'), LEADFWD_SECRET: secret };
    const cli = await run('scripts/pairing-code.ts', env);
    expect(cli.code).toBe(0);
    const fresh = CODE.exec(cli.out)![1];
    // The new code replaced the printed one.
    expect((await pair(printed)).body).toMatchObject({ error: 'pairing_code_invalid' });
    const ok = await pair(fresh);
    expect(ok).toMatchObject({ status: 200, body: { service: 'leadfwd', relay: 1 } });
    expect(String(ok.body.secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(output()).not.toContain(String(ok.body.secret));
    expect((await pair(fresh)).status).toBe(422);
  });

  // A new operator's review: the command wrote its code into a SQLite file of its own whatever LEADFWD_DATABASE_URL
  // said, or into a fresh database in a mistyped folder, and printed it as if it worked; Sugar then refused it.
  it('refuses a data folder without the service database, and makes nothing there', async () => {
    const nowhere = join(rig.dir, 'no-such-folder');
    const cli = await run('scripts/pairing-code.ts', { LEADFWD_DATA_DIR: nowhere, LEADFWD_SECRET: secret });
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^No pairing code: no database at .*no-such-folder\/leadfwd\.sqlite: set LEADFWD_DATA_DIR/);
    expect(CODE.test(cli.out)).toBe(false);
    expect(existsSync(nowhere)).toBe(false);
  });

  it.skipIf(!debianPgBin())(
    'writes the code to the PostgreSQL store of LEADFWD_DATABASE_URL, where the service reads it',
    async () => {
      const pg = await startPostgres();
      try {
        const env = { LEADFWD_DATABASE_URL: pg.url, LEADFWD_DATA_DIR: join(rig.dir, 'unused'), LEADFWD_SECRET: secret };
        // A database no service of this version migrated is left as it is: a tool that prints a code migrates nothing.
        const early = await run('scripts/pairing-code.ts', env);
        expect(early.code).toBe(1);
        expect(early.out).toMatch(/^No pairing code: the database schema is at migration 0, older than this LeadFWD .*start the service of this version first/);
        expect(pg.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", 'leadfwd')).toBe('0');
        const store = await openPgStore(pg.url, { poolSize: 1 }); // as the service's start migrates it
        const cli = await run('scripts/pairing-code.ts', env);
        expect(cli.code, cli.out).toBe(0);
        expect(cli.out).toMatch(/for the service on PostgreSQL at /);
        try {
          const pairing = createPairing({ relay: store.relay, serviceSecrets: [secret] });
          expect(await pairing.pair({ code: CODE.exec(cli.out)![1] })).toMatchObject({ service: 'leadfwd', relay: 1 });
        } finally {
          await store.close();
        }
        expect(existsSync(join(rig.dir, 'unused'))).toBe(false);
      } finally {
        await pg.destroy();
      }
    },
    60_000,
  );
});
