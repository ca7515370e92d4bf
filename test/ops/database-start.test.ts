// Start-up against PostgreSQL as an operator meets it, with the real service process (`service/src/main.ts`) and a
// real throwaway PostgreSQL server: a wrong or malformed LEADFWD_DATABASE_URL, an unknown database, and a schema of a
// newer version each end the process with one clear sentence (no stack, never the password); PostgreSQL refusing
// connections at start is waited for while /readyz answers 503 saying why, and the service finishes starting when it
// comes up; a process finding another one migrating waits for it and never applies half a schema.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/bench/support.js';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { openPgStore, PG_MIGRATIONS_DIR } from '../../service/src/store/pg/db.js';
import { optionsDroppingPooler, optionsRefusingPooler } from '../support/pg-pooler.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { randomSecret } from '../support/secrets.js';
import { TEST_SENDER_DOMAINS, waitFor } from '../support/stack.js';

const PASSWORD = 'Sup3r-s3cret-pw';

describe.skipIf(!debianPgBin())('starting on PostgreSQL', () => {
  let server: PgServer;
  let sim: SugarSim;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let dir: string;
  const children = new Set<ChildProcess>();
  let n = 0;
  /** A fresh database on the server, as a URL carrying a password (trust auth ignores it; the logs must not show it). */
  const database = () => {
    const name = `start${++n}`;
    server.psql(`CREATE DATABASE ${name}`);
    return `postgres://leadfwd:${PASSWORD}@127.0.0.1:${server.port}/${name}`;
  };

  beforeAll(async () => {
    server = await startPostgres();
    sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
    sink = await startSmtpSink({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-pgstart-'));
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sink?.close();
    await sim?.close();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The service process on `databaseUrl`; its output is collected, its exit awaited with `exited`. */
  async function run(databaseUrl: string) {
    const port = await freePort();
    const apiKey = randomSecret('pgstart-api-key-');
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      env: {
        ...process.env,
        LEADFWD_PORT: String(port),
        LEADFWD_DATA_DIR: join(dir, `data-${port}`),
        LEADFWD_DATABASE_URL: databaseUrl,
        LEADFWD_DATABASE_POOL: '3',
        LEADFWD_SUGAR_URL: sim.url,
        LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        LEADFWD_API_KEY: apiKey,
        LEADFWD_SECRET: randomSecret(),
        LEADFWD_BOUNCE_SMTP_PORT: '0',
        LEADFWD_SEND_THREADS: '0',
        LEADFWD_LOG_LEVEL: 'info',
        LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    void exited.then(() => children.delete(child));
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res ? { status: res.status, body: await res.text() } : undefined;
    };
    /** /readyz's answer once its status is `status`. */
    const untilReadyz = (status: number, what: string, timeoutMs: number) =>
      waitFor(
        async () => {
          const r = await readyz();
          return r?.status === status ? r : undefined;
        },
        what,
        timeoutMs,
      );
    /** /readyz's answer once it says the process waits for PostgreSQL; its output in the error if it never does. */
    const untilWaiting = async (what = '/readyz to say it waits for PostgreSQL') => {
      let last: unknown;
      // 30 s: a whole suite on two cores has taken the service over 20 s to start answering.
      return await waitFor(
        async () => {
          const r = (last = await readyz());
          return r && /waiting for PostgreSQL/.test(r.body) ? r : undefined;
        },
        what,
        30_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last /readyz ${JSON.stringify(last)}; output: ${out.slice(-2000)}`);
      });
    };
    return { child, exited, output: () => out, readyz, untilReadyz, untilWaiting, port, apiKey };
  }

  /** The process ends by itself with one clear line on stderr: no stack trace, no password. */
  async function expectsCleanExit(p: Awaited<ReturnType<typeof run>>, code: number, message: RegExp) {
    const status = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(status, p.output()).toBe(code);
    expect(p.output()).toMatch(message);
    expect(p.output()).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
    expect(p.output()).not.toContain(PASSWORD);
  }

  it('refuses a URL of another scheme, and a malformed one, naming the setting and never the password', async () => {
    await expectsCleanExit(
      await run(`mysql://leadfwd:${PASSWORD}@127.0.0.1/leadfwd`),
      78,
      /LEADFWD_DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//,
    );
    await expectsCleanExit(await run(`postgres//leadfwd:${PASSWORD}@127.0.0.1/leadfwd`), 78, /LEADFWD_DATABASE_URL is not a valid URL/);
    await expectsCleanExit(await run(`postgres://leadfwd:${PASSWORD}@127.0.0.1:99999/leadfwd`), 78, /LEADFWD_DATABASE_URL is not a valid URL/);
  }, 60_000);

  it('names a database that does not exist, and one written by a newer version, in one sentence and exits', async () => {
    const missing = `postgres://leadfwd:${PASSWORD}@127.0.0.1:${server.port}/no_such_db`;
    await expectsCleanExit(
      await run(missing),
      1,
      /LeadFWD cannot start: PostgreSQL at postgres:\/\/leadfwd:\*\*\*@127\.0\.0\.1:\d+\/no_such_db refused the service: database "no_such_db" does not exist/,
    );

    const newer = database();
    await (await openPgStore(newer)).close();
    const name = newer.split('/').at(-1)!;
    server.psql("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')", name);
    const before = server.psql('SELECT count(*) FROM schema_migrations', name);
    await expectsCleanExit(await run(newer), 1, /LeadFWD cannot start: the database at postgres:\/\/leadfwd:\*\*\*@.* cannot be used: .*newer LeadFWD version/);
    expect(server.psql('SELECT count(*) FROM schema_migrations', name)).toBe(before);
  }, 60_000);

  it('names a refused login in one sentence and exits, without the password', async () => {
    // The test server trusts every login; this role's lines go first in pg_hba.conf, so its password is checked.
    const hba = server.psql('SHOW hba_file');
    const lines = readFileSync(hba, 'utf8');
    writeFileSync(hba, `host all checked 127.0.0.1/32 scram-sha-256\nhost all checked ::1/128 scram-sha-256\n${lines}`);
    server.psql(`CREATE ROLE checked LOGIN PASSWORD 'the-right-one'; SELECT pg_reload_conf()`);
    try {
      await expectsCleanExit(
        await run(`postgres://checked:${PASSWORD}@127.0.0.1:${server.port}/leadfwd`),
        1,
        /LeadFWD cannot start: PostgreSQL at postgres:\/\/checked:\*\*\*@127\.0\.0\.1:\d+\/leadfwd refused the service: password authentication failed for user "checked"/,
      );
    } finally {
      writeFileSync(hba, lines);
      server.psql('SELECT pg_reload_conf()');
    }
  }, 60_000);

  it('stops in one sentence behind a pooler that drops the startup options or refuses them, having written nothing', async () => {
    const url = database();
    const name = url.split('/').at(-1)!;
    for (const [start, message] of [
      [
        optionsDroppingPooler,
        /LeadFWD cannot start: the database at .* cannot be used: PostgreSQL did not keep this connection's startup options .*Connect LeadFWD to PostgreSQL directly/,
      ],
      [
        optionsRefusingPooler,
        /LeadFWD cannot start: PostgreSQL at .* refused the service: unsupported startup parameter .*connect LeadFWD to PostgreSQL directly/,
      ],
    ] as const) {
      const pooler = await start(server.port);
      try {
        await expectsCleanExit(await run(url.replace(`:${server.port}/`, `:${pooler.port}/`)), 1, message);
        expect(pooler.dropped()).toBeGreaterThan(0);
      } finally {
        await pooler.close();
      }
    }
    expect(server.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations'", name)).toBe('0');
  }, 60_000);

  it('logs service.stopped as its last line after a SIGTERM, and exits 0', async () => {
    const p = await run(database());
    await p.untilReadyz(200, 'ready', 20_000);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const last = JSON.parse(p.output().trim().split('\n').at(-1)!) as { msg: string; signal: string; ms: number };
    expect(last).toMatchObject({ msg: 'service.stopped', signal: 'SIGTERM' });
    expect(last.ms).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('stops on a SIGTERM while it waits for PostgreSQL: service.stopped last, exit 0 (it was killed, exit 143)', async () => {
    const p = await run(`postgres://leadfwd:${PASSWORD}@127.0.0.1:${await freePort()}/leadfwd`);
    expect((await p.untilWaiting()).status).toBe(503);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const last = JSON.parse(p.output().trim().split('\n').at(-1)!) as { msg: string; signal: string };
    expect(last).toMatchObject({ msg: 'service.stopped', signal: 'SIGTERM' });
  }, 60_000);

  it("logs the database's collation at start, an ICU one by its locale", async () => {
    server.psql("CREATE DATABASE icu LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0");
    const p = await run(`postgres://leadfwd:${PASSWORD}@127.0.0.1:${server.port}/icu`);
    await p.untilReadyz(200, 'the service to be ready', 30_000);
    expect(p.output()).toMatch(/"store\.opened".*"collation":"icu:en-US"/);
    await waitFor(() => /"service\.started"/.test(p.output()), 'service.started logged');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('waits for a host name that does not resolve, /readyz saying to check the host in LEADFWD_DATABASE_URL', async () => {
    const p = await run(`postgres://leadfwd:${PASSWORD}@no-such-host.invalid:5432/leadfwd`);
    const waiting = await p.untilWaiting(); // without a DNS server the lookup fails only at its timeout
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatch(/(ENOTFOUND|EAI_AGAIN) no-such-host\.invalid; the host name does not resolve: check the host in LEADFWD_DATABASE_URL/);
    expect(waiting.body).not.toContain(PASSWORD);
    // Through a proxy (the public load balancer) the status only: the database's user, host and name are the operator's.
    const url = `http://127.0.0.1:${p.port}`;
    const forwarded = { 'X-Forwarded-For': '203.0.113.9' };
    for (const path of ['/readyz', '/healthz']) {
      const stranger = await (await fetch(`${url}${path}`, { headers: forwarded })).text();
      expect(stranger, path).not.toMatch(/no-such-host|leadfwd:|postgres/);
      expect(stranger, path).toMatch(/reasons are shown on loopback or with the API key/);
    }
    expect(await (await fetch(`${url}/readyz`, { headers: forwarded })).json()).toMatchObject({ ready: false, checks: { database: { ok: false } } });
    const operator = await fetch(`${url}/readyz`, { headers: { ...forwarded, Authorization: `Bearer ${p.apiKey}` } });
    expect(await operator.text()).toMatch(/no-such-host\.invalid/);
    p.child.kill('SIGKILL');
    await p.exited;
  }, 60_000);

  it('waits for PostgreSQL refusing connections at start, /readyz saying why, and starts when it comes up', async () => {
    const url = database();
    const other = database(); // a process of its own secret, on a database of its own
    await server.stop();
    const p = await run(url);
    // Through its Unix socket, whose file is gone while the server is stopped: waited for too (it was "refused the service").
    const viaSocket = await run(`${other.replace(/@127\.0\.0\.1:\d+\//, '@localhost/')}?host=${encodeURIComponent(server.socketDir)}&port=${server.port}`);
    try {
      const socketWait = await viaSocket.untilWaiting('/readyz through the socket to say it waits for PostgreSQL');
      expect(socketWait.body).toMatch(/ENOENT/);
      const waiting = await p.untilWaiting();
      expect(waiting.status).toBe(503);
      expect(JSON.parse(waiting.body)).toMatchObject({ ready: false, checks: { database: { ok: false } } });
      expect(waiting.body).toMatch(/waiting for PostgreSQL at postgres:\/\/leadfwd:\*\*\*@127\.0\.0\.1:\d+\/start\d+: .*ECONNREFUSED/);
      // Alive while it waits: a liveness probe must not restart it.
      const health = await fetch(`http://127.0.0.1:${p.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, starting: expect.stringMatching(/waiting for PostgreSQL/) });
      expect((await fetch(`http://127.0.0.1:${p.port}/api/v1/campaigns`)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 1500)); // a few attempts with backoff, still alive
      expect(p.child.exitCode).toBeNull();
    } finally {
      await server.start();
    }
    const ready = await p.untilReadyz(200, 'the service to be ready once PostgreSQL is up', 30_000);
    expect(JSON.parse(ready.body).checks.database).toEqual({ ok: true });
    expect(p.output()).toMatch(/"store\.waiting"/);
    await waitFor(() => /"service\.started"/.test(p.output()), 'service.started logged'); // SIGTERM is handled from then on
    expect(p.output()).not.toContain(PASSWORD);
    expect(p.output()).toMatch(/"store\.opened".*"collation":"C"/);
    const name = url.split('/').at(-1)!;
    expect(server.psql('SELECT count(*) FROM schema_migrations', name)).toBe(String(readdirSync(PG_MIGRATIONS_DIR).length));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(JSON.parse((await viaSocket.untilReadyz(200, 'the socket one to be ready', 30_000)).body).checks.database).toEqual({ ok: true });
    viaSocket.child.kill('SIGTERM');
    expect(await viaSocket.exited).toBe(0);
  }, 90_000);

  it('stops being ready, saying why, once a newer version migrated the shared database under it', async () => {
    const url = database();
    const p = await run(url);
    await p.untilReadyz(200, 'ready', 30_000);
    // A process of a newer version, started against the same database, applied a migration this one does not know.
    server.psql("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')", url.split('/').at(-1)!);
    const refused = await p.untilReadyz(503, '/readyz to turn 503', 20_000);
    expect(JSON.parse(refused.body).checks.database).toEqual({
      ok: false,
      reason:
        'the database schema is at migration 999, newer than this process knows (' +
        readdirSync(PG_MIGRATIONS_DIR).length +
        '): a newer LeadFWD version migrated it; upgrade this process',
    });
    p.child.kill('SIGKILL');
  }, 60_000);

  it('`npm run backup` on PostgreSQL points to pg_dump instead of copying anything', async () => {
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', join(dir, 'never.sqlite')], {
        env: { ...process.env, LEADFWD_DATABASE_URL: database(), LEADFWD_DATA_DIR: join(dir, 'unused') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => (out += String(d)));
      child.stderr!.on('data', (d) => (out += String(d)));
      child.once('exit', (code) => resolve({ code, out }));
    });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/^backup failed: The PostgreSQL store \(LEADFWD_DATABASE_URL\) cannot be backed up by LeadFWD: use pg_dump/m);
    expect(res.out).not.toContain(PASSWORD);
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  }, 30_000);

  it('waits while another process migrates, then finds the schema complete: never half of it', async () => {
    const url = database();
    // An older build's schema: every migration but the last.
    const older = mkdtempSync(join(tmpdir(), 'pg-older-'));
    cpSync(PG_MIGRATIONS_DIR, older, { recursive: true });
    const files = readdirSync(older).sort();
    rmSync(join(older, files.at(-1)!));
    await (await openPgStore(url, { migrationsDir: older })).close();
    const name = url.split('/').at(-1)!;
    expect(server.psql('SELECT count(*) FROM schema_migrations', name)).toBe(String(files.length - 1));

    // Another process in the middle of migrating holds the migration lock.
    const other = new pg.Client({ connectionString: url });
    other.on('error', () => {});
    await other.connect();
    await other.query('BEGIN');
    await other.query("SELECT pg_advisory_xact_lock(hashtext('leadfwd.migrate'))");
    const p = await run(url);
    const starting = await waitFor(() => p.readyz(), 'the port to answer');
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.child.exitCode).toBeNull();
    expect(starting.status).toBe(503);
    const waiting = await p.readyz();
    expect(waiting?.status).toBe(503);
    expect(waiting?.body).toMatch(/opening PostgreSQL at postgres:\/\/leadfwd:\*\*\*@.*applying migrations \(after any other process applying them\)/);
    expect(p.output()).toMatch(/"event":"store\.migration_waiting","database":"postgres:\/\/leadfwd:\*\*\*@/); // the log says why too
    expect(server.psql('SELECT count(*) FROM schema_migrations', name)).toBe(String(files.length - 1));
    await other.query('COMMIT');
    await other.end();

    await p.untilReadyz(200, 'the service to be ready after the other migration', 30_000);
    expect(server.psql('SELECT count(*) FROM schema_migrations', name)).toBe(String(files.length));
    await waitFor(() => /"service\.started"/.test(p.output()), 'service.started logged');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    rmSync(older, { recursive: true, force: true });
  }, 90_000);
});
