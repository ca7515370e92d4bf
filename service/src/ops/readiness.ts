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
  /**
   * The bounce listener of a tracking process, when it has one: shown as the `inbound` check, never counted against
   * `ready` (its HTTP tracking works without it, and a load balancer must not take it out for that).
   */
  inbound?: () => CheckResult;
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
  /**
   * A call anywhere in the process found the database unreachable: the database check fails from now on, until a
   * probe started after the last such failure succeeds (one runs within a second, the database alone).
   */
  databaseFailed(err: unknown): void;
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
  const { gather, judge, probeDatabase } = checksOf(o);
  let last: { result: Readiness; parts: CheckParts; at: number } | undefined;
  let running: Promise<Readiness> | undefined;
  // The database's failure as the process last met it, and how many were reported: a probe that began before the
  // latest one proves nothing about it.
  let down: CheckResult | undefined;
  let failures = 0;
  const show = (parts: CheckParts, at: number) => {
    // A failing probe's own reason (a snapshot start's "waiting for PostgreSQL") says more than a call's refusal.
    last = { result: judge(down && parts.database.ok ? { ...parts, database: down } : parts), parts, at };
    return last.result;
  };
  /** A probe's answer on the database, begun when `failures` was `seen`. */
  const probed = (database: CheckResult, seen: number) => {
    if (database.ok && seen !== failures) return false;
    down = undefined;
    return true;
  };
  const refresh = () => {
    const seen = failures;
    running ??= gather()
      .then((parts) => {
        // Still down: probed again each second, so the answer after it is back is never this one kept.
        if (!probed(parts.database, seen) || !parts.database.ok) recheckSoon();
        return show(parts, now());
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  let recheck: NodeJS.Timeout | undefined;
  let recheckedAt = -Infinity;
  /** The database alone, at most once a second: what clears a failure a call met, often well before the next refresh. */
  const recheckSoon = () => {
    if (recheck) return;
    const wait = Math.max(0, recheckedAt + RECHECK_MS - performance.now());
    recheck = setTimeout(async () => {
      recheckedAt = performance.now();
      const seen = failures;
      const database = await probeDatabase();
      recheck = undefined;
      if (!down && last?.parts.database.ok) return; // a refresh settled it meanwhile
      if (!probed(database, seen)) return recheckSoon();
      if (last) show({ ...last.parts, database }, last.at);
      if (!database.ok) recheckSoon();
    }, wait);
    recheck.unref();
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
  source.databaseFailed = (err) => {
    failures++;
    down = { ok: false, reason: reasonOf(err) };
    if (last) show(last.parts, last.at);
    recheckSoon();
  };
  return source;
}

/** Between two probes of the database alone after calls met it failing. */
const RECHECK_MS = 1000;

interface CheckParts {
  database: CheckResult;
  others: Record<string, CheckResult>;
}

function checksOf(o: ReadinessOptions) {
  const timeoutMs = o.timeoutMs ?? 2000;
  const failed = (err: unknown): CheckResult => ({ ok: false, reason: err instanceof Error && !(err as { code?: string }).code ? err.message : reasonOf(err) });
  const run = async (fn: () => Promise<void> | void): Promise<CheckResult> => {
    try {
      await fn();
      return { ok: true };
    } catch (err) {
      return failed(err);
    }
  };
  const needs = o.needs ?? { sugar: true, smtp: true };
  const probeDatabase = () =>
    run(async () => {
      await o.probeStore();
      if (o.dataDir && o.minFreeBytes) checkDiskRoom(o.dataDir, o.minFreeBytes);
    });
  const gather = async (): Promise<CheckParts> => {
    const [database, sugar, smtp] = await Promise.all([
      probeDatabase(),
      needs.sugar ? run(() => checkSugar(o.sugarUrl, o.sugarApiVersion, timeoutMs)) : undefined,
      needs.smtp ? run(() => checkSmtp(o.smtpUrl, timeoutMs)) : undefined,
    ]);
    return { database, others: { ...(sugar ? { sugar } : {}), ...(smtp ? { smtp } : {}) } };
  };
  /** Synchronous, so a failure a call met shows in the very next answer. */
  const judge = ({ database, others: checked }: CheckParts): Readiness => {
    const stopped = o.stoppedWork?.();
    const others: Record<string, CheckResult> = { ...checked, ...(stopped ? { work: { ok: false, reason: stopped } } : {}) };
    const shown: Record<string, CheckResult> = o.inbound ? { inbound: o.inbound() } : {};
    // Stopped for a newer schema, its database check fails though the database is up: nothing is spooled for it.
    if (!database.ok && o.spoolDir && !stopped) {
      const dir = o.spoolDir;
      let spool: CheckResult = { ok: true };
      try {
        accessSync(dir, constants.W_OK);
        if (o.minFreeBytes) checkDiskRoom(dir, o.minFreeBytes);
      } catch (err) {
        spool = failed(err);
      }
      if (spool.ok) spool.reason = 'the database is down: opens and clicks are spooled here and replayed when it is back';
      // The database's failure is shown, but a process that can spool stays in rotation.
      return { ready: spool.ok && Object.values(others).every((c) => c.ok), checks: { database, spool, ...others, ...shown } };
    }
    const checks: Record<string, CheckResult> = { database, ...others };
    return { ready: Object.values(checks).every((c) => c.ok), checks: { ...checks, ...shown } };
  };
  return { gather, judge, probeDatabase };
}
