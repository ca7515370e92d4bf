import { describe, expect, it } from 'vitest';
import { AutomationInvalid, compileAutomation } from '../../service/src/domain/automation.js';
import { nextWindowStart, parseDuration } from '../../service/src/domain/automation-time.js';

const send = (name: string, extra: object = {}) => ({
  type: 'send_email',
  name,
  subject: `S ${name}`,
  fromName: 'Acme',
  fromEmail: 'news@acme.test',
  html: `<p>${name}</p>`,
  ...extra,
});
const stream = (n: number) => ({
  type: 'content_stream',
  name: 'Tips',
  interval: 'P3D',
  fromName: 'Acme',
  fromEmail: 'news@acme.test',
  contents: Array.from({ length: n }, (_, i) => ({ name: `Tip ${i + 1}`, subject: `Tip ${i + 1}`, html: `<p>${i}</p>` })),
});
const problems = (body: unknown): string[] => {
  try {
    compileAutomation(body);
  } catch (e) {
    if (e instanceof AutomationInvalid) return e.problems;
    throw e;
  }
  return [];
};
const def = (steps: unknown[]) => ({ name: 'Onboarding', targetListIds: ['tl-1'], steps });

describe('durations', () => {
  it.each([
    ['PT30S', 30],
    ['PT1M', 60],
    ['PT1H30M', 5400],
    ['P2D', 172_800],
    ['P1W', 604_800],
    ['P1DT12H', 129_600],
    ['P90D', 7_776_000],
  ])('%s = %i s', (text, seconds) => expect(parseDuration(text)).toEqual({ seconds }));
  it.each(['PT29S', 'P91D', 'P1M', 'P1Y', 'P', 'PT', '2D', 'P-1D', 'P1.5D', '', 'p2d'])('rejects %s', (text) => {
    expect(parseDuration(text)).toHaveProperty('error');
  });
  it('rejects non-strings with a message', () => expect(parseDuration(5)).toHaveProperty('error'));
});

