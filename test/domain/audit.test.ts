import { describe, expect, it } from 'vitest';
import { countSkip, emptyAudit, isBalanced, SKIP_REASONS, skippedTotal } from '../../service/src/domain/audit.js';
import type { SkipReason } from '../../service/src/domain/types.js';

describe('audit', () => {
  it('starts empty with a zero bucket for every reason', () => {
    const a = emptyAudit();
    expect(a).toEqual({ candidates: 0, queued: 0, skipped: { opted_out: 0, invalid: 0, duplicate: 0, no_address: 0, suppressed: 0, exempt: 0, malformed: 0 } });
    expect(isBalanced(a)).toBe(true);
  });

  it('returns a fresh object each time', () => {
    const a = emptyAudit();
    countSkip(a, 'invalid');
    expect(emptyAudit().skipped.invalid).toBe(0);
  });

  it('balances when every candidate is queued or skipped once', () => {
    const a = emptyAudit();
    const outcomes: Array<SkipReason | 'queued'> = ['queued', 'opted_out', 'duplicate', 'queued', 'exempt', 'duplicate'];
    for (const o of outcomes) {
      a.candidates++;
      if (o === 'queued') a.queued++;
      else countSkip(a, o);
    }
    expect(a.skipped.duplicate).toBe(2);
    expect(skippedTotal(a)).toBe(4);
    expect(isBalanced(a)).toBe(true);
  });

  it('detects an unbalanced audit', () => {
    const a = emptyAudit();
    a.candidates = 3;
    a.queued = 1;
    countSkip(a, 'no_address');
    expect(isBalanced(a)).toBe(false);
    a.candidates = 1;
    expect(isBalanced(a)).toBe(false);
  });

  it('rejects an unknown reason with a clear error', () => {
    expect(() => countSkip(emptyAudit(), 'nope' as SkipReason)).toThrow(/unknown skip reason: nope/);
  });

  it('knows all seven reasons', () => {
    expect([...SKIP_REASONS].sort()).toEqual(['duplicate', 'exempt', 'invalid', 'malformed', 'no_address', 'opted_out', 'suppressed']);
  });
});
