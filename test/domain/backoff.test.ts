import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../service/src/domain/backoff.js';

describe('backoffMs', () => {
  const o = { baseMs: 1000, maxMs: 60_000 };
  it('doubles from the base per attempt up to the cap, without jitter', () => {
    expect([0, 1, 2, 5, 6, 40].map((a) => backoffMs(a, { ...o, jitter: 'none' }))).toEqual([1000, 2000, 4000, 32_000, 60_000, 60_000]);
    expect(backoffMs(-3, { ...o, jitter: 'none' })).toBe(1000);
  });
  it('keeps half of the step fixed with half jitter, and draws from [0, step) with full jitter', () => {
    expect(backoffMs(2, { ...o, jitter: 'half', random: () => 0 })).toBe(2000);
    expect(backoffMs(2, { ...o, jitter: 'half', random: () => 0.999 })).toBe(3998);
    expect(backoffMs(2, { ...o, jitter: 'full', random: () => 0 })).toBe(0);
    expect(backoffMs(2, { ...o, jitter: 'full', random: () => 0.5 })).toBe(2000);
  });
});
