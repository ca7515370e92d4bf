// Provider throttles and day allowances shared by processes on one PostgreSQL: two delivery controls, each on its own
// store (as two processes are), send to Gmail as one identity. A 421 answered to one slows the provider for both, so
// together they send at the slowed rate — without the shared book (the control case) the other keeps sending at the
// identity's full rate, twice what Gmail asked; answers to rows handed over before another process's strike do not
// strike again, even from a process that has not read that strike yet (the database judges it again); a recovery step comes from the messages both got through, taken once; and the warm-up allowance and
// daily limit of a day hold for both together (each alone would have sent the whole allowance). A process that never
// sent (an api one, answering the identity and campaign views) reports what the others' answers did.
import { describe, expect, it } from 'vitest';
import { createSharedAllowances } from '../../service/src/coordination/shared-allowances.js';
import { createSharedBucket } from '../../service/src/coordination/shared-bucket.js';
import { createSharedThrottles } from '../../service/src/coordination/shared-throttles.js';
import type { SenderIdentity } from '../../service/src/domain/identity.js';
import type { SendResult } from '../../service/src/ports/index.js';
import { createDeliveryControl, type DeliveryControl } from '../../service/src/sending/delivery-control.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';
import { testIdentity } from '../support/senders.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refusal: SendResult = { outcome: 'retryable', code: 421, enhanced: '4.7.0', text: '421 4.7.0 Try again later', policy: true };
const accepted: SendResult = { outcome: 'accepted', text: '250 ok' };
/** Says nothing about the sender: neither strikes nor counts towards a recovery step (which would speed Gmail up mid-test). */
const unknownUser: SendResult = { outcome: 'permanent', code: 550, enhanced: '5.1.1', text: '550 5.1.1 no such user' };

