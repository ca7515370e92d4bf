// Storage failures surface as StoreUnavailableError (so HTTP can answer 503) and never leave half a write.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyAudit } from '../../service/src/domain/audit.js';
import { openStore, StoreUnavailableError } from '../../service/src/store/db.js';
import { newCampaign, targets, tempDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/readonly-writer.ts', import.meta.url));
const NOBODY = 65534;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Runs the writer as a user without write permission (root ignores file modes, so drop to nobody). */
function runWriter(file: string): Record<string, { name: string; code: string; unavailable: boolean } | string | null> {
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, ['--import', 'tsx', WRITER, file], { encoding: 'utf8', ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
  if (r.status !== 0) throw new Error(`writer failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function seeded(dirMode: number): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(() => {
    chmodSync(dir, 0o700);
    cleanup();
  });
  const file = join(dir, 'leadfwd.db');
  const store = openStore(file);
  store.campaigns.create(newCampaign({ name: 'Seeded' }), 'c');
  store.close();
  chmodSync(file, 0o444);
  chmodSync(dir, dirMode);
  return file;
}

describe('read-only database file', () => {
  it('still serves reads, and every write fails with StoreUnavailableError', () => {
    // Folder writable (so SQLite can keep its -shm/-wal files), database file read-only.
    const out = runWriter(seeded(0o777));
    expect(out.open).toBeUndefined();
    expect(out.read).toBe('Seeded');
    expect(out.write).toMatchObject({ name: 'StoreUnavailableError', code: 'SQLITE_READONLY', unavailable: true });
    expect(out.transaction).toMatchObject({ name: 'StoreUnavailableError', unavailable: true });
    expect((out.write as unknown as { message: string }).message).toMatch(/read-only\); nothing was written/);
  });

  it('refuses to open with StoreUnavailableError when not even the folder is writable', () => {
    const out = runWriter(seeded(0o755));
    expect(out.open).toMatchObject({ name: 'StoreUnavailableError', unavailable: true, code: expect.stringMatching(/^SQLITE_(READONLY|CANTOPEN)/) });
  });
});

describe('disk full', () => {
  it('fails a batch with StoreUnavailableError and keeps none of it, nor the audit written with it', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const store = openStore(join(dir, 'full.db'), { maxSizeBytes: 600 * 1024 });
    store.campaigns.create(newCampaign(), 'c');
    let inserted = 0;
    let failure: unknown;
    for (let batch = 0; batch < 200 && !failure; batch++) {
      const audit = { ...emptyAudit(), candidates: inserted + 500, queued: inserted + 500 };
      try {
        store.transaction(() => {
          store.recipients.insertMany('c', targets(500, inserted));
          store.campaigns.saveAudit('c', audit);
        });
        inserted += 500;
      } catch (err) {
        failure = err;
      }
    }
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as StoreUnavailableError).code).toBe('SQLITE_FULL');
    expect((failure as Error).message).toMatch(/disk full/);
    expect(inserted).toBeGreaterThan(0);
    // Exactly the committed batches are there, and the audit matches them.
    expect(store.recipients.counts('c').queued).toBe(inserted);
    expect(store.campaigns.getAudit('c')?.queued).toBe(inserted);
    // The store keeps working for reads and small writes that still fit.
    expect(store.campaigns.get('c')?.status).toBe('draft');
    store.close();
  });

  it('reports a data folder or file that cannot be opened as unavailable, with the reason', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    expect(() => openStore(join(blocker, 'leadfwd.db'))).toThrow(/cannot create the data folder .*blocker: E[A-Z]+/);
    // A folder where the database file should be.
    expect(() => openStore(dir)).toThrow(StoreUnavailableError);
  });
});
