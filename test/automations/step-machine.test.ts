import { describe, expect, it } from 'vitest';
import { compileAutomation } from '../../service/src/domain/automation.js';
import { advance, type Engagement, type TargetPosition } from '../../service/src/domain/automation-steps.js';

const send = (name: string, extra: object = {}) => ({
  type: 'send_email',
  name,
  subject: name,
  fromName: 'Acme',
  fromEmail: 'news@acme.test',
  html: '<p>x</p>',
  ...extra,
});
const { program } = compileAutomation({
  name: 'Onboarding',
  targetListIds: ['tl-1'],
  steps: [
    send('Welcome'),
    { type: 'wait', duration: 'P2D' },
    { type: 'branch', on: 'opened', then: [send('Thanks for reading')], else: [send('Did you miss this?')] },
    {
      type: 'content_stream',
      name: 'Tips',
      interval: 'P3D',
      fromName: 'Acme',
      fromEmail: 'news@acme.test',
      contents: [
        { name: 'T1', subject: 'T1', html: 'a' },
        { name: 'T2', subject: 'T2', html: 'b' },
      ],
    },
  ],
});

const T0 = new Date('2026-11-26T10:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * 86_400_000);
const none: Engagement = { opened: false, clicked: false };

function run(pos: TargetPosition, now: Date, eng: Engagement = none, passed: string[] = []) {
  return advance(program, pos, { now, passed: (k) => passed.includes(k), engagement: () => eng });
}
const names = (r: ReturnType<typeof run>) => r.sends.map((s) => s.email.name);

describe('step machine', () => {
  it.each([
    [
      'a new target gets the first email and waits two days',
      { at: 'steps[0]' },
      T0,
      none,
      [],
      ['Welcome'],
      { at: 'steps[1]', waitUntil: at(2).toISOString(), lastSendKey: 'steps[0]' },
    ],
    [
      'still waiting: nothing',
      { at: 'steps[1]', waitUntil: at(2).toISOString(), lastSendKey: 'steps[0]' },
      at(1.9),
      none,
      [],
      [],
      { at: 'steps[1]', waitUntil: at(2).toISOString() },
    ],
    [
      'wait over, opened: the then arm and the first tip',
      { at: 'steps[1]', waitUntil: at(2).toISOString(), lastSendKey: 'steps[0]' },
      at(2),
      { opened: true, clicked: false },
      [],
      ['Thanks for reading', 'Tips – T1'],
      { at: 'steps[3]/1/wait', waitUntil: at(5).toISOString(), lastSendKey: 'steps[3]/0' },
    ],
    [
      'wait over, a click counts as an open',
      { at: 'steps[1]', waitUntil: at(2).toISOString(), lastSendKey: 'steps[0]' },
      at(2),
      { opened: false, clicked: true },
      [],
      ['Thanks for reading', 'Tips – T1'],
      {},
    ],
    [
      'wait over, neither: the else arm',
      { at: 'steps[1]', waitUntil: at(2).toISOString(), lastSendKey: 'steps[0]' },
      at(3),
      none,
      [],
      ['Did you miss this?', 'Tips – T1'],
      {},
    ],
    [
      'interval over: the last tip, then done',
      { at: 'steps[3]/1/wait', waitUntil: at(5).toISOString(), lastSendKey: 'steps[3]/0' },
      at(5),
      none,
      [],
      ['Tips – T2'],
      { at: null },
    ],
    ['at the end: nothing more', { at: null, lastSendKey: 'steps[3]/1' }, at(30), none, [], [], { at: null }],
    ['a step already passed is never sent again', { at: 'steps[0]' }, T0, none, ['steps[0]'], [], { at: 'steps[1]' }],
    [
      'a position edited away walks again, skipping what was sent',
      { at: 'gone' },
      T0,
      none,
      ['steps[0]'],
      [],
      { at: 'steps[1]', waitUntil: at(2).toISOString() },
    ],
  ] as const)('%s', (_l, pos, now, eng, passed, expectedNames, expectedPos) => {
    const r = run(pos as TargetPosition, now, eng, [...passed]);
    expect(names(r)).toEqual(expectedNames);
    expect(r.position).toMatchObject(expectedPos);
    expect(r.done).toBe(r.position.at === null);
    if (!r.done) expect(r.wakeAt).toBe(r.position.waitUntil);
  });

  it('a branch on clicks ignores opens', () => {
    const p = compileAutomation({
      name: 'x',
      steps: [send('A'), { type: 'branch', on: 'clicked', then: [send('Clicked')], else: [send('Not clicked')] }],
    }).program;
    const r = advance(p, { at: p[0].key }, { now: T0, passed: () => false, engagement: () => ({ opened: true, clicked: false }) });
    expect(r.sends.map((s) => s.email.name)).toEqual(['A', 'Not clicked']);
  });

  it('a time window wait releases at the window start', () => {
    const p = compileAutomation({
      name: 'x',
      steps: [send('A'), { type: 'wait', until: { weekdays: ['mon'], from: '09:00', to: '10:00', timeZone: 'UTC' } }, send('B')],
    }).program;
    const first = advance(p, { at: p[0].key }, { now: T0, passed: () => false, engagement: () => none });
    expect(first.wakeAt).toBe('2026-11-30T09:00:00.000Z');
    const second = advance(p, first.position, { now: new Date(first.wakeAt!), passed: () => false, engagement: () => none });
    expect(second.sends.map((s) => s.email.name)).toEqual(['B']);
    expect(second.done).toBe(true);
  });

  it('the branch reads engagement of the email sent just before it', () => {
    const seen: string[] = [];
    advance(
      program,
      { at: 'steps[1]', waitUntil: T0.toISOString(), lastSendKey: 'steps[0]' },
      {
        now: T0,
        passed: () => false,
        engagement: (k) => {
          seen.push(k);
          return none;
        },
      },
    );
    expect(seen).toEqual(['steps[0]']);
  });
});
