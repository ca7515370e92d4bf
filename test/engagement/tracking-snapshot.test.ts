// The tracking snapshot a tracking-only process keeps in its data folder (issue 15): written whole or not at all,
// read back as written, anything unreadable counts as none; and a start from it is allowed only for this code's schema
// version and a secret check this process's secret opens (otherwise the process waits for the database as before).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeSecret } from '../../service/src/domain/secret-check.js';
import { snapshotRefusal } from '../../service/src/ops/tracking-start.js';
import type { TrackingSnapshot } from '../../service/src/ports/index.js';
import { snapshotFile } from '../../service/src/spool/snapshot-file.js';
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
