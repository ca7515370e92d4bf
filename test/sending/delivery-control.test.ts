// The delivery control on its own: admission per identity and provider (pause, warm-up allowance per provider
// group, daily limit, concurrency, rates scaled by the throttle), one strike per round of refusals already on the
// wire, recovery, pushback reported after the fact, and today's counts seeded from the store once per day.
import { describe, expect, it } from 'vitest';
import type { SendResult } from '../../service/src/ports/index.js';
import { createDeliveryControl, providerOfRow } from '../../service/src/sending/delivery-control.js';
import { testIdentity } from '../support/senders.js';

const refusal: SendResult = { outcome: 'retryable', code: 421, enhanced: '4.7.0', text: '421 4.7.0 Try again later', policy: true };
const accepted: SendResult = { outcome: 'accepted', text: '250 ok' };

function control(opts: { acceptedOn?: Record<string, number>; start?: string } = {}) {
  let now = new Date(opts.start ?? '2026-12-03T10:00:00.000Z');
  let mono = 0;
  const reads: string[] = [];
  const c = createDeliveryControl({
    now: () => now,
    monotonic: () => mono,
    acceptedOn: (id, day) => {
      reads.push(`${id}@${day}`);
      return opts.acceptedOn ?? {};
    },
  });
  return {
    c,
    reads,
    at: (iso: string) => {
      now = new Date(iso);
    },
    tick: (ms: number) => {
      mono += ms;
    },
  };
}

