// The tracking snapshot a tracking-only process keeps in its data folder (issue 15): written whole or not at all,
// read back as written, anything unreadable or of another shape counts as none, readable by the service's user
// alone; and a start from it is allowed only for this code's schema version and a secret check this process's secret
// opens (otherwise the process waits for the database as before).
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../service/src/config.js';
import { judgeSecret } from '../../service/src/domain/secret-check.js';
import type { Logger } from '../../service/src/logger.js';
import { snapshotRefusal } from '../../service/src/ops/tracking-start.js';
import type { TrackingSnapshot } from '../../service/src/ports/index.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { snapshotFile } from '../../service/src/spool/snapshot-file.js';
import { startingSnapshot } from '../../service/src/store-start.js';
import { randomSecret } from '../support/secrets.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const secret = randomSecret();
const sealed = (() => {
  const v = judgeSecret(undefined, [secret]);
  if (!('store' in v)) throw new Error('a first start stores its check');
  return v.store;
})();
const snapshot = (o: Partial<TrackingSnapshot> = {}): TrackingSnapshot => ({
  schemaVersion: 30,
  secretCheck: sealed,
  savedAt: '2026-12-03T10:00:00.000Z',
  links: { spans: [{ campaignId: 'c1', first: 1, last: 40 }], links: { c1: ['https://example.test/a'] } },
  ...o,
});

describe('tracking snapshot', () => {
  it('reads back what it wrote, replaces it whole, and counts a torn or foreign file as none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const file = snapshotFile(dir);
    expect(file.read()).toBeUndefined(); // a first-ever start: none
    expect(await file.write(snapshot())).toBe(true);
    expect(await file.write(snapshot({ savedAt: '2026-12-03T10:05:00.000Z' }))).toBe(true);
    expect(file.read()).toEqual(snapshot({ savedAt: '2026-12-03T10:05:00.000Z' }));
    expect(readdirSync(dir)).toEqual(['tracking-snapshot.json']); // no temporary file left behind
    writeFileSync(join(dir, 'tracking-snapshot.json'), '{"schemaVersion":30,"secretCheck":"x","sav');
    expect(file.read()).toBeUndefined();
    writeFileSync(join(dir, 'tracking-snapshot.json'), JSON.stringify({ schemaVersion: 30, savedAt: 'x', links: {} }));
    expect(file.read()).toBeUndefined();
  });

  // A link planted at the temporary file's name, which was the pid's (1 in a container), was followed: the file it
  // named was overwritten with the snapshot, and the snapshot itself became a link to it.
  it('writes through no link planted at a temporary name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    for (const pid of [process.pid, 1]) symlinkSync(victim, join(dir, `tracking-snapshot.json.${pid}.tmp`));
    const file = snapshotFile(dir);
    expect(await file.write(snapshot())).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(join(dir, 'tracking-snapshot.json')).isSymbolicLink()).toBe(false);
    expect(file.read()).toEqual(snapshot());
  });

  // A code review: with a fresh temporary name per write, a write that fails left its file behind each time.
  it('leaves no temporary file behind when a write fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    mkdirSync(join(dir, 'tracking-snapshot.json')); // the rename cannot replace a folder
    const file = snapshotFile(dir);
    for (let i = 0; i < 3; i++) await expect(file.write(snapshot())).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['tracking-snapshot.json']);
  });

  it('counts valid JSON of the wrong shape as none, instead of crashing the start that reads it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const file = snapshotFile(dir);
    const at = join(dir, 'tracking-snapshot.json');
    const shapes = [
      { spans: [], links: null },
      { spans: [null], links: {} },
      { spans: [{ campaignId: 'c1', first: '1', last: 40 }], links: {} },
      { spans: [], links: { c1: 'https://example.test/a' } },
      { spans: [], links: { c1: [7] } },
    ];
    for (const links of shapes) {
      writeFileSync(at, JSON.stringify({ ...snapshot(), links }));
      expect(file.read(), JSON.stringify(links)).toBeUndefined();
    }
    writeFileSync(at, JSON.stringify(snapshot()));
    expect(file.read()).toEqual(snapshot()); // the control: the right shape is read
  });

  it('says so when the file it would start from cannot be read, and nothing on a first start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const file = snapshotFile(dir);
    const warned: unknown[] = [];
    const logger = { warn: (o: unknown) => warned.push(o) } as unknown as Logger;
    const config = { secret } as Config;
    expect(startingSnapshot(file, config, logger)).toBeUndefined();
    expect(warned).toEqual([]); // none there: a first start waits quietly, as before
    writeFileSync(join(dir, 'tracking-snapshot.json'), '{"schemaVersion":30,"secretCheck":"x","sav');
    expect(startingSnapshot(file, config, logger)).toBeUndefined();
    expect(warned).toMatchObject([{ event: 'tracking.snapshot.unusable', reason: expect.stringMatching(/cannot be read/) }]);
  });

  it("is readable by the service's user alone, as the spool beside it", async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const data = join(dir, 'data');
    const spool = openFileSpool(join(data, 'spool'));
    await spool.append([{ kind: 'open', rowId: 1, method: 'GET', ip: '203.0.113.9', userAgent: 'Mozilla/5.0', at: '2026-12-03T10:00:00.000Z' }]);
    await spool.close();
    expect(await snapshotFile(data).write(snapshot())).toBe(true);
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect(mode(join(data, 'tracking-snapshot.json'))).toBe('600');
    expect(mode(join(data, 'spool'))).toBe('700');
    const hits = readdirSync(join(data, 'spool')).filter((f) => f.startsWith('hits-'));
    expect(hits.map((f) => mode(join(data, 'spool', f)))).toEqual(['600']);
  });

  it('keeps none larger than its bound, leaving the last one in place', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-snapshot-'));
    const file = snapshotFile(dir, 2_000);
    expect(await file.write(snapshot())).toBe(true);
    const spans = Array.from({ length: 100 }, (_, i) => ({ campaignId: `c${i}`, first: i * 10, last: i * 10 + 9 }));
    expect(await file.write(snapshot({ links: { spans, links: {} } }))).toBe(false);
    expect(file.read()).toEqual(snapshot());
  });

  it('is started from only with this schema version and a secret that opens its check', () => {
    expect(snapshotRefusal(snapshot(), 30, [secret])).toBeUndefined();
    // A rotation under way: the previous secret opens it, as the database would accept.
    expect(snapshotRefusal(snapshot(), 30, [randomSecret(), secret])).toBeUndefined();
    expect(snapshotRefusal(snapshot(), 31, [secret])).toMatch(/schema version 30.*this process has 31/);
    expect(snapshotRefusal(snapshot(), 30, [randomSecret()])).toMatch(/LEADFWD_SECRET/);
  });
});
