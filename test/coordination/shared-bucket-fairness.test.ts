// Two processes sharing one rate bucket, on simulated time: whichever moment each started at, each gets about half.
// A bucket that waited exactly a batch's time after a short grant kept the two in step at the offset they started
// with, and the one asking just after the other always found little left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSharedBucket } from '../../service/src/coordination/shared-bucket.js';
import { openStore } from '../../service/src/store/db.js';

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-bucket-fair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A repeatable stand-in for Math.random (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Both processes spend greedily for `seconds` of simulated time, the second starting `offsetMs` after the first. */
async function shares(offsetMs: number, seconds: number, random?: () => number): Promise<number[]> {
  let ms = 0;
  const store = openStore(join(dir, `fair-${offsetMs}.sqlite`), { clock: () => new Date(1_800_000_000_000 + ms) });
  const perSecond = 100;
  const make = () => createSharedBucket({ rates: store.rates, name: 'identity:fair', perSecond, now: () => ms, random });
  const procs = [
    { bucket: make(), next: 0, got: 0 },
    { bucket: make(), next: offsetMs, got: 0 },
  ];
  for (; ms < seconds * 1000; ms++) {
    for (const p of procs) {
      while (p.next <= ms) {
        const wait = p.bucket.take();
        if (wait > 0) p.next = ms + wait;
        else if (ms >= 1000) p.got++; // the first second's burst is not the steady share
      }
    }
    for (let i = 0; i < 5; i++) await null; // a refill's round trip (the store answers at once)
  }
  store.close();
  return procs.map((p) => p.got);
}

describe('a shared rate bucket between two processes', () => {
  it.each([3, 17, 40, 71])('gives each about half, the second starting %i ms after the first', async (offset) => {
    const got = await shares(offset, 11, seeded(offset));
    const total = got[0] + got[1];
    expect(total).toBeGreaterThan(100 * 10 * 0.9);
    expect(Math.min(...got)).toBeGreaterThan(total * 0.35);
  });
});
