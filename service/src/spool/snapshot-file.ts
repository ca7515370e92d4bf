// The tracking snapshot in the data folder (ports/spool.ts): written to a temporary file, fsync'd and renamed over the
// last one, so a crash mid-write leaves the previous snapshot whole; a file that cannot be read or parsed counts as
// none (the process then waits for the database, as it always did).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrackedLinks } from '../ports/campaigns.js';
import type { SnapshotFile, TrackingSnapshot } from '../ports/spool.js';

const NAME = 'tracking-snapshot.json';
/** The tracked links are at most 200,000 runs (a few MB as JSON); past this something is wrong, and the disk is the spool's. */
const MAX_BYTES = 64 * 1024 * 1024;

export function snapshotFile(dir: string, maxBytes = MAX_BYTES): SnapshotFile {
  const file = join(dir, NAME);
  return {
    found: () => existsSync(file),
    read() {
      try {
        const s = JSON.parse(readFileSync(file, 'utf8')) as TrackingSnapshot;
        const wellFormed = Number.isInteger(s.schemaVersion) && typeof s.secretCheck === 'string' && typeof s.savedAt === 'string' && wellFormedLinks(s.links);
        return wellFormed ? s : undefined;
      } catch {
        return undefined;
      }
    },
    async write(s) {
      const text = JSON.stringify(s);
      if (Buffer.byteLength(text) > maxBytes) return false;
      // A fresh name, created here or not at all ('wx': a link someone put at a name guessed from the pid, 1 in a
      // container, was followed and the file it named overwritten). Owner-only, as the spool beside it.
      const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
      const handle = await open(tmp, 'wx', 0o600);
      try {
        try {
          await handle.writeFile(text);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true }); // a fresh name each time: one left per failure would pile up (a full disk)
        throw err;
      }
      // The rename itself survives a power cut only once the folder is synced.
      const folder = await open(dir, 'r');
      await folder.sync().finally(() => folder.close());
      return true;
    },
  };
}

// Valid JSON of the wrong shape (a flipped bit, a hand edit) must count as none too, not crash the start that reads it.
function wellFormedLinks(l: unknown): l is TrackedLinks {
  if (typeof l !== 'object' || l === null) return false;
  const { spans, links } = l as Partial<TrackedLinks>;
  if (!Array.isArray(spans) || typeof links !== 'object' || links === null || Array.isArray(links)) return false;
  const span = (x: unknown) => {
    const s = x as Partial<TrackedLinks['spans'][number]> | null;
    return typeof s === 'object' && s !== null && typeof s.campaignId === 'string' && Number.isInteger(s.first) && Number.isInteger(s.last);
  };
  return spans.every(span) && Object.values(links).every((urls) => Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
}
