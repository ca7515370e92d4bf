// The hit spool on the process's own disk: one append-only JSON-lines file at a time under `dir`, fsync'd per append
// (a pixel is answered only after that), so an answered hit survives a crash of the process as it would a commit.
// A line cut short by a crash mid-append was never answered and is skipped on reading.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HitSpool, SpooledHit } from '../ports/spool.js';

const FILE = /^hits-[0-9a-z]+-[0-9a-f]+\.jsonl$/;

export function openFileSpool(dir: string): HitSpool {
  mkdirSync(dir, { recursive: true });
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
          current = { name, handle: await open(join(dir, name), 'a'), lines: 0 };
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
    close: () => serial(endCurrent),
  };
}

async function readHits(file: string): Promise<SpooledHit[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as SpooledHit] : [];
    } catch {
      return []; // the end of an append cut short by a crash: never answered
    }
  });
}
