// Several processes claim from one SQLite file at once: every row must be handed out exactly once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../service/src/store/db.js';
import { storeWithTargets, withDatabaseFile } from './helpers.js';

const CLAIMER = fileURLToPath(new URL('./fixtures/claimer.ts', import.meta.url));

function startClaimer(file: string, campaignId: string, batch: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLAIMER, file, campaignId, String(batch)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.startsWith('ready\n') ? resolve() : child.stdout.once('data', check));
    check();
  });
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as number[]) : reject(new Error(`claimer exited ${code}`))));
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('claims across connections', () => {
  it('two connections in one process never get the same row', async () => {
    await withDatabaseFile('race.db', (file) => {
      const a = storeWithTargets(file, 100);
      const b = openStore(file);
      const seen: number[] = [];
      for (let i = 0; i < 30; i++) {
        const from = i % 2 === 0 ? a : b;
        seen.push(...from.recipients.claim('c', 4, new Date().toISOString()).map((r) => r.rowId));
      }
      expect(seen).toHaveLength(100);
      expect(new Set(seen).size).toBe(100);
      a.close();
      b.close();
    });
  });

  it('three processes claiming at once hand out every row exactly once', async () => {
    await withDatabaseFile('race.db', async (file) => {
      storeWithTargets(file, 6000).close();

      const claimers = [startClaimer(file, 'c', 5), startClaimer(file, 'c', 7), startClaimer(file, 'c', 11)];
      await Promise.all(claimers.map((c) => c.ready));
      for (const c of claimers) c.go();
      const results = await Promise.all(claimers.map((c) => c.done));

      const all = results.flat();
      expect(all).toHaveLength(6000);
      expect(new Set(all).size).toBe(6000);
      const check = openStore(file);
      expect(check.recipients.counts('c')).toEqual({ queued: 0, sending: 0, accepted: 6000, failed: 0, uncertain: 0 });
      check.close();
      // More than one process got rows, so the claims really did interleave.
      expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    });
  });
});
