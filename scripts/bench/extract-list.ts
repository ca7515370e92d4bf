import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { extractTargets } from '../../service/src/campaigns/extraction.js';
import { openStore } from '../../service/src/store/db.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { bulkId } from '../sugar-sim/seed-ids.js';
import { startSimProcess } from './support.js';

const N = Number(process.argv[2] ?? 200_000);
const fmt = (n: number) => n.toLocaleString('en-US');

const { proc: simProc, url: simUrl } = await startSimProcess();
let t = performance.now();
const seeded = await fetch(`${simUrl}/__sim/seed-bulk`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ lists: 1, perList: N, overlap: 0, modules: ['Contacts'] }),
});
if (!seeded.ok) throw new Error(`seeding failed: ${await seeded.text()}`);
console.log(`simulator: ${fmt(N)} Contacts seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bench-extract-'));
// As the service opens it: WAL checkpoints on their own thread (LEADFWD_DB_CHECKPOINT_MS default), not inside commits.
const store = openStore(join(dir, 'leadfwd.sqlite'), { checkpointEveryMs: 1000 });
try {
  // The first bulk batch of an empty simulator numbers its members 1..N (scripts/sugar-sim/seed-bulk.ts).
  const list = store.lists.create('Bench list', 'api');
  store.lists.addMembers(
    list.id,
    Array.from({ length: N }, (_, i) => ({ module: 'Contacts' as const, recordId: bulkId(1, i + 1) })),
  );
  const campaign = store.campaigns.create({
    name: 'Bench',
    subject: 'Hi',
    fromName: 'Bench',
    fromEmail: 'bench@example.com',
    html: '<p>Hi {{ first_name }}</p>',
    targetListIds: [],
    leadfwdListIds: [list.id],
    customFields: [],
    sendAt: new Date().toISOString(),
  });
  const sugar = new SugarClient({ baseUrl: simUrl, apiVersion: 'v11_1', username: 'admin', password: 'admin', platform: 'leadfwd', timeoutMs: 60_000 });

  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 2000));
  idle.disable();

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  let longestGc = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longestGc = Math.max(longestGc, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await new Promise((r) => setTimeout(r, 50)); // the monitor's first tick only starts its clock
  t = performance.now();
  const cpu = process.cpuUsage();
  const audit = await extractTargets({ sugar, store }, campaign);
  const cpuSeconds = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpu));
  const seconds = (performance.now() - t) / 1000;
  h.disable();
  gc.disconnect();
  clearInterval(sampler);
  if (audit.candidates !== N || audit.queued !== N) throw new Error(`expected ${N} candidates and queued, got ${audit.candidates} and ${audit.queued}`);
  const ms = (ns: number) => (ns / 1e6).toFixed(0);
  console.log(
    `extract a ${fmt(N)}-member LeadFWD list: ${seconds.toFixed(1)} s (${fmt(Math.round(N / seconds))} members/s), ` +
      `${sugar.stats().calls} Sugar calls, ${cpuSeconds.toFixed(1)} s of this process's CPU (the rest is the simulator answering), ` +
      `peak RSS ${Math.round(peakRss / 1_048_576)} MB`,
  );
  console.log(
    `event loop during extraction: worst stall ${ms(h.max)} ms, p99 ${ms(h.percentile(99))} ms ` +
      `(baseline, the same loop idle for 2 s: worst ${ms(idle.max)} ms; longest GC pause ${longestGc.toFixed(0)} ms) — goal: no stall over 50 ms`,
  );
  await sugar.logout().catch(() => undefined);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  simProc.kill('SIGKILL');
}