describe.skipIf(!debianPgBin())('provider throttles and day allowances shared by processes on PostgreSQL', () => {
  const { stores } = useProcessStores('throttles', { poolSize: 3 });

  /** One delivery control per process (store); `share` false: only the rates are shared, as before this book existed. */
  const controls = (share = true, maxAgeMs = 100) =>
    stores.map((s) =>
      createDeliveryControl({
        acceptedOn: () => ({}),
        sharedBucket: (name, rate) => createSharedBucket({ rates: s.rates, name, ...rate }),
        ...(share
          ? { throttles: createSharedThrottles({ repo: s.providerThrottles, maxAgeMs }), allowances: createSharedAllowances({ repo: s.dayAllowances }) }
          : {}),
      }),
    );

  /** Admits rows to `provider` from every control for `ms`, each answered at once: how many each. */
  async function sendFromAll(cs: DeliveryControl[], identity: SenderIdentity, provider: string, ms: number, answer = accepted) {
    const t0 = performance.now();
    const admitted = await Promise.all(
      cs.map(async (c) => {
        let n = 0;
        while (performance.now() - t0 < ms) {
          const a = c.admit(identity, provider);
          if (a.ok) {
            n++;
            c.finished(identity, provider, c.started(identity, provider), answer);
          } else if ('waitMs' in a) await sleep(a.waitMs);
          else break; // held until a later time: nothing more today
        }
        return n;
      }),
    );
    return { admitted, seconds: (performance.now() - t0) / 1000 };
  }

  /** Until every control's view of the identity shows `level` for `provider` (each reads the shared book afresh). */
  async function untilAllSee(cs: DeliveryControl[], identityId: string, provider: string, level: string) {
    for (let i = 0; i < 100; i++) {
      const views = await Promise.all(cs.map(async (c) => (await c.status(identityId)).find((p) => p.provider === provider)?.level));
      if (views.every((v) => v === level)) return;
      await sleep(50);
    }
    throw new Error(`not every process sees ${provider} ${level}`);
  }

  const identity = (id: string, over: Partial<SenderIdentity> = {}) =>
    testIdentity({ id, rate: { perSecond: 40, perHour: 0, perDay: 0 }, relay: { url: 'smtp://x', hasPassword: false, maxConnections: 4 }, ...over });

  /** Process A hands a Gmail row over and gets a 421; then both send to Gmail for 2 s. */
  async function afterOne421(share: boolean, id: string) {
    const cs = controls(share);
    const i = identity(id);
    for (let n = 0; n < 50 && !cs[0].admit(i, 'google').ok; n++) await sleep(5);
    expect(cs[0].finished(i, 'google', cs[0].started(i, 'google'), refusal)).toMatchObject({ level: 'slowed', rateFactor: 0.5 });
    if (share) await untilAllSee(cs, id, 'google', 'slowed');
    return await sendFromAll(cs, i, 'google', 2000, unknownUser);
  }

  it('a 421 answered to one process slows the provider for every process: together they send at the slowed rate', async () => {
    const { admitted, seconds } = await afterOne421(true, 'id-shared-421');
    // A process that never sent (an api one, answering the identity and campaign views) reports it too.
    const [api] = controls();
    expect(await api.status('id-shared-421')).toEqual([expect.objectContaining({ provider: 'google', level: 'slowed', rateFactor: 0.5, inFlight: 0 })]);
    // Another identity on the same processes and provider is not slowed by it: the book is kept per identity.
    const other = await sendFromAll(controls(), identity('id-other-identity'), 'google', 1000, unknownUser);
    expect(await api.status('id-other-identity')).toEqual([]);
    expect(other.admitted[0] + other.admitted[1]).toBeGreaterThan(20 + 20 * other.seconds);
    // Slowed to half of 40/s: one shared bucket at 20/s for both, its burst (20) plus the rate for the time.
    expect(admitted[0] + admitted[1]).toBeLessThanOrEqual(20 + 20 * seconds);
    expect(admitted[0] + admitted[1]).toBeGreaterThan(20 * seconds * 0.6);
    expect(Math.min(...admitted)).toBeGreaterThan(0);
  });

  it('control: without the shared book the other process keeps the full rate, and Gmail gets twice what it asked', async () => {
    const { admitted, seconds } = await afterOne421(false, 'id-unshared-421');
    // B never heard of the 421: on its own it sends more than the slowed 20/s allowed both, at up to the identity's
    // 40/s (118 against at most 60 in 2 s, on the run this was written with), so Gmail gets well over what it asked.
    expect(admitted[1]).toBeGreaterThan(20 * seconds);
    expect(admitted[0] + admitted[1]).toBeGreaterThan(1.2 * (20 + 20 * seconds));
  });

  it("answers to rows handed over before another process's strike do not strike again; rows handed over after it do", async () => {
    const [a, b] = controls();
    const i = identity('id-epochs');
    for (let n = 0; n < 50 && !(a.admit(i, 'google').ok && b.admit(i, 'google').ok); n++) await sleep(5);
    const before = [a.started(i, 'google'), b.started(i, 'google')];
    a.finished(i, 'google', before[0], refusal);
    await untilAllSee([a, b], 'id-epochs', 'google', 'slowed');
    expect(b.finished(i, 'google', before[1], refusal)).toBeUndefined(); // B sent it at the old rate: no second strike
    await sleep(150);
    expect(await stores[0].providerThrottles.list('id-epochs')).toEqual([
      expect.objectContaining({ provider: 'google', epoch: 1, throttle: expect.objectContaining({ level: 'slowed', strikes: 1 }) }),
    ]);
    // A row B hands over now, at the slowed rate, and is refused again: the second strike pauses Gmail for both.
    for (let n = 0; n < 100 && !b.admit(i, 'google').ok; n++) await sleep(10);
    expect(b.finished(i, 'google', b.started(i, 'google'), refusal)).toMatchObject({ level: 'paused' });
    await untilAllSee([a, b], 'id-epochs', 'google', 'paused');
    expect(a.admit(i, 'google')).toMatchObject({ ok: false, provider: 'google' });
  });

  it("judges a strike again under the row's lock: a process that has not read another's strike yet does not strike twice", async () => {
    const [a, b] = controls(true, 60_000); // B's copy stays as it was first read
    const i = identity('id-stale');
    for (let n = 0; n < 50 && !(a.admit(i, 'google').ok && b.admit(i, 'google').ok); n++) await sleep(5);
    const before = [a.started(i, 'google'), b.started(i, 'google')];
    a.finished(i, 'google', before[0], refusal);
    for (let n = 0; n < 50 && (await stores[0].providerThrottles.list('id-stale')).length === 0; n++) await sleep(10);
    // B still has epoch 0 and believes it strikes; the database knows A struck since, and keeps one strike.
    expect(b.finished(i, 'google', before[1], refusal)).toMatchObject({ level: 'slowed', strikes: 1 });
    await sleep(100);
    expect(await stores[1].providerThrottles.list('id-stale')).toEqual([
      expect.objectContaining({ epoch: 1, throttle: expect.objectContaining({ level: 'slowed', strikes: 1, rateFactor: 0.5 }) }),
    ]);
  });

  it('takes a recovery step once, for the messages every process got through', async () => {
    const [a, b] = controls();
    const i = identity('id-recovery');
    for (let n = 0; n < 50 && !a.admit(i, 'google').ok; n++) await sleep(5);
    a.finished(i, 'google', a.started(i, 'google'), refusal);
    await untilAllSee([a, b], 'id-recovery', 'google', 'slowed');
    // 30 each: 60 together (one step of 50, 10 towards the next); alone, neither would have reached a step.
    for (const c of [a, b]) for (let n = 0; n < 30; n++) c.finished(i, 'google', c.started(i, 'google'), accepted);
    await sleep(150);
    await Promise.all([a.status('id-recovery'), b.status('id-recovery')]); // each writes what it counted as it reads again
    await sleep(150);
    await Promise.all([a.status('id-recovery'), b.status('id-recovery')]);
    const [g] = await stores[0].providerThrottles.list('id-recovery');
    expect(g).toMatchObject({ accepted: 10, throttle: { level: 'slowed', rateFactor: 0.75 } });
    expect((await b.status('id-recovery'))[0]).toMatchObject({ provider: 'google', rateFactor: 0.75 });
  });

  it("holds the day's warm-up allowance and daily limit for both processes together", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const warmup = { startDate: today, startPerDay: 30, growth: 2, targetPerDay: 10_000 };
    const shared = await sendFromAll(controls(), identity('id-warmup', { rate: { perSecond: 200, perHour: 0, perDay: 0 }, warmup }), 'google', 1500);
    expect(shared.admitted[0] + shared.admitted[1]).toBe(30);
    expect(Math.min(...shared.admitted)).toBeGreaterThan(0);
    // Control: each process counts alone, and Gmail gets the day's allowance twice.
    const alone = await sendFromAll(controls(false), identity('id-warmup-alone', { rate: { perSecond: 200, perHour: 0, perDay: 0 }, warmup }), 'google', 1500);
    expect(alone.admitted[0] + alone.admitted[1]).toBe(60);
    // A plan that reached its target limits nothing any more.
    const done = { startDate: '2020-01-01', startPerDay: 30, growth: 2, targetPerDay: 100 };
    const warmedUp = await sendFromAll(controls(), identity('id-warmed-up', { rate: { perSecond: 200, perHour: 0, perDay: 0 }, warmup: done }), 'google', 500);
    expect(warmedUp.admitted[0] + warmedUp.admitted[1]).toBeGreaterThan(30);
    const perDay = await sendFromAll(controls(), identity('id-per-day', { rate: { perSecond: 200, perHour: 0, perDay: 25 } }), 'yahoo', 1500);
    expect(perDay.admitted[0] + perDay.admitted[1]).toBe(25);
  });

  it('a refused row gives its part of the allowance back, to be spent by the process that took it', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [a] = controls();
    const i = identity('id-give-back', {
      rate: { perSecond: 200, perHour: 0, perDay: 0 },
      warmup: { startDate: today, startPerDay: 3, growth: 2, targetPerDay: 100 },
    });
    const sent: string[] = [];
    for (let n = 0; n < 200 && sent.length < 4; n++) {
      const r = a.admit(i, 'yahoo');
      if (r.ok) {
        const first = sent.length === 0;
        sent.push(first ? 'failed' : 'accepted');
        a.finished(i, 'yahoo', a.started(i, 'yahoo'), first ? { outcome: 'permanent', code: 550, text: '550 no such user' } : accepted);
      } else if ('until' in r) break;
      else await sleep(r.waitMs);
    }
    // 3 for the day: the refused one's part came back, so three were accepted after it.
    expect(sent).toEqual(['failed', 'accepted', 'accepted', 'accepted']);
    let r = a.admit(i, 'yahoo');
    for (let n = 0; n < 100 && !r.ok && 'waitMs' in r; n++, r = a.admit(i, 'yahoo')) await sleep(r.waitMs);
    expect(r).toMatchObject({ ok: false, group: 'yahoo' }); // and the day's are gone
  });
});
