// Benchmark (not a test) of the online move to PostgreSQL: a SQLite store of N sent recipients with an open each
// (event and counter) stays open (the running service) while `migrate-store` copies it; the store then records K
// more opens (K events inserted, K counters updated), is closed (the service stopped), and the last `--catch-up`
// brings those over. The move's downtime is that last catch-up, against the whole copy a stopped service waited for
// before (the baseline: the same copy, measured in the same run).
//   npx tsx scripts/bench/migrate-store.ts [recipients=100000] [changes=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../service/src/store/db.js';
import { catchUpStore, migrateStore } from '../migrate-store.js';
import { startPostgres } from '../postgres.js';
import { benchTarget, seedCampaign } from './support.js';

const N = Number(process.argv[2] ?? 100_000);
const K = Number(process.argv[3] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'leadfwd-move-bench-'));
const file = join(dir, 'leadfwd.sqlite');
const server = await startPostgres();
const seconds = (t: number) => (performance.now() - t) / 1000;

try {
  const service = openStore(file);
  await seedCampaign(service, 'bench', { name: 'Bench', sent: true });
  await service.recipients.insertMany(
    'bench',
    Array.from({ length: N }, (_, i) => benchTarget(i, 'bench.test', 'tl')),
  );
  const rows = await service.recipients.claim('bench', N, new Date().toISOString());
  await service.recipients.markOutcomes(rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<m${r.rowId}@bench.test>` })));
  // An open each: its raw event inserted and its counter inserted, later updated.
  const opens = async (rowIds: number[]) => {
    for (let i = 0; i < rowIds.length; i += 1000) {
      const at = new Date().toISOString();
      const items = rowIds
        .slice(i, i + 1000)
        .map((r) => ({
          hit: { recipientRowId: r, campaignId: 'bench', kind: 'open' as const, at, human: true },
          event: { recipientRowId: r, campaignId: 'bench', type: 'open', at, data: { ua: 'Mozilla/5.0', ip: '192.0.2.0/24' } },
        }));
      await service.engagement.recordWithEffects(items, 50);
    }
  };
  await opens(rows.map((r) => r.rowId));

  server.psql('CREATE DATABASE stopped');
  server.psql('CREATE DATABASE online');
  const url = (db: string) => server.url.replace(/\/leadfwd$/, `/${db}`);

  // Baseline: the whole copy, which was the downtime when the service had to be stopped for it.
  const backup = join(dir, 'backup.sqlite');
  await service.backup(backup);
  let t = performance.now();
  const whole = await migrateStore({ sqlitePath: backup, databaseUrl: url('stopped') });
  const wholeSeconds = seconds(t);
  const copiedRows = whole.tables.reduce((n, c) => n + c.postgres, 0);

  t = performance.now();
  const first = await migrateStore({ sqlitePath: file, databaseUrl: url('online') });
  const firstSeconds = seconds(t);
  if (first.complete) throw new Error('the first run found the store closed');
  // The service goes on: K more opens (K events inserted, K counters updated).
  await opens(rows.slice(0, K).map((r) => r.rowId));
  service.close();

  t = performance.now();
  const last = await catchUpStore({ sqlitePath: file, databaseUrl: url('online') });
  const lastSeconds = seconds(t);
  if (!last.complete) throw new Error('the last catch-up did not complete');

  console.log(`online move, SQLite → PostgreSQL (throwaway cluster, fsync off): ${N} recipients, ${copiedRows} rows in all`);
  console.log(`  whole copy (the downtime when the service had to stop): ${wholeSeconds.toFixed(2)} s (${Math.round(copiedRows / wholeSeconds)} rows/s)`);
  console.log(`  first run while the service runs (triggers on):        ${firstSeconds.toFixed(2)} s`);
  console.log(`  last catch-up, service stopped (${last.changes} rows written meanwhile): ${lastSeconds.toFixed(2)} s  ← the downtime`);
  console.log(`  downtime ratio (last catch-up / whole copy): ${(lastSeconds / wholeSeconds).toFixed(3)}`);
} finally {
  await server.destroy();
  rmSync(dir, { recursive: true, force: true });
}
