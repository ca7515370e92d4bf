// /metrics reads the database's figures (full counts of the ledger, events and engagement) at scrape time. On a large
// database each read is a scan: scrapes arriving together share one read, and a read is reused for ten times what it
// took, so counting never takes more than about a tenth of the database's time, while a small one's figures stay fresh.
// Concurrent scrapes never show zeros for one another, and a read that fails leaves the figures out, never stale ones.
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../service/src/ops/metrics.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import type { OpsCounts } from '../../service/src/ports/index.js';
import { openStore, type SqliteStore } from '../../service/src/store/db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const metric = (text: string, name: string) => new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1];

let store: SqliteStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

/**
 * The real store's counts, slowed as a large database's scan is (a moment of real time, so scrapes overlap, and
 * `delayMs` on the metrics' monotonic clock, which the test moves), with the accepted count this test chooses.
 */
function countingStore(o: { delayMs: number }) {
  store = openStore(':memory:');
  const real = store;
  const s = {
    reads: 0,
    accepted: 3,
    failing: false,
    ms: 0,
    async opsCounts(): Promise<OpsCounts> {
      s.reads++;
      await sleep(10);
      s.ms += o.delayMs;
      if (s.failing) throw new StoreUnavailableError('ECONNREFUSED');
      const counts = await real.opsCounts();
      return { ...counts, recipients: { ...counts.recipients, accepted: s.accepted } };
    },
  };
  return s;
}

const metricsOf = (s: ReturnType<typeof countingStore>) => createMetrics({ store: s, sugarStats: () => ({ retries: 0, byStatus: {} }), monotonic: () => s.ms });

describe('/metrics database reads', () => {
  it('shares one read between scrapes that arrive together, and none of them shows zeros', async () => {
    const s = countingStore({ delayMs: 40 });
    const m = metricsOf(s);
    const bodies = await Promise.all([m.render(), m.render(), m.render()]);
    expect(s.reads).toBe(1);
    for (const b of bodies) expect(metric(b.body, 'leadfwd_recipients{state="accepted"}')).toBe('3');
  });

  it('reuses a slow read for ten times its length, then reads afresh', async () => {
    const s = countingStore({ delayMs: 40 });
    const m = metricsOf(s);
    await m.render();
    s.accepted = 4;
    expect(metric((await m.render()).body, 'leadfwd_recipients{state="accepted"}')).toBe('3');
    s.ms += 390;
    expect(metric((await m.render()).body, 'leadfwd_recipients{state="accepted"}')).toBe('3');
    expect(s.reads).toBe(1);
    s.ms += 20; // past 10 × 40 ms
    expect(metric((await m.render()).body, 'leadfwd_recipients{state="accepted"}')).toBe('4');
    expect(s.reads).toBe(2);
  });

  it("reads a small database's figures at every scrape", async () => {
    const s = countingStore({ delayMs: 0 });
    const m = metricsOf(s);
    await m.render();
    s.accepted = 5;
    expect(metric((await m.render()).body, 'leadfwd_recipients{state="accepted"}')).toBe('5');
    expect(s.reads).toBe(2);
  });

  it('leaves the figures out when a read fails, and shows them again once the database answers', async () => {
    const s = countingStore({ delayMs: 5 });
    const m = metricsOf(s);
    expect(metric((await m.render()).body, 'leadfwd_outbox_pending')).toBe('0');
    s.ms += 60;
    s.failing = true;
    const down = (await m.render()).body;
    expect(down).not.toMatch(/^leadfwd_outbox_pending /m);
    expect(down).not.toMatch(/^leadfwd_recipients/m);
    expect(down).toMatch(/^leadfwd_process_resident_memory_bytes /m);
    s.failing = false;
    expect(metric((await m.render()).body, 'leadfwd_recipients{state="accepted"}')).toBe('3');
  });
});
