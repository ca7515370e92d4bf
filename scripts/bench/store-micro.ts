// Store micro-benchmark: prints ledger throughput figures on a real file (WAL, synchronous=NORMAL).
// Usage: npx tsx scripts/bench/store-micro.ts [recipients=100000] [batch=500]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from '../../service/src/domain/types.js';
import { openStore } from '../../service/src/store/db.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bench-'));
const store = openStore(join(dir, 'bench.db'));
let peakRss = process.memoryUsage().rss;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  sampleRss();
  return { ms: performance.now() - t0, result };
}
const rate = (count: number, ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString('en-US')}/s`;
const line = (label: string, count: number, ms: number) =>
  console.log(`${label.padEnd(44)} ${count.toLocaleString('en-US').padStart(9)} in ${ms.toFixed(0).padStart(6)} ms  = ${rate(count, ms)}`);

const targets: Array<Target & { addressKey: string }> = Array.from({ length: N }, (_, i) => ({
  module: 'Contacts',
  id: `0b9c${i.toString(16).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`,
  listId: 'list-1',
  email: `Person.${i}@Example-${i % 97}.test`,
  emailAddressId: `ea-${i}`,
  addressKey: `person.${i}@example-${i % 97}.test`,
  fields: { first_name: `First${i}`, last_name: `Last${i}`, account_name: `Account ${i % 1000}`, industry_c: 'Retail' },
  trackingConsent: i % 3 !== 0,
}));

try {
  store.campaigns.create(
    {
      name: 'bench',
      subject: 's',
      fromName: 'f',
      fromEmail: 'f@example.test',
      html: '<p>x</p>',
      targetListIds: ['list-1'],
      leadfwdListIds: [],
      customFields: ['industry_c'],
      sendAt: new Date().toISOString(),
    },
    'bench',
  );
  console.log(`store micro-benchmark: ${N.toLocaleString('en-US')} recipients, batches of ${BATCH}, file ${join(dir, 'bench.db')}`);

  const insert = time(() => store.recipients.insertMany('bench', targets));
  line('bulk insert (one transaction)', insert.result, insert.ms);
  const again = time(() => store.recipients.insertMany('bench', targets.slice(0, 10_000)));
  line('re-insert of known rows (dedupe, 0 new)', 10_000, again.ms);

  // Claim and record outcomes the way the send worker does: claim a batch, then one outcome transaction.
  let claimMs = 0;
  let outcomeMs = 0;
  let claimed = 0;
  for (;;) {
    const c = time(() => store.recipients.claim('bench', BATCH, new Date().toISOString()));
    claimMs += c.ms;
    if (c.result.length === 0) break;
    claimed += c.result.length;
    const outcomes = c.result.map((r, i) =>
      i % 50 === 0
        ? { rowId: r.rowId, state: 'queued' as const, error: '451 4.7.1 later', retryAt: new Date(Date.now() + 3_600_000).toISOString() }
        : { rowId: r.rowId, state: 'accepted' as const, messageId: `<${r.rowId}.bench@leadfwd.test>` },
    );
    outcomeMs += time(() => store.recipients.markOutcomes(outcomes)).ms;
  }
  line(`claim via covering index (batches of ${BATCH})`, claimed, claimMs);
  line(`markOutcomes (batches of ${BATCH})`, claimed, outcomeMs);

  // The 4xx retries from above, recorded one row per transaction, to show what batching buys.
  const retried = store.recipients.claim('bench', N, new Date(Date.now() + 7_200_000).toISOString());
  const one = time(() => {
    for (const r of retried) store.recipients.markOutcomes([{ rowId: r.rowId, state: 'accepted' }]);
  });
  line('markOutcomes (one row per transaction)', retried.length, one.ms);

  const counts = time(() => store.recipients.counts('bench'));
  line('counts(campaign) over the whole ledger', 1, counts.ms);

  const keys = targets.map((t) => t.addressKey);
  const sup = time(() =>
    store.transaction(() => {
      for (let i = 0; i < N; i += 10) store.suppressions.add(keys[i], targets[i].email, 'unsubscribe');
    }),
  );
  line('suppressions.add (one transaction)', Math.ceil(N / 10), sup.ms);
  let hits = 0;
  const filter = time(() => {
    for (let i = 0; i < N; i += 1000) hits += store.suppressions.filterSuppressed(keys.slice(i, i + 1000)).size;
  });
  line(`filterSuppressed (pages of 1000, ${hits} hits)`, N, filter.ms);

  const OUT = 20_000;
  const enq = time(() =>
    store.transaction(() => {
      for (let i = 0; i < OUT; i++) store.outbox.enqueue({ key: `targeted:bench:${i}`, kind: 'targeted', campaignId: 'bench', payload: { rowId: i } });
    }),
  );
  line('outbox.enqueue (one transaction)', OUT, enq.ms);
  let drained = 0;
  const drain = time(() => {
    for (;;) {
      const items = store.outbox.claim(200, 'bench-worker', new Date().toISOString());
      if (items.length === 0) break;
      store.outbox.complete(items.map((i) => i.id));
      drained += items.length;
    }
  });
  line('outbox claim + complete (batches of 200)', drained, drain.ms);

  console.log(`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
  const outcomesPerSec = claimed / (outcomeMs / 1000);
  console.log(
    `goal: > 5,000 outcome writes/s -> ${outcomesPerSec >= 5000 ? 'met' : 'NOT met'}; 100k insert in a couple of seconds -> ${insert.ms * (100_000 / N) <= 3000 ? 'met' : 'NOT met'}`,
  );
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
