// Readiness checks against real servers: a refusing port, a relay greeting 421, Sugar answering
// 503, and a database file at its size quota (a real SQLITE_FULL).

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { checkSmtp, createReadiness } from '../../service/src/ops/readiness.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { openStore } from '../../service/src/store/db.js';
import { freePort } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';

const listen = <S extends NetServer | HttpServer>(s: S) =>
  new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
const close = (s: NetServer | HttpServer) => new Promise((r) => s.close(r));

let dir: string;
let sugarStatus = 401;
const sugar = createHttpServer((_req, res) => {
  res.statusCode = sugarStatus;
  res.end('{}');
});
const busyRelay = createNetServer((sock) => {
  sock.end('421 4.3.2 Service not available, try later\r\n');
});
let sugarPort: number;
let busyPort: number;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-ready-'));
  sugarPort = await listen(sugar);
  busyPort = await listen(busyRelay);
  sink = await startSmtpSink({ port: 0 });
});
afterAll(async () => {
  await close(sugar);
  await close(busyRelay);
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readiness', () => {
  it('keeps a tracking-only process ready while the database is down and its spool takes writes, and says so', async () => {
    const down = () => {
      throw new StoreUnavailableError('ECONNREFUSED', { detail: 'PostgreSQL cannot be reached' });
    };
    const opts = { probeStore: down, sugarUrl: `http://127.0.0.1:${sugarPort}`, sugarApiVersion: 'v11_1', smtpUrl: `smtp://127.0.0.1:${sink.port}` };
    const spoolDir = mkdtempSync(join(dir, 'spool-'));
    expect(await createReadiness({ ...opts, spoolDir })()).toEqual({
      ready: true,
      checks: {
        database: { ok: false, reason: 'database not writable (ECONNREFUSED)' },
        spool: { ok: true, reason: expect.stringMatching(/database is down: opens and clicks are spooled/) },
        sugar: { ok: true },
        smtp: { ok: true },
      },
    });
    // A spool that cannot be written is no way through: out of rotation, as without one.
    expect(await createReadiness({ ...opts, spoolDir: join(dir, 'no-such-folder') })()).toMatchObject({ ready: false, checks: { spool: { ok: false } } });
    expect(await createReadiness(opts)()).toEqual({
      ready: false,
      checks: { database: { ok: false, reason: 'database not writable (ECONNREFUSED)' }, sugar: { ok: true }, smtp: { ok: true } },
    });
  });

  it('is ready when the database takes writes, Sugar answers and the relay greets 220', async () => {
    const store = openStore(join(dir, 'ok.sqlite'));
    const ready = createReadiness({
      probeStore: () => store.probeWritable(),
      sugarUrl: `http://127.0.0.1:${sugarPort}`,
      sugarApiVersion: 'v11_1',
      smtpUrl: `smtp://127.0.0.1:${sink.port}`,
    });
    expect(await ready()).toEqual({ ready: true, checks: { database: { ok: true }, sugar: { ok: true }, smtp: { ok: true } } });
    store.close();
  });

  it('fails the database check at once when a call met the database gone, and clears it only by a probe begun after', async () => {
    let probe = { fail: false, started: 0 };
    let release: (() => void) | undefined;
    const ready = createReadiness({
      probeStore: async () => {
        probe.started++;
        if (release) await new Promise<void>((r) => (release = r));
        if (probe.fail) throw new StoreUnavailableError('ECONNREFUSED');
      },
      sugarUrl: 'http://unused',
      sugarApiVersion: 'v11_1',
      smtpUrl: 'smtp://unused',
      needs: { sugar: false, smtp: false },
    });
    expect(await ready()).toMatchObject({ ready: true });
    // The very next answer, well inside the 5 s the result is kept, says the database is down.
    ready.databaseFailed(new StoreUnavailableError('57P01'));
    expect(await ready()).toEqual({ ready: false, checks: { database: { ok: false, reason: 'database not writable (57P01)' } } });
    // Its own probe of the database alone, within a second, finds it back and clears it.
    await waitFor(async () => (await ready()).ready || undefined, 'the recheck', 3000);
    // A probe that began before the failure (it answers ok) does not clear one reported while it ran.
    probe = { fail: false, started: 0 };
    release = () => undefined;
    ready.databaseFailed(new StoreUnavailableError('ECONNREFUSED'));
    await waitFor(() => probe.started || undefined, 'the recheck to begin', 3000);
    ready.databaseFailed(new StoreUnavailableError('ECONNREFUSED'));
    const r = release as unknown as () => void;
    release = undefined;
    r();
    await new Promise((res) => setTimeout(res, 50));
    expect((await ready()).ready).toBe(false);
    probe.fail = true;
    await new Promise((res) => setTimeout(res, 1200));
    expect(await ready()).toMatchObject({ ready: false, checks: { database: { reason: 'database not writable (ECONNREFUSED)' } } });
    // The probes go on each second while it fails: once the database is back the next answer says so, with no new
    // failure reported and no refresh (asked only now, well inside the 5 s a result is kept).
    const probes = probe.started;
    await new Promise((res) => setTimeout(res, 1200));
    expect(probe.started).toBeGreaterThan(probes);
    probe.fail = false;
    await new Promise((res) => setTimeout(res, 1200));
    expect((await ready()).ready).toBe(true);
  });

  it("keeps a failing probe's own reason when a call then meets the database refusing", async () => {
    // A process started from its snapshot: its probe says what it waits for; a pool refusal in between says less.
    const ready = createReadiness({
      probeStore: () => {
        throw new StoreUnavailableError('STARTING', { detail: 'started from its data folder, waiting for PostgreSQL' });
      },
      sugarUrl: 'http://unused',
      sugarApiVersion: 'v11_1',
      smtpUrl: 'smtp://unused',
      needs: { sugar: false, smtp: false },
    });
    const waiting = { ok: false, reason: expect.stringMatching(/started from its data folder/) };
    expect((await ready()).checks.database).toEqual(waiting);
    ready.databaseFailed(new StoreUnavailableError('ECONNREFUSED'));
    expect((await ready()).checks.database).toEqual(waiting);
  });
  it('fails the database check, with the numbers, when the data disk has less room than required', async () => {
    const store = openStore(join(dir, 'room.sqlite'));
    const options = {
      probeStore: () => store.probeWritable(),
      sugarUrl: `http://127.0.0.1:${sugarPort}`,
      sugarApiVersion: 'v11_1',
      smtpUrl: `smtp://127.0.0.1:${sink.port}`,
      dataDir: dir,
    };
    // No real disk has an exabyte free; a megabyte is always there while the tests run.
    const short = await createReadiness({ ...options, minFreeBytes: 2 ** 60 })();
    const roomy = await createReadiness({ ...options, minFreeBytes: 1_048_576 })();
    store.close();
    expect(short.ready).toBe(false);
    expect(short.checks.database.reason).toMatch(/^only \d+ MB free on the data disk \(.+\); at least \d+ MB needed$/);
    expect(short.checks.database.reason).toContain(`(${dir})`);
    expect(roomy).toMatchObject({ ready: true, checks: { database: { ok: true } } });
  });

  it('names each reason when Sugar answers 503, the relay refuses connections and the database is full', async () => {
    const store = openStore(join(dir, 'full.sqlite'), { maxSizeBytes: 1 });
    sugarStatus = 503;
    const ready = createReadiness({
      probeStore: () => store.probeWritable(),
      sugarUrl: `http://127.0.0.1:${sugarPort}`,
      sugarApiVersion: 'v11_1',
      smtpUrl: `smtp://127.0.0.1:${await freePort()}`,
    });
    const r = await ready();
    sugarStatus = 401;
    store.close();
    expect(r.ready).toBe(false);
    expect(r.checks.sugar).toEqual({ ok: false, reason: 'Sugar answered HTTP 503' });
    expect(r.checks.smtp).toEqual({ ok: false, reason: 'SMTP relay unreachable (ECONNREFUSED)' });
    expect(r.checks.database).toEqual({ ok: false, reason: 'database not writable (SQLITE_FULL)' });
  });

  it('treats a 421 greeting as not reachable and an unreachable Sugar as a reason, not a crash', async () => {
    await expect(checkSmtp(`smtp://127.0.0.1:${busyPort}`, 2000)).rejects.toThrow('SMTP relay answered 421 4.3.2 Service not available, try later');
    const ready = createReadiness({
      probeStore: () => undefined,
      sugarUrl: `http://127.0.0.1:${await freePort()}`,
      sugarApiVersion: 'v11_1',
      smtpUrl: `smtp://127.0.0.1:${sink.port}`,
    });
    const r = await ready();
    expect(r.checks.sugar).toEqual({ ok: false, reason: 'Sugar unreachable (ECONNREFUSED)' });
    expect(r.checks.smtp.ok).toBe(true);
  });
});
