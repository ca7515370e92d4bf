// The builder's split step without a browser: a stored split reads into paths with every id kept and writes back as
// the same definition, the service compiles what the builder writes, an empty path is found before saving, and the
// service's own words about a path land at that path.
import { describe, expect, it } from 'vitest';
import { type AutomationInvalid, compileAutomation } from '../../service/src/domain/automation.js';
import {
  flatten,
  fromDefinition,
  idsOf,
  newStep,
  placeServiceProblems,
  type SplitStep,
  toDefinition,
  validateDraft,
} from '../../sidecar-ui/src/pages/builder-model.js';

const defaults = { fromName: 'News', fromEmail: 'news@example.com', timeZone: 'Europe/Berlin' };
const email = (id: string, name: string) => ({
  id,
  type: 'send_email',
  name,
  subject: name,
  fromName: 'News',
  fromEmail: 'news@example.com',
  html: '<p>x</p>',
});
const stored = {
  name: 'Split welcome',
  targetListIds: ['l1'],
  steps: [
    { id: 'sp', type: 'split', paths: [[email('a', 'A')], [email('b', 'B'), { id: 'w', type: 'wait', duration: 'P2D' }], [email('c', 'C')]] },
    email('t', 'Tips'),
  ],
};

describe('the builder split step', () => {
  it('reads a stored split into its paths and writes it back unchanged, ids kept', () => {
    const draft = fromDefinition(stored, defaults);
    const split = draft.steps[0] as SplitStep;
    expect(split.kind).toBe('split');
    expect(split.paths.map((p) => p.map((s) => s.id))).toEqual([['a'], ['b', 'w'], ['c']]);
    expect([...idsOf(draft.steps)].sort()).toEqual(['a', 'b', 'c', 'sp', 't', 'w']);
    expect(flatten(draft.steps).map((x) => x.path)).toEqual([
      'steps[0]',
      'steps[0].paths[0][0]',
      'steps[0].paths[1][0]',
      'steps[0].paths[1][1]',
      'steps[0].paths[2][0]',
      'steps[1]',
    ]);
    expect(toDefinition(draft)).toEqual(stored);
    expect(validateDraft(draft)).toEqual([]);
    expect(() => compileAutomation(toDefinition(draft))).not.toThrow();
  });

  it('starts a new split with two empty paths and a fresh id, and names each empty path before saving', () => {
    const draft = fromDefinition(stored, defaults);
    const split = newStep('split', idsOf(draft.steps), defaults) as SplitStep;
    expect(split).toEqual({ kind: 'split', id: 's1', paths: [[], []], winnerAuto: false, winnerMetric: 'clicks', winnerHours: '24' });
    draft.steps.push(split);
    split.paths[0].push(newStep('wait', idsOf(draft.steps), defaults));
    expect(validateDraft(draft)).toEqual([{ step: 's1', field: 'paths.1', label: 'LBL_LEADFWD_ERR_SPLIT_PATH_EMPTY', vars: { path: 'B' } }]);
  });

  it("places the service's problem with a path at that path", () => {
    const draft = fromDefinition(stored, defaults);
    (draft.steps[0] as SplitStep).paths[1] = [];
    let problems: string[] = [];
    try {
      compileAutomation(toDefinition(draft));
    } catch (e) {
      problems = (e as AutomationInvalid).problems;
    }
    expect(problems).toEqual(['steps[0].paths[1] must list at least one step']);
    expect(placeServiceProblems(draft, problems)).toEqual([{ step: 'sp', field: 'paths.1', label: '', text: problems[0] }]);
  });

  it("reads and writes a winner rule, checks its hours before saving, and places the service's words about it", () => {
    const withRule = { ...stored, steps: [{ ...stored.steps[0], winner: { metric: 'opens', afterHours: 6 } }, stored.steps[1]] };
    const draft = fromDefinition(withRule, defaults);
    const split = draft.steps[0] as SplitStep;
    expect(split).toMatchObject({ winnerAuto: true, winnerMetric: 'opens', winnerHours: '6' });
    expect(toDefinition(draft)).toEqual(withRule);
    expect(() => compileAutomation(toDefinition(draft))).not.toThrow();
    split.winnerAuto = false;
    expect(toDefinition(draft)).toEqual(stored);
    split.winnerAuto = true;
    for (const bad of ['', '0', '721', 'x']) {
      split.winnerHours = bad;
      expect(validateDraft(draft)).toEqual([{ step: 'sp', field: 'winnerHours', label: 'LBL_LEADFWD_ERR_SPLIT_HOURS', vars: { max: 720 } }]);
    }
    expect(placeServiceProblems(draft, ['steps[0].winner.afterHours must be a number'])).toEqual([
      { step: 'sp', field: 'winnerHours', label: '', text: 'steps[0].winner.afterHours must be a number' },
    ]);
  });
});
