// Automation benchmark (issue 7): N enrolled targets advanced through one step on a real SQLite file,
// i.e. each gets its ledger row in the step's campaign, its exactly-once key and its new position.
// Then every target advanced again past a wait (no sends), and a tick with nothing due.
// Usage: npx tsx scripts/bench/automations.ts [targets=50000] [batch=500]
// Goal on the 2-core machine: under 60 s and under 300 MB peak RSS for 50,000 targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAutomationEngine } from '../../service/src/automations/engine.js';
import { compileAutomation } from '../../service/src/domain/automation.js';
import { openStore } from '../../service/src/store/db.js';

const N = Number(process.argv[2] ?? 50_000);
const BATCH = Number(process.argv[3] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bench-automations-'));
const store = openStore(join(dir, 'bench.db'));
let clock = new Date('2026-11-26T10:00:00.000Z');
let peakRss = process.memoryUsage().rss;
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const engine = createAutomationEngine({ store, now: () => clock, batchSize: BATCH });

const html = '<p>Hello {{ first_name }}</p><p><a href="https://example.com/offer">Offer</a></p>';
const definition = {
  name: 'Bench',
  steps: [
    { type: 'send_email', name: 'Welcome', subject: 'Welcome', fromName: 'Acme', fromEmail: 'news@acme.test', html },
    { type: 'wait', duration: 'P1D' },
    { type: 'send_email', name: 'Follow-up', subject: 'Follow-up', fromName: 'Acme', fromEmail: 'news@acme.test', html },
  ],
};
const a = store.automations.create({ ...compileAutomation(definition), definition });

async function timed(label: string, fn: () => Promise<number>) {
  const t0 = performance.now();
  const count = await fn();
  const ms = performance.now() - t0;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    `${label.padEnd(48)} ${count.toLocaleString('en-US').padStart(9)} in ${ms.toFixed(0).padStart(6)} ms = ${Math.round(count / (ms / 1000) || 0).toLocaleString('en-US')}/s`,
  );
  return ms;
}

try {
  await timed('enrol (API shape, chunks of 10,000)', async () => {
    let n = 0;
    for (let i = 0; i < N; i += 10_000) {
      const chunk = Array.from({ length: Math.min(10_000, N - i) }, (_, k) => ({
        module: 'Contacts' as const,
        id: `c-${i + k}`,
        email: `person.${i + k}@example-${(i + k) % 97}.test`,
        fields: { first_name: `P${i + k}` },
      }));
      n += (await engine.enrol(a.id, chunk)).enrolled;
    }
    return n;
  });
  const step = await timed('tick: every target through one send step', async () => (await engine.tick()).queued);
  const welcome = store.automations.stepCampaigns(a.id).get('steps[0]')!;
  const queued = store.recipients.counts(welcome).queued;
  if (queued !== N) throw new Error(`expected ${N} ledger rows, found ${queued}`);
  await timed('tick: nothing due', async () => (await engine.tick()).advanced);
  clock = new Date(clock.getTime() + 86_400_000);
  await timed('tick: past the wait into the second send step', async () => (await engine.tick()).queued);
  clearInterval(sample);
  const mb = Math.round(peakRss / 1024 / 1024);
  console.log(`\none step for ${N.toLocaleString('en-US')} targets: ${(step / 1000).toFixed(1)} s (goal < 60 s), peak RSS ${mb} MB (goal < 300 MB)`);
} finally {
  clearInterval(sample);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
