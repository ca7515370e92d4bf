import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../../service/src/domain/rate-limit.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createTokenBucket', () => {
  it('allows a burst of perSecond, then asks the caller to wait for the next token', () => {
    const c = clock();
    const b = createTokenBucket({ perSecond: 10, now: c.now });
    for (let i = 0; i < 10; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBe(100);
    c.advance(99);
    expect(b.take()).toBe(1);
    c.advance(1);
    expect(b.take()).toBe(0);
  });

  it('does not consume when it says wait', () => {
    const c = clock();
    const b = createTokenBucket({ perSecond: 1, now: c.now });
    expect(b.take()).toBe(0);
    expect(b.take()).toBe(1000);
    expect(b.take()).toBe(1000);
    c.advance(1000);
    expect(b.take()).toBe(0);
  });

  it('enforces the hourly cap independently of the per-second rate', () => {
    const c = clock();
    const b = createTokenBucket({ perSecond: 100, perHour: 5, now: c.now });
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBe(720_000); // one token per 3600/5 s
    c.advance(720_000);
    expect(b.take()).toBe(0);
  });

  it('treats 0 as unlimited', () => {
    const b = createTokenBucket({ perSecond: 0, perHour: 0, now: () => 0 });
    for (let i = 0; i < 1000; i++) expect(b.take()).toBe(0);
  });

  it('supports fractional rates and multi-token takes', () => {
    const c = clock();
    const slow = createTokenBucket({ perSecond: 0.5, now: c.now });
    expect(slow.take()).toBe(0);
    expect(slow.take()).toBe(2000);
    const b = createTokenBucket({ perSecond: 10, now: c.now });
    expect(b.take(4)).toBe(0);
    expect(b.take(7)).toBe(100);
    expect(b.take(6)).toBe(0);
  });

  it('never refills from a clock that steps backwards', () => {
    const c = clock();
    const b = createTokenBucket({ perSecond: 1, now: c.now });
    expect(b.take()).toBe(0);
    c.advance(-10_000);
    expect(b.take()).toBeGreaterThan(0);
  });

  it('rejects a negative or non-numeric rate', () => {
    expect(() => createTokenBucket({ perSecond: -1 })).toThrow();
    expect(() => createTokenBucket({ perSecond: Number.NaN })).toThrow();
  });
});
