// The hit spool on the process's own disk: one append-only JSON-lines file at a time under `dir`, fsync'd per append
// (a pixel is answered only after that), so an answered hit survives a crash of the process as it would a commit.
// A line cut short by a crash mid-append was never answered and is skipped on reading.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HitSpool, SpooledHit } from '../ports/spool.js';

const FILE = /^hits-[0-9a-z]+-[0-9a-f]+\.jsonl$/;
const LOCK = 'spool.lock';
/** The holder touches its lock this often; one untouched for STALE_MS was left by a process that is gone. */
const TOUCH_MS = 5_000;
const STALE_MS = 30_000;

/** Thrown when another live process spools into the same folder. */
export class SpoolInUseError extends Error {
  constructor(dir: string, holder: string) {
    super(`the spool folder ${dir} is in use by another process (${holder}): give each tracking process its own LEADFWD_DATA_DIR`);
    this.name = 'SpoolInUseError';
  }
}

/**
 * One process per spool folder: a second one would replay and remove the file the first is still appending to, and
 * the hits (and one-click opt-outs) answered after that would go to a removed file. The lock of a process that is
 * gone is taken over at once on its own host (its pid is not running, or is this process's: a container restarted),
 * and after STALE_MS untouched from another host, so a dead process's spool is still replayed by the next one.
 */
const held = new Set<string>();

function holderGone(content: string, ageMs: number): boolean {
  if (ageMs >= STALE_MS) return true;
  const [host, pidText] = content.trim().split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true; // not held in this process (checked before): an earlier run with this pid
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockFolder(dir: string): { release(): void } {
  const file = join(dir, LOCK);
  if (held.has(file)) throw new SpoolInUseError(dir, 'this process');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600); // as the spool's other files (README: 0600)
      writeSync(fd, `${hostname()} ${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (attempt > 0) throw new SpoolInUseError(dir, 'its lock was taken over just now');
      const content = readFileSync(file, 'utf8');
      if (!holderGone(content, Date.now() - statSync(file).mtimeMs)) throw new SpoolInUseError(dir, content.trim());
      rmSync(file, { force: true });
    }
  }
  held.add(file);
  const timer = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {} // the folder went away: appends will say so
  }, TOUCH_MS);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      held.delete(file);
      rmSync(file, { force: true });
    },
  };
}

/**
 * openFileSpool, waiting out a lock that another host touched lately (for up to STALE_MS and one touch more): a
 * container recreated after its process died comes back under a new host name, and without the wait it ran without a
 * spool for its whole life. A lock that stays fresh (a live process on the same folder) still fails, after the wait.
 */
export async function openFileSpoolWhenFree(dir: string, o: { onWait?: (why: string) => void; waitMs?: number; pollMs?: number } = {}): Promise<HitSpool> {
  const until = Date.now() + (o.waitMs ?? STALE_MS + TOUCH_MS);
  for (;;) {
    try {
      return openFileSpool(dir);
    } catch (err) {
      if (!(err instanceof SpoolInUseError) || Date.now() >= until) throw err;
      o.onWait?.(err.message);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  }
}

export function openFileSpool(dir: string): HitSpool {
  // Owner-only: spooled hits hold readers' IPs and user agents (and the data folder, created here too, the snapshot).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode holds only for a folder it made: one made before, by hand, may be open to all (one not this user's
  // to change, a volume made by root, stays as it was).
  try {
    chmodSync(dir, 0o700);
  } catch {}
  const lock = lockFolder(dir);
  // Names sort by creation time: replay keeps the order hits arrived in.
  const found = readdirSync(dir).filter((f) => FILE.test(f));
  const ended = new Set(found);
  const sizes = new Map(found.map((name) => [name, statSync(join(dir, name)).size]));
  let pending = 0;
  let current: { name: string; handle: FileHandle; lines: number } | undefined;
  // Appends and file switches run one after the other: a switch never cuts an append in two.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const endCurrent = async () => {
    if (!current) return;
    await current.handle.close();
    ended.add(current.name);
    current = undefined;
  };
  // Files left by an earlier run, not yet done: each counts one hit until read (size() is not 0), then its hits.
  const unread = new Set(found);
  const counts = new Map<string, number>();

  return {
    append(hits) {
      pending += hits.length;
      return serial(async () => {
        if (!current) {
          const name = `hits-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}.jsonl`;
          current = { name, handle: await open(join(dir, name), 'a', 0o600), lines: 0 };
        }
        const file = current;
        const text = hits.map((h) => `${JSON.stringify({ ...h, key: `${file.name.slice(5, -6)}.${file.lines++}` })}\n`).join('');
        await file.handle.write(text);
        sizes.set(file.name, (sizes.get(file.name) ?? 0) + Buffer.byteLength(text));
        await file.handle.sync();
      }).catch((err: unknown) => {
        pending -= hits.length;
        throw err;
      });
    },
    // Files are read one at a time, when the replay reaches them: a replay attempt while the database is still down
    // stops at the first chunk, so it must not hold (and parse, every second) the whole spool an outage piled up.
    ended() {
      return serial(async () => {
        await endCurrent();
        return [...ended].sort().map((name) => {
          let read: SpooledHit[] | undefined;
          const hits = async () => {
            read ??= await readHits(join(dir, name));
            if (unread.has(name)) counts.set(name, read.length);
            return read;
          };
          return {
            hits,
            done: async () => {
              const n = (await hits()).length;
              await rm(join(dir, name), { force: true });
              sizes.delete(name);
              if (!ended.delete(name)) return;
              // A file of this run counts by the hits appended to it; one found at start counted one until read.
              if (unread.delete(name)) return void counts.delete(name);
              pending = Math.max(0, pending - n);
            },
          };
        });
      });
    },
    size: () => pending + [...unread].reduce((n, name) => n + (counts.get(name) ?? 1), 0),
    bytes: () => [...sizes.values()].reduce((n, b) => n + b, 0),
    oldest() {
      const names = [...ended, ...(current ? [current.name] : [])];
      if (names.length === 0) return undefined;
      return new Date(Math.min(...names.map((n) => parseInt(n.split('-')[1], 36))));
    },
    close: () =>
      serial(async () => {
        await endCurrent();
        lock.release();
      }),
  };
}

async function readHits(file: string): Promise<SpooledHit[]> {
  // Only a file already gone is empty: any other failure (EMFILE while a flood holds every descriptor) must fail this
  // replay, to be tried again, not count as no hits, or done() would remove hits already answered.
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return text.split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as SpooledHit] : [];
    } catch {
      return []; // the end of an append cut short by a crash: never answered
    }
  });
}