describe('delivery control', () => {
  it('knows a row by its MX provider, else by its domain', () => {
    expect(providerOfRow({ provider: 'mx:ovh.net', email: 'a@gmail.com' })).toBe('mx:ovh.net');
    expect(providerOfRow({ email: 'a@GMAIL.com' })).toBe('google');
    expect(providerOfRow({ email: 'a@acme.test' })).toBe('unknown');
  });

  it('strikes once per round of refusals already on the wire: slowed, then paused; other providers stay normal', async () => {
    const { c } = control();
    const id = testIdentity();
    const epochs = [1, 2, 3].map(() => c.admit(id, 'google').ok && c.started(id, 'google'));
    expect(c.admit(id, 'yahoo')).toEqual({ ok: true });
    c.started(id, 'yahoo');
    expect(c.finished(id, 'google', epochs[0] as number, refusal)).toMatchObject({ level: 'slowed', strikes: 1 });
    expect(c.finished(id, 'google', epochs[1] as number, refusal)).toBeUndefined(); // sent before the strike
    expect(c.finished(id, 'google', epochs[2] as number, refusal)).toBeUndefined();
    c.finished(id, 'yahoo', 0, accepted);
    const again = c.started(id, 'google');
    expect(c.finished(id, 'google', again, refusal)).toMatchObject({ level: 'paused', resumeAt: '2026-12-03T10:01:00.000Z' });
    expect(c.admit(id, 'google')).toMatchObject({ ok: false, until: new Date('2026-12-03T10:01:00.000Z'), provider: 'google' });
    expect(c.admit(id, 'yahoo')).toEqual({ ok: true });
    expect(await c.status(id.id)).toEqual([expect.objectContaining({ provider: 'google', level: 'paused', reason: '421 4.7.0 Try again later' })]);
  });

  it('a slowed provider gets a share of the rate and of the concurrency, and recovers after enough accepted messages', async () => {
    const { c, tick, at } = control();
    const id = testIdentity({ rate: { perSecond: 10, perHour: 0, perDay: 0 }, providerLimits: { '*': { concurrency: 4 } } });
    const e = c.started(id, 'google');
    c.finished(id, 'google', e, refusal);
    c.finished(id, 'google', c.started(id, 'google'), refusal); // second strike: paused a minute, factor 1/4
    at('2026-12-03T10:01:00.000Z');
    // Slowed to a quarter: 2.5/s, one on the wire at a time.
    expect(c.admit(id, 'google')).toEqual({ ok: true });
    c.started(id, 'google');
    expect(c.admit(id, 'google')).toEqual({ ok: false, waitMs: 5, slot: true }); // concurrency 4 × 1/4 = 1
    c.finished(id, 'google', 99, accepted);
    expect(c.admit(id, 'google')).toEqual({ ok: true }); // the bucket holds 2.5
    c.finished(id, 'google', c.started(id, 'google'), accepted);
    const wait = c.admit(id, 'google');
    expect(wait).toMatchObject({ ok: false });
    expect((wait as { waitMs: number }).waitMs).toBe(200); // half a token short at 2.5 a second
    tick(500);
    for (let i = 0; i < 200; i++) c.finished(id, 'google', 99, accepted);
    expect(await c.status(id.id)).toEqual([]); // back to normal
  });

  it("keeps a limited provider's token when the identity's rate holds the row back, so that provider still gets its rate", () => {
    const { c, tick } = control();
    const id = testIdentity({ rate: { perSecond: 2, perHour: 0, perDay: 0 }, providerLimits: { google: { perSecond: 0.7 } } });
    const got = { google: 0, yahoo: 0 };
    // Four seconds, every 10 ms a google row asks first, then a yahoo row: yahoo takes every identity token google
    // does not, and google's tokens (0.7 a second) come between the identity's (2 a second).
    for (let t = 0; t < 4000; t += 10, tick(10))
      for (const provider of ['google', 'yahoo'] as const)
        if (c.admit(id, provider).ok) {
          got[provider]++;
          c.finished(id, provider, c.started(id, provider), accepted);
        }
    // google: its burst of 1 and 0.7 a second (3); had each refusal spent its token, it would have had only its burst.
    expect(got.google).toBeGreaterThanOrEqual(3);
    expect(got.google + got.yahoo).toBeLessThanOrEqual(2 + 2 * 4);
  });

  it('counts the warm-up allowance per provider group (the rest together), starting from what the store says today', () => {
    const { c, reads, at } = control({ acceptedOn: { google: 3 } });
    const id = testIdentity({ warmup: { startDate: '2026-12-03', startPerDay: 5, growth: 2, targetPerDay: 1000 } });
    expect(c.admit(id, 'google')).toEqual({ ok: true });
    c.started(id, 'google');
    c.admit(id, 'google');
    c.started(id, 'google'); // 3 today + 2 on the wire = 5
    expect(c.admit(id, 'google')).toMatchObject({ ok: false, until: new Date('2026-12-04T00:00:00.000Z'), group: 'google' });
    for (const p of ['mx:a.test', 'mx:b.test', 'unknown', 'mx:c.test', 'mx:d.test']) {
      expect(c.admit(id, p)).toEqual({ ok: true });
      c.finished(id, p, c.started(id, p), accepted);
    }
    expect(c.admit(id, 'mx:e.test')).toMatchObject({ ok: false, group: 'other', why: 'warm-up: other had its 5 messages for today' });
    expect(c.acceptedToday(id)).toEqual({ google: 3, other: 5 });
    at('2026-12-04T00:00:00.000Z'); // day 2: 10 each, counted from the store again
    expect(c.admit(id, 'mx:e.test')).toEqual({ ok: true });
    expect(reads).toEqual(['identity-test@2026-12-03', 'identity-test@2026-12-04']);
  });

  it("the identity's daily limit holds every provider until the next UTC day", () => {
    const { c } = control({ acceptedOn: { google: 2, other: 1 } });
    const id = testIdentity({ rate: { perSecond: 100, perHour: 0, perDay: 4 } });
    expect(c.admit(id, 'yahoo')).toEqual({ ok: true });
    c.started(id, 'yahoo');
    expect(c.admit(id, 'apple')).toMatchObject({
      ok: false,
      until: new Date('2026-12-04T00:00:00.000Z'),
      why: "the identity's 4 messages for today are used up",
    });
  });

  it('a pushback reported later (a DSN) strikes like one at send time, before the identity ever sent here', async () => {
    const { c } = control();
    expect(c.pushback('other-identity', 'microsoft', '550 5.7.515 Access denied')).toMatchObject({ level: 'slowed' });
    expect(await c.status('other-identity')).toEqual([expect.objectContaining({ provider: 'microsoft', reason: '550 5.7.515 Access denied' })]);
    const id = testIdentity({ id: 'other-identity' });
    expect(c.admit(id, 'microsoft')).toEqual({ ok: true }); // slowed, not paused; its bucket is made now
    await c.reset('other-identity');
    expect(await c.status('other-identity')).toEqual([]);
  });
});
