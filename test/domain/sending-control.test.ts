// Pure rules for sender identities (issue 16): which mailbox provider holds an address, how a warm-up plan spreads a
// send over days, how a provider's pushback slows or pauses it and how it recovers, and when complaint or bounce
// rates pause an identity.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD_RAILS, guardRailBreach } from '../../service/src/domain/guard-rails.js';
import { baseDomain, providerOfDomain, providerOfMx, reportGroup } from '../../service/src/domain/mailbox-provider.js';
import { afterPushback, afterRecoveryStep, atTime, isProviderPushback, NORMAL } from '../../service/src/domain/provider-throttle.js';
import { classifySmtpOutcome } from '../../service/src/domain/smtp-reply.js';
import { dailyAllowance, planDay, validateWarmupPlan, type WarmupPlan, warmupSchedule } from '../../service/src/domain/warmup.js';

describe('mailbox providers', () => {
  it.each([
    [['gmail-smtp-in.l.google.com'], 'google'],
    [['aspmx.l.google.com', 'alt1.aspmx.l.google.com'], 'google'],
    [['smtp.google.com'], 'google'],
    [['acme-com.mail.protection.outlook.com'], 'microsoft'],
    [['hotmail-com.olc.protection.outlook.com'], 'microsoft'],
    [['acme-com.b-v1.mx.microsoft'], 'microsoft'],
    [['mail.evilgoogle.com'], 'mx:evilgoogle.com'],
    [['mta5.am0.yahoodns.net'], 'yahoo'],
    [['mx01.mail.icloud.com.'], 'apple'],
    [['mx1.mail.ovh.net'], 'mx:ovh.net'],
    [['mail.example.co.uk'], 'mx:example.co.uk'],
    [[], 'unknown'],
  ] as const)('MX %j → %s', (mx, provider) => {
    expect(providerOfMx(mx)).toBe(provider);
  });

  it('knows the consumer domains of the big four before any MX lookup, and groups the rest as other', () => {
    expect(['gmail.com', 'hotmail.co.uk', 'outlook.de', 'yahoo.co.jp', 'aol.com', 'me.com', 'acme.test'].map(providerOfDomain)).toEqual([
      'google',
      'microsoft',
      'microsoft',
      'yahoo',
      'yahoo',
      'apple',
      'unknown',
    ]);
    expect([reportGroup('google'), reportGroup('mx:ovh.net'), reportGroup('unknown')]).toEqual(['google', 'other', 'other']);
    expect([baseDomain('a.b.example.com'), baseDomain('mx.example.com.au'), baseDomain('localhost')]).toEqual(['example.com', 'example.com.au', 'localhost']);
  });
});

describe('warm-up plans', () => {
  const plan: WarmupPlan = { startDate: '2026-12-01', startPerDay: 1000, growth: 2, targetPerDay: 10_000 };

  it('ramps per provider from the start day until the target, then stops limiting', () => {
    expect([1, 2, 3, 4, 5].map((d) => dailyAllowance(plan, d))).toEqual([1000, 2000, 4000, 8000, Infinity]);
    expect(planDay(plan, new Date('2026-12-03T23:59:59Z'))).toBe(3);
    expect(dailyAllowance({ ...plan, steps: [50, 100] }, 1)).toBe(50);
    expect(dailyAllowance({ ...plan, steps: [50, 100] }, 3)).toBe(200);
  });

  it('spreads a send over days, each provider on its own allowance, after what each got today', () => {
    const s = warmupSchedule(plan, new Date('2026-12-01T09:00:00Z'), { google: 2500, microsoft: 500 }, { sentToday: { google: 400 } });
    expect(s).toEqual({
      fits: true,
      days: [
        { date: '2026-12-01', count: 600 + 500 },
        { date: '2026-12-02', count: 1900 },
      ],
    });
    const capped = warmupSchedule(plan, new Date('2026-12-01T09:00:00Z'), { google: 900, yahoo: 900 }, { dailyCap: 1000 });
    expect(capped.days).toEqual([
      { date: '2026-12-01', count: 1000 },
      { date: '2026-12-02', count: 800 },
    ]);
    expect(warmupSchedule(plan, new Date('2026-12-01T00:00:00Z'), { google: 10 ** 9 }, { dailyCap: 10, maxDays: 3 }).fits).toBe(false);
  });

  it('refuses plans that cannot work, naming each problem', () => {
    expect(validateWarmupPlan({ startDate: '2026-13-45', startPerDay: 0, growth: 0.5, targetPerDay: 10, steps: [1, -2] }).problems).toEqual([
      'startDate must be a date (YYYY-MM-DD)',
      'startPerDay must be a whole number from 1 to 100000000',
      'growth must be a number from 1 to 10',
      'steps[1] must be a whole number from 1 to 100000000',
    ]);
    expect(validateWarmupPlan({ ...plan, targetPerDay: 10 }).problems).toEqual(['targetPerDay must be at least startPerDay']);
    expect(validateWarmupPlan(plan).plan).toEqual(plan);
  });
});