describe('weekday/time windows', () => {
  const w = { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' };
  it.each([
    // Thursday 26 Nov 2026, Berlin is UTC+1 in winter
    ['inside the window: now', '2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.000Z'],
    ['before it: today at 09:00 local', '2026-11-26T05:00:00.000Z', '2026-11-26T08:00:00.000Z'],
    ['after it: next weekday', '2026-11-26T16:00:00.000Z', '2026-11-27T08:00:00.000Z'],
    ['Friday evening: Monday', '2026-11-27T17:00:00.000Z', '2026-11-30T08:00:00.000Z'],
    ['summer time: UTC+2', '2026-07-04T12:00:00.000Z', '2026-07-06T07:00:00.000Z'],
  ])('%s', (_label, now, expected) => {
    expect(nextWindowStart(new Date(now), { ...w, weekdays: [...w.weekdays] }).toISOString()).toBe(expected);
  });
  it('a zone west of UTC on a date line day', () => {
    const r = nextWindowStart(new Date('2026-11-26T02:00:00.000Z'), { weekdays: ['thu'], from: '08:30', to: '09:00', timeZone: 'America/Los_Angeles' });
    expect(r.toISOString()).toBe('2026-11-26T16:30:00.000Z');
  });
});

describe('compileAutomation', () => {
  it('flattens a stream into sends and interval waits and names each email after the automation step', () => {
    const c = compileAutomation(def([send('Welcome'), { type: 'wait', duration: 'P2D' }, stream(3)]));
    expect(c.program.map((i) => `${i.op}:${i.key}`)).toEqual([
      'send:steps[0]',
      'wait:steps[1]',
      'send:steps[2]/0',
      'wait:steps[2]/1/wait',
      'send:steps[2]/1',
      'wait:steps[2]/2/wait',
      'send:steps[2]/2',
    ]);
    expect(c.program.filter((i) => i.op === 'send').map((i) => i.op === 'send' && i.email.name)).toEqual([
      'Welcome',
      'Tips – Tip 1',
      'Tips – Tip 2',
      'Tips – Tip 3',
    ]);
  });

  it('step ids become stable keys and a goto skips ahead', () => {
    const c = compileAutomation(def([send('A', { id: 'a' }), { type: 'goto', step: 'c' }, send('B'), send('C', { id: 'c' })]));
    expect(c.program.map((i) => i.key)).toEqual(['#a', 'steps[1]', 'steps[2]', '#c']);
    expect(c.program[1]).toMatchObject({ op: 'jump', to: 3 });
  });

  it.each([
    ['a branch without an email before it', [{ type: 'branch', on: 'opened', then: [send('A')] }], /steps\[0\] branches on the previous email/],
    ['an empty stream', [stream(0)], /contents must be a non-empty array/],
    ['an invalid duration', [send('A'), { type: 'wait', duration: 'P3M' }], /steps\[1\]\.duration "P3M" is not an ISO 8601 duration/],
    ['a too short interval', [{ ...stream(2), interval: 'PT5S' }], /interval "PT5S" must be between PT30S and P90D/],
    [
      'an unknown time zone',
      [send('A'), { type: 'wait', until: { weekdays: ['mon'], from: '09:00', to: '10:00', timeZone: 'Mars/Olympus' } }],
      /timeZone "Mars\/Olympus" is not a known IANA time zone/,
    ],
    [
      'a window ending before it starts',
      [send('A'), { type: 'wait', until: { weekdays: ['mon'], from: '10:00', to: '09:00', timeZone: 'UTC' } }],
      /from must be before/,
    ],
    ['a cycle', [send('A', { id: 'a' }), { type: 'goto', step: 'a' }], /makes a cycle/],
    ['a goto to itself', [send('A'), { type: 'goto', step: 'self', id: 'self' }], /makes a cycle/],
    ['an unknown reference', [send('A'), { type: 'goto', step: 'nope' }], /"nope" is not the id of any step/],
    ['a duplicate id', [send('A', { id: 'a' }), send('B', { id: 'a' })], /id "a" is already used by steps\[0\]/],
    ['an unknown step type', [send('A'), { type: 'sms' }], /type must be one of/],
    ['a wait with both duration and until', [send('A'), { type: 'wait', duration: 'P1D', until: {} }], /needs either duration or until/],
    ['a bad sender', [send('A', { fromEmail: 'nope' })], /fromEmail is not a valid address/],
    ['both mjml and html', [send('A', { mjml: '<mjml></mjml>' })], /either mjml or html/],
    ['no steps', [], /steps must have at least one step/],
    ['no email at all', [{ type: 'wait', duration: 'P1D' }], /must send at least one email/],
  ])('422 for %s', (_label, steps, expected) => {
    expect(problems(def(steps as unknown[])).join('\n')).toMatch(expected);
  });

  it('a goto that skips the only email before a branch is caught', () => {
    const p = problems(
      def([{ type: 'goto', step: 'w' }, send('A'), { type: 'wait', duration: 'P1D', id: 'w' }, { type: 'branch', on: 'opened', then: [send('B')] }]),
    );
    expect(p).toEqual(['steps[3] branches on the previous email, but not every path to it sends an email first']);
  });

  it('branch arms that both send make a later branch valid', () => {
    expect(
      problems(def([send('A'), { type: 'branch', on: 'opened', then: [send('B')], else: [send('C')] }, { type: 'branch', on: 'clicked', then: [send('D')] }])),
    ).toEqual([]);
  });

  it('lists every problem at once and rejects non-objects clearly', () => {
    const p = problems({ name: '', targetListIds: 'x', steps: [stream(0), { type: 'wait', duration: 'bad' }] });
    expect(p).toEqual(
      expect.arrayContaining([
        'automation.name is required',
        'targetListIds must be an array of ids',
        expect.stringMatching(/contents/),
        expect.stringMatching(/duration/),
      ]),
    );
    expect(problems(null)).toEqual([expect.stringMatching(/JSON object/)]);
    expect(problems({ name: 'x', steps: 'no' })).toContain('steps must be an array of steps');
  });
});
