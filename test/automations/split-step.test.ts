// Issue 17: the A/B split as an automation step. Each target takes one path of the split, an even hash of its
// address, the same on every walk (a restart or an edit does not move it to the other path).
import { describe, expect, it } from 'vitest';
import { AutomationInvalid, compileAutomation, splitPathSends } from '../../service/src/domain/automation.js';
import { advance } from '../../service/src/domain/automation-steps.js';

const email = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'A', fromEmail: 'news@news.example.test', html: '<p>x</p>' });

describe('split step', () => {
  const { program } = compileAutomation({
    name: 'Split',
    targetListIds: [],
    steps: [{ type: 'split', id: 's', paths: [[email('A')], [email('B'), email('B2')]] }, email('After')],
  });
  const walk = (targetKey: string, winner?: number) =>
    advance(
      program,
      { at: program[0].key },
      { now: new Date(), passed: () => false, engagement: () => ({ opened: false, clicked: false }), targetKey, splitWinner: () => winner },
    ).sends.map((s) => s.email.name);

  it('sends each target down one path, then on to the steps after the split', () => {
    const paths = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const names = walk(`p${i}@example.org`);
      expect(names.at(-1)).toBe('After');
      expect(names.includes('A') !== names.includes('B')).toBe(true);
      const key = names.includes('A') ? 'A' : 'B';
      paths.set(key, (paths.get(key) ?? 0) + 1);
      expect(walk(`p${i}@example.org`)).toEqual(names); // the same path every time
    }
    expect(paths.get('A')).toBeGreaterThan(150);
    expect(paths.get('B')).toBeGreaterThan(150);
  });

  it('refuses a split without 2 to 4 paths, or with an empty one', () => {
    expect(() => compileAutomation({ name: 'x', steps: [{ type: 'split', paths: [[email('A')]] }] })).toThrow(AutomationInvalid);
    expect(() => compileAutomation({ name: 'x', steps: [{ type: 'split', paths: [[email('A')], []] }] })).toThrow(/paths\[1\] must list at least one step/);
  });

  it('sends every target down the winning path once a winner is recorded (a stale index after an edit is ignored)', () => {
    for (let i = 0; i < 50; i++) {
      expect(walk(`p${i}@example.org`, 1)).toEqual(['B', 'B2', 'After']);
      expect(walk(`p${i}@example.org`, 0)).toEqual(['A', 'After']);
      expect(walk(`p${i}@example.org`, 7)).toEqual(walk(`p${i}@example.org`));
    }
  });

  it('keeps a winner rule and names the email each path is judged on', () => {
    const c = compileAutomation({
      name: 'Rule',
      steps: [
        email('Before'),
        {
          type: 'split',
          id: 's',
          winner: { metric: 'clicks', afterHours: 4 },
          paths: [[{ type: 'wait', duration: 'PT1H' }, email('A')], [email('B'), email('B2')], [email('C')]],
        },
        email('After'),
      ],
    });
    const at = c.program.findIndex((i) => i.op === 'split');
    expect(c.program[at]).toMatchObject({ key: '#s', winner: { metric: 'clicks', afterHours: 4 } });
    expect(splitPathSends(c.program, at)).toEqual(['steps[1].paths[0][1]', 'steps[1].paths[1][0]', 'steps[1].paths[2][0]']);
    expect(splitPathSends(c.program, 0)).toEqual([]);
  });

  it('refuses a winner rule it cannot follow, listing every problem', () => {
    const bad = (winner: unknown, paths: unknown[] = [[email('A')], [email('B')]]) => {
      try {
        compileAutomation({ name: 'x', steps: [{ type: 'split', winner, paths }] });
      } catch (e) {
        return (e as AutomationInvalid).problems;
      }
      return [];
    };
    expect(bad('soon')).toEqual(['steps[0].winner must be an object {metric, afterHours}']);
    expect(bad({ metric: 'opens', afterHours: 721 })).toEqual(['steps[0].winner.afterHours must be a number of hours above 0 and at most 720']);
    expect(bad({ metric: 'opens', afterHours: 0.5 })).toEqual([]);
    expect(bad({ metric: 'opens', afterHours: 2 }, [[email('A')], [{ type: 'wait', duration: 'P1D' }]])).toEqual([
      'steps[0]: every path must send an email for a winner to be chosen on its results',
    ]);
  });
});
