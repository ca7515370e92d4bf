import { describe, expect, it } from 'vitest';
import { canTransition, isFinal, LifecycleError, resumeTarget, sourcesOf, TRANSITIONS } from '../../service/src/domain/lifecycle.js';
import type { CampaignStatus } from '../../service/src/domain/types.js';

const ALL: CampaignStatus[] = ['draft', 'extracting', 'pending', 'sending', 'sent', 'paused', 'cancelled', 'failed'];

// The full table, written out independently of TRANSITIONS so that a change to the rules fails here.
const ALLOWED = new Set([
  'draft>extracting',
  'draft>cancelled',
  'extracting>pending',
  'extracting>failed',
  'extracting>cancelled',
  'extracting>paused',
  'pending>sending',
  'pending>paused',
  'pending>cancelled',
  'sending>sent',
  'sending>paused',
  'sending>failed',
  'sending>cancelled',
  'paused>pending',
  'paused>sending',
  'paused>extracting',
  'paused>cancelled',
  // An operator sends a sent campaign's uncertain messages again.
  'sent>sending',
]);

describe('lifecycle transitions', () => {
  it.each(ALL.flatMap((from) => ALL.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it('has an entry for every status and final statuses lead nowhere but a reopened sent campaign', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ALL].sort());
    for (const s of ALL) expect(isFinal(s)).toBe(s === 'sent' || TRANSITIONS[s].length === 0);
    expect(TRANSITIONS.sent).toEqual(['sending']);
    expect(ALL.filter(isFinal).sort()).toEqual(['cancelled', 'failed', 'sent']);
  });

  it('rejects unknown statuses instead of crashing', () => {
    expect(canTransition('bogus' as CampaignStatus, 'sent')).toBe(false);
  });

  it('lists the sources of a target status', () => {
    expect(sourcesOf('paused').sort()).toEqual(['extracting', 'pending', 'sending']);
    expect(sourcesOf('cancelled').sort()).toEqual(['draft', 'extracting', 'paused', 'pending', 'sending']);
  });
});

describe('resumeTarget', () => {
  const h = (...s: CampaignStatus[]) => s.map((status) => ({ status }));

  it.each([
    [h('draft', 'extracting', 'paused'), 'extracting'],
    [h('draft', 'extracting', 'pending', 'paused'), 'pending'],
    [h('draft', 'extracting', 'pending', 'sending', 'paused'), 'sending'],
    // Paused twice: the latest pause decides.
    [h('draft', 'extracting', 'paused', 'extracting', 'pending', 'sending', 'paused'), 'sending'],
    // A note written while paused (an uncertain message decided) repeats the status and changes nothing.
    [h('draft', 'extracting', 'pending', 'sending', 'paused', 'paused'), 'sending'],
  ] as const)('resumes %j to %s', (history, expected) => {
    expect(resumeTarget([...history])).toBe(expected);
  });

  it('refuses a campaign that is not paused', () => {
    expect(() => resumeTarget(h('draft', 'extracting'))).toThrow(LifecycleError);
    expect(() => resumeTarget([])).toThrow(/not paused/);
  });

  it('refuses a history with nothing before the pause', () => {
    expect(() => resumeTarget(h('paused'))).toThrow(/cannot tell/);
  });
});
