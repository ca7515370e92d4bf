// /readyz answers "can this instance do its job right now": its database takes writes and its disk has
// room, Sugar answers HTTP, and the SMTP relay greets — each only when the process's roles use it (a tracking process
// behind its own load balancer must not leave it because the relay is down). Each failing check names its reason.
import { accessSync, constants, statfsSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { StoreUnavailableError } from '../ports/errors.js';

export interface CheckResult {
  ok: boolean;
  reason?: string;
}
export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** Which outside parts a process's roles (LEADFWD_ROLES) depend on; the database always. */
export interface ReadinessNeeds {
  sugar: boolean;
  smtp: boolean;
}

/**
 * Sugar: the API (token checks, lists, templates), extraction, the write-back and list refresh all call it; only
 * tracking never does. SMTP: only sending delivers; an api process's test send reports the relay's own answer.
 */
export function readinessNeeds(roles: ReadonlySet<string>): ReadinessNeeds {
  return { sugar: ['api', 'send', 'writeback', 'automations'].some((r) => roles.has(r)), smtp: roles.has('send') };
}

export interface ReadinessOptions {
  probeStore: () => void | Promise<void>;
  sugarUrl: string;
  sugarApiVersion: string;
  smtpUrl: string;
  /** Default: both (every role). */
  needs?: ReadinessNeeds;
  /** Set once this process stopped taking work for good (a newer schema): why, shown as the `work` check. */
  stoppedWork?: () => string | undefined;
  timeoutMs?: number;
  /** The folder holding the database; below `minFreeBytes` free there the database check fails before writes do. */
  dataDir?: string;
  minFreeBytes?: number;
  /**
   * A tracking-only process's spool folder: with the database down it still answers and records every open and click
   * (engagement/spooling.ts), so it is ready while the spool takes writes; the database check still says it is down.
   */
  spoolDir?: string;
  /** A result older than this is refreshed in the background when asked for (default and most 5 s). */
  refreshMs?: number;
  now?: () => number;
}

/** `/readyz`'s answer: the latest result, and when its checks ran. */
export interface ReadinessSource {
  (): Promise<Readiness>;
  /** Epoch ms of the result last answered, for the Age of the answer. */
  checkedAt(): number | undefined;
  /** Runs the first checks now, so the first /readyz has a result to answer with. */
  start(): void;
}

/** A disk filling up shows here while writes still succeed, so an operator hears of it before a campaign fails. */
function checkDiskRoom(dir: string, minFreeBytes: number): void {
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  if (free < minFreeBytes) {
    throw new Error(`only ${Math.floor(free / 1_048_576)} MB free on the data disk (${dir}); at least ${Math.ceil(minFreeBytes / 1_048_576)} MB needed`);
  }
}

const reasonOf = (err: unknown) => {
  // A process started from its data folder's snapshot says what it waits for (store/gated.ts).
  if (err instanceof StoreUnavailableError) return err.code === 'STARTING' ? err.message : `database not writable (${err.code})`;
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}` : String(e?.message ?? err);
};

async function checkSugar(url: string, version: string, timeoutMs: number): Promise<void> {
  // /ping without a token: any answer below 500 (normally 401) proves Sugar is up and routing.
  const res = await fetch(`${url}/rest/${version}/ping`, { signal: AbortSignal.timeout(timeoutMs) }).catch((err: unknown) => {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new Error(
      (err as Error).name === 'TimeoutError' ? `Sugar did not answer within ${timeoutMs} ms` : `Sugar unreachable (${cause?.code ?? (err as Error).message})`,
    );
  });
  await res.body?.cancel();
  if (res.status >= 500) throw new Error(`Sugar answered HTTP ${res.status}`);
}

/** Connects, reads the greeting, says QUIT. A 4xx/5xx greeting (421 busy) counts as not reachable. */
export function checkSmtp(smtpUrl: string, timeoutMs: number): Promise<void> {
  const u = new URL(smtpUrl);
  const secure = u.protocol === 'smtps:';
  const port = Number(u.port || (secure ? 465 : 25));
  return new Promise((resolve, reject) => {
    let buf = '';
    const socket: Socket = secure
      ? tlsConnect({ host: u.hostname, port, servername: u.hostname, rejectUnauthorized: false })
      : tcpConnect({ host: u.hostname, port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      if (err) socket.destroy();
      else socket.end('QUIT\r\n');
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`SMTP relay did not greet within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const line = /^(\d{3})[ ](.*)\r?\n/m.exec(buf);
      if (!line) return void (buf.length > 4096 && done(new Error('SMTP relay sent no greeting line')));
      if (line[1] === '220') done();
      else done(new Error(`SMTP relay answered ${line[1]} ${line[2].slice(0, 100)}`));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(new Error(`SMTP relay unreachable (${err.code ?? err.message})`)));
    socket.on('end', () => done(new Error('SMTP relay closed the connection before greeting')));
  });
}

