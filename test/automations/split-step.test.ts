// Issue 17: the A/B split as an automation step. Each target takes one path of the split, an even hash of its
// address, the same on every walk (a restart or an edit does not move it to the other path).
import { describe, expect, it } from 'vitest';
import { AutomationInvalid, compileAutomation } from '../../service/src/domain/automation.js';
import { advance } from '../../service/src/domain/automation-steps.js';

const email = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'A', fromEmail: 'news@news.example.test', html: '<p>x</p>' });

describe('split step', () => {
  const { program } = compileAutomation({
    name: 'Split',
    targetListIds: [],
    steps: [{ type: 'split', id: 's', paths: [[email('A')], [email('B'), email('B2')]] }, email('After')],
  });
  const walk = (targetKey: string) =>
    advance(
      program,
      { at: program[0].key },
      { now: new Date(), passed: () => false, engagement: () => ({ opened: false, clicked: false }), targetKey },
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
});
