// A rate shared by processes on one PostgreSQL (an identity's messages per second, Sugar's requests per second): two
// processes, each with its own store and bucket, spend as fast as they are allowed for two seconds; together they
// never go past the burst plus the rate times the time, both get a share, and the database sees a round trip per
// batch of tokens, not per token. The same through the delivery control's admission of rows, for an identity's rate
// and for one mailbox provider's limit within it.
import { describe, expect, it } from 'vitest';
import { createSharedBucket } from '../../service/src/coordination/shared-bucket.js';
import type { SenderIdentity } from '../../service/src/domain/identity.js';
import type { RateRepo } from '../../service/src/ports/index.js';
import { createDeliveryControl } from '../../service/src/sending/delivery-control.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counted(rates: RateRepo) {
  const c = { trips: 0, rates: { take: async (...a: Parameters<RateRepo['take']>) => (c.trips++, await rates.take(...a)) } };
  return c;
}

/** Takes one token whenever allowed until `ms` passed; returns how many it got. */
async function spend(bucket: { take(): number }, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let got = 0;
  while (performance.now() < end) {
    const wait = bucket.take();
    if (wait === 0) got++;
    else await sleep(Math.min(wait, end - performance.now()));
  }
  return got;
}

describe.skipIf(!debianPgBin())('a rate shared by processes on PostgreSQL', () => {
  const { stores } = useProcessStores('rates');

  it('holds across two processes, in batches', async () => {
    const perSecond = 100;
    const procs = stores.map((s) => counted(s.rates));
    const buckets = procs.map((p) => createSharedBucket({ rates: p.rates, name: 'identity:shared-test', perSecond }));
    const t0 = performance.now();
    const got = await Promise.all(buckets.map((b) => spend(b, 2000)));
    const seconds = (performance.now() - t0) / 1000;
    const total = got[0] + got[1];
    // The burst (one second's worth) plus the rate for the time: never more, whatever the two processes do.
    expect(total).toBeLessThanOrEqual(perSecond + perSecond * seconds);
    // Alone, each would have taken that much; together they share it (each gets a fair part, none is shut out).
    expect(total).toBeGreaterThan(perSecond * seconds * 0.7);
    expect(Math.min(...got)).toBeGreaterThan(total * 0.25);
    // Round trips: a batch (100 ms of the rate, 10 tokens) per trip, plus those that came back empty.
    const trips = procs[0].trips + procs[1].trips;
    expect(trips).toBeLessThan(total / 2);
  });

  /** Each process's delivery control admits gmail rows of the identity for `ms`, on its own store: how many each. */
  async function admitFromBoth(identity: SenderIdentity, ms: number): Promise<{ admitted: number[]; seconds: number }> {
    const controls = stores.map((s) =>
      createDeliveryControl({ acceptedOn: () => ({}), sharedBucket: (name, rate) => createSharedBucket({ rates: s.rates, name, ...rate }) }),
    );
    const t0 = performance.now();
    const admitted = await Promise.all(
      controls.map(async (control) => {
        let n = 0;
        while (performance.now() - t0 < ms) {
          const a = control.admit(identity, 'gmail');
          if (a.ok) {
            n++;
            control.finished(identity, 'gmail', control.started(identity, 'gmail'), { outcome: 'accepted', code: 250, text: 'ok' } as never);
          } else await sleep('waitMs' in a ? a.waitMs : 5);
        }
        return n;
      }),
    );
    return { admitted, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Both processes together got one bucket of `perSecond`: at most one burst plus the rate for the time (each on its
   * own bucket would have had twice that together), most of it, and each process some.
   */
  function expectOneBucket({ admitted, seconds }: { admitted: number[]; seconds: number }, perSecond: number) {
    expect(admitted[0] + admitted[1]).toBeLessThanOrEqual(perSecond + perSecond * seconds);
    expect(admitted[0] + admitted[1]).toBeGreaterThan(perSecond * seconds * 0.6);
    expect(Math.min(...admitted)).toBeGreaterThan(0);
  }

  it("limits an identity's rows across processes through the delivery control", async () => {
    const identity = {
      id: 'id-shared',
      rate: { perSecond: 40, perHour: 0, perDay: 0 },
      providerLimits: {},
      relay: { maxConnections: 4 },
    } as unknown as SenderIdentity;
    expectOneBucket(await admitFromBoth(identity, 1500), 40);
  });

  it("limits one mailbox provider's rows across processes to its own limit, below the identity's rate", async () => {
    const identity = {
      id: 'id-provider',
      rate: { perSecond: 1000, perHour: 0, perDay: 0 },
      providerLimits: { gmail: { perSecond: 10 } },
      relay: { maxConnections: 4 },
    } as unknown as SenderIdentity;
    expectOneBucket(await admitFromBoth(identity, 3000), 10);
  });
});