/**
 * Readiness answered from a result refreshed in the background, never by a request (issue 12): each check takes
 * the database's write lock, a Sugar request and an SMTP connection, and /readyz is public. A request finds the
 * latest result; if it is older than `refreshMs` one refresh starts behind it (never two at once), so the checks
 * run at most every 5 s, and only while someone asks. Only a request that comes before any result at all waits
 * for the first one (start() begins it when the service starts).
 */
export function createReadiness(o: ReadinessOptions): ReadinessSource {
  const refreshMs = Math.min(o.refreshMs ?? 5000, 5000);
  const now = o.now ?? Date.now;
  const checkNow = checksOf(o);
  let last: { result: Readiness; at: number } | undefined;
  let running: Promise<Readiness> | undefined;
  const refresh = () => {
    running ??= checkNow()
      .then((result) => {
        last = { result, at: now() };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const source = (() => {
    if (!last) return refresh();
    if (now() - last.at >= refreshMs) void refresh();
    return Promise.resolve(last.result);
  }) as ReadinessSource;
  source.checkedAt = () => last?.at;
  source.start = () => {
    void refresh();
  };
  return source;
}

function checksOf(o: ReadinessOptions): () => Promise<Readiness> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const run = async (fn: () => Promise<void> | void): Promise<CheckResult> => {
    try {
      await fn();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error && !(err as { code?: string }).code ? err.message : reasonOf(err) };
    }
  };
  const needs = o.needs ?? { sugar: true, smtp: true };
  return async () => {
    const [database, sugar, smtp] = await Promise.all([
      run(async () => {
        await o.probeStore();
        if (o.dataDir && o.minFreeBytes) checkDiskRoom(o.dataDir, o.minFreeBytes);
      }),
      needs.sugar ? run(() => checkSugar(o.sugarUrl, o.sugarApiVersion, timeoutMs)) : undefined,
      needs.smtp ? run(() => checkSmtp(o.smtpUrl, timeoutMs)) : undefined,
    ]);
    const stopped = o.stoppedWork?.();
    const others: Record<string, CheckResult> = {
      ...(sugar ? { sugar } : {}),
      ...(smtp ? { smtp } : {}),
      ...(stopped ? { work: { ok: false, reason: stopped } } : {}),
    };
    if (!database.ok && o.spoolDir) {
      const dir = o.spoolDir;
      const spool = await run(() => {
        accessSync(dir, constants.W_OK);
        if (o.minFreeBytes) checkDiskRoom(dir, o.minFreeBytes);
      });
      if (spool.ok) spool.reason = 'the database is down: opens and clicks are spooled here and replayed when it is back';
      // The database's failure is shown, but a process that can spool stays in rotation.
      return { ready: spool.ok && Object.values(others).every((c) => c.ok), checks: { database, spool, ...others } };
    }
    const checks: Record<string, CheckResult> = { database, ...others };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}
