// Pure rules for what marketers ask peers for (issue 17): the A/B split and winner, the engagement score, and the
// next local send time in a recipient's time zone.
import { describe, expect, it } from 'vitest';
import { abGroup, chooseWinner } from '../../service/src/domain/ab-test.js';
import { accountScore, DEFAULT_SCORE_WEIGHTS, engagementScore } from '../../service/src/domain/engagement-score.js';
import { isTimeZone, nextLocalSendTime } from '../../service/src/domain/local-send-time.js';

describe('A/B split', () => {
  it('puts the test share into even variant groups, the same way every time', () => {
    const counts = new Map<number | 'rest', number>();
    for (let i = 0; i < 20_000; i++) {
      const g = abGroup('camp-1', `p${i}@example.com`, 0.2, 4);
      counts.set(g, (counts.get(g) ?? 0) + 1);
      if (i < 50) expect(abGroup('camp-1', `p${i}@example.com`, 0.2, 4)).toBe(g);
    }
    expect(counts.get('rest')! / 20_000).toBeCloseTo(0.8, 1);
    for (const v of [0, 1, 2, 3]) expect(counts.get(v)! / 20_000).toBeCloseTo(0.05, 1);
  });

  it('chooses on people, leaving MPP-only openers out of the open rate; no data or a tie is undecided', () => {
    const r = (variant: number, humanOpeners: number, humanClickers: number, mppOnly = 0) => ({ variant, accepted: 100, humanOpeners, humanClickers, mppOnly });
    expect(chooseWinner([r(0, 20, 2), r(1, 18, 9)], 'clicks')).toMatchObject({ winner: 1, rate: 0.09 });
    // Variant 0 looks better on raw opens, but 50 of its recipients are MPP-only: their opens say nothing.
    expect(chooseWinner([r(0, 30, 0, 50), r(1, 32, 0)], 'opens')).toMatchObject({ winner: 0, rate: 0.6 });
    expect(chooseWinner([r(0, 0, 0), r(1, 0, 0)], 'clicks')).toMatchObject({ undecided: 'no variant has any human clicks yet' });
    expect(chooseWinner([r(0, 10, 3), r(1, 12, 3)], 'clicks')).toMatchObject({ undecided: 'variants 1 and 2 are tied' });
  });
});

describe('engagement score', () => {
  const now = new Date('2026-12-03T00:00:00Z');
  const score = (facts: Parameters<typeof engagementScore>[0]) => engagementScore(facts, DEFAULT_SCORE_WEIGHTS, now);
  it('adds recent human engagement, decays with age, subtracts bounces and complaints, stays within 0..100', () => {
    expect(
      score([
        { kind: 'open', at: '2026-12-02T00:00:00Z' },
        { kind: 'click', at: '2026-12-02T00:00:00Z' },
      ]),
    ).toBe(20);
    expect(score([{ kind: 'click', at: '2026-10-04T00:00:00Z' }])).toBe(8); // 60 days: half of 15
    expect(
      score([
        { kind: 'click', at: '2026-12-01T00:00:00Z' },
        { kind: 'complaint', at: '2026-12-02T00:00:00Z' },
      ]),
    ).toBe(0);
    expect(score(Array.from({ length: 20 }, () => ({ kind: 'click' as const, at: '2026-12-02T00:00:00Z' })))).toBe(100);
    expect(accountScore([12, 80, 3])).toBe(80);
    expect(accountScore([])).toBe(0);
  });
});

describe('local send time', () => {
  it('finds the next 09:00 in each zone, across a date line and a daylight-saving change', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    expect(nextLocalSendTime('09:00', 'Europe/Berlin', now).toISOString()).toBe('2026-12-04T08:00:00.000Z');
    expect(nextLocalSendTime('09:00', 'America/New_York', now).toISOString()).toBe('2026-12-03T14:00:00.000Z');
    expect(nextLocalSendTime('09:00', 'Pacific/Auckland', now).toISOString()).toBe('2026-12-03T20:00:00.000Z'); // 23:00 there now
    expect(nextLocalSendTime('09:00', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(() => nextLocalSendTime('9am', 'UTC', now)).toThrow(/HH:MM/);
    expect([isTimeZone('Europe/Paris'), isTimeZone('Mars/Olympus'), isTimeZone(3)]).toEqual([true, false, false]);
  });
});

describe('Sugar Email Templates', () => {
  it('map $contact_ variables to merge tags, and say which Sugar variables and placeholders cannot be', async () => {
    const { fromSugarTemplate, toSugarTemplate } = await import('../../service/src/domain/sugar-template.js');
    const m = fromSugarTemplate({
      subject: 'Welcome, $contact_first_name',
      body_html: '<p>Hi $contact_first_name, $contact_account_name is with $contact_user_first_name. {Spring offer} $account_name {{x}}</p>',
      body: 'Hi $contact_first_name',
    });
    expect(m.subject).toBe('Welcome, {{ first_name }}');
    expect(m.html).toBe("<p>Hi {{ first_name }}, {{ account_name }} is with $contact_user_first_name. {Spring offer} $account_name {{ '{{' }}x}}</p>");
    expect(m.fields.sort()).toEqual(['account_name', 'first_name']);
    expect(m.unmapped.map((u) => u.variable)).toEqual(['$contact_user_first_name', '$account_name', '{Spring offer}']);
    const back = toSugarTemplate({ subject: 'Hi {{ first_name | default: "there" }}', html: '<p>{{ region_c }}{% if x %}y{% endif %}</p>' });
    expect(back).toMatchObject({ subject: 'Hi $contact_first_name', body_html: '<p>$contact_region_c{% if x %}y{% endif %}</p>' });
    expect(back.unmapped.map((u) => u.variable)).toEqual(['{{ first_name | default: "there" }}', '{% if x %}', '{% endif %}']);
  });
});