describe('provider pushback', () => {
  const reply = (response: string, responseCode?: number) => classifySmtpOutcome({ response, responseCode, errorCode: 'EENVELOPE', command: 'RCPT TO' });

  it('tells deferrals and policy answers about the sender from answers about the recipient', () => {
    for (const r of [
      '421 4.7.0 Try again later, closing connection.',
      '451 4.7.650 The mail server has been temporarily rate limited',
      '550 5.7.515 Access denied, sending domain example.com does not meet the required authentication level',
      '421 4.7.28 Gmail has detected an unusual rate',
    ]) {
      expect(isProviderPushback(reply(r)), r).toBe(true);
    }
    for (const r of [
      '550 5.1.1 The email account that you tried to reach does not exist',
      '452 4.2.2 The email account that you tried to reach is over quota',
    ]) {
      expect(isProviderPushback(reply(r)), r).toBe(false);
    }
  });

  it('slows at the first strike, pauses with growing pauses after, resumes slowed, then climbs back to full', () => {
    const t0 = new Date('2026-12-03T10:00:00Z');
    const first = afterPushback(NORMAL, t0, '421 4.7.0 Try again later');
    expect(first).toMatchObject({ level: 'slowed', rateFactor: 0.5, strikes: 1 });
    const second = afterPushback(first, t0, '421 4.7.0 Try again later');
    expect(second).toMatchObject({ level: 'paused', rateFactor: 0.25, resumeAt: '2026-12-03T10:01:00.000Z' });
    const third = afterPushback(second, t0, 'again');
    expect(third.resumeAt).toBe('2026-12-03T10:02:00.000Z');
    expect(atTime(third, new Date('2026-12-03T10:01:59Z')).level).toBe('paused');
    let t = atTime(third, new Date('2026-12-03T10:02:00Z'));
    expect(t).toMatchObject({ level: 'slowed', rateFactor: 0.125 });
    for (let i = 0; i < 10 && t.level !== 'normal'; i++) t = afterRecoveryStep(t);
    expect(t).toEqual(NORMAL);
  });
});

describe('guard rails', () => {
  it('pause on complaints over 0.1 % or hard bounces over 5 %, only once the sample is big enough', () => {
    expect(guardRailBreach({ accepted: 100, complaints: 5, hardBounces: 50 }, DEFAULT_GUARD_RAILS)).toBeUndefined();
    expect(guardRailBreach({ accepted: 2000, complaints: 3, hardBounces: 0 }, DEFAULT_GUARD_RAILS)).toBe('complaint rate 0.15 % (3 of 2000) is over 0.1 %');
    expect(guardRailBreach({ accepted: 2000, complaints: 2, hardBounces: 101 }, DEFAULT_GUARD_RAILS)).toBe('hard-bounce rate 5.05 % (101 of 2000) is over 5 %');
    expect(guardRailBreach({ accepted: 2000, complaints: 2, hardBounces: 100 }, DEFAULT_GUARD_RAILS)).toBeUndefined();
  });
});
