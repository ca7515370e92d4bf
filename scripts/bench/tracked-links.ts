// What a tracking process's tracked links cost (engagement/tracked-links.ts): the read it repeats every
// LEADFWD_TRACKED_LINKS_REFRESH_MS, the memory it holds and a redirect's look-up, on a ledger of N rows in recent
// campaigns — half in campaigns extracted on their own (one run each), half in two campaigns extracted at once with
// their rows interleaved every BENCH_RUN rows (the worst case for runs).
//   npx tsx scripts/bench/tracked-links.ts [rows=200000]   (BENCH_STORE=pg: a throwaway PostgreSQL cluster)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTrackedLinks } from '../../service/src/engagement/tracked-links.js';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { startPostgres } from '../postgres.js';
import { benchTarget, seedCampaign } from './support.js';

const N = Number(process.argv[2] ?? 200_000);
const RUN = Number(process.env.BENCH_RUN ?? 1000);
const STORE = process.env.BENCH_STORE === 'pg' ? 'pg' : 'sqlite';
const fmt = (n: number) => n.toLocaleString('en-US');

const pg = STORE === 'pg' ? await startPostgres() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bench-links-'));
const store: Store = pg ? await openPgStore(pg.url) : openStore(join(dir, 'leadfwd.sqlite'));
try {
  const campaign = async (id: string) => {
    await seedCampaign(store, id);
    await store.campaigns.saveLinks(
      id,
      Array.from({ length: 12 }, (_, i) => `https://example.com/${id}/${i}?utm_source=leadfwd`),
    );
  };
  let next = 0;
  const rows = async (id: string, n: number) => {
    for (let done = 0; done < n; done += 5000) {
      const batch = Array.from({ length: Math.min(5000, n - done) }, () => benchTarget(next++, 'example.com', 'l'));
      await store.recipients.insertMany(id, batch);
    }
  };
  let t = performance.now();
  for (let c = 0; c < 4; c++) {
    await campaign(`alone-${c}`);
    await rows(`alone-${c}`, N / 8);
  }
  await campaign('mixed-a');
  await campaign('mixed-b');
  for (let done = 0; done < N / 2; done += 2 * RUN) {
    await rows('mixed-a', RUN);
    await rows('mixed-b', RUN);
  }
  console.log(`${STORE}: ${fmt(next)} ledger rows in 6 campaigns seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const tracked = createTrackedLinks({ store, days: 30, refreshMs: 3_600_000 });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    await tracked.refresh();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const { spans, campaigns } = tracked.stats();
  console.log(
    // Two float64s and a pointer to a shared campaign id per run.
    `refresh: median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}); ${fmt(spans)} runs of ${campaigns} campaigns, ${fmt(spans * 24)} bytes held`,
  );
  t = performance.now();
  let found = 0;
  for (let i = 0; i < 1_000_000; i++) if (tracked.url(1 + ((i * 7919) % next), i % 12)) found++;
  console.log(`look-up: ${((performance.now() - t) / 1000).toFixed(3)} µs per redirect (${fmt(found)} of 1,000,000 found)`);
} finally {
  await store.close();
  await pg?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
