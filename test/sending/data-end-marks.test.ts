// Group commit of the end of DATA marks: marks asked for in one turn, or while a write is in flight, go in one write;
// a write that fails is tried again while the database is away, and a mark never recorded keeps its dot back.
import { describe, expect, it } from 'vitest';
import { createDataEndMarks } from '../../service/src/sending/data-end-marks.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('end of DATA marks', () => {
  it('writes the marks of one turn together, and gathers those asked for during a write into the next one', async () => {
    const writes: number[][] = [];
    const mark = createDataEndMarks(async (ids) => {
      writes.push(ids);
      await sleep(30);
      return ids.filter((id) => id !== 3); // row 3 is no longer this process's
    });
    const first = [1, 2, 3].map((id) => mark(id));
    await sleep(5); // the first write is in flight
    const second = [4, 5].map((id) => mark(id));
    await sleep(5);
    const third = mark(6);
    expect(await Promise.all([...first, ...second, third])).toEqual([true, true, false, true, true, true]);
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('tries a failed write again while the database is away, and answers no once it gives up', async () => {
    let down = 2;
    const errors: number[] = [];
    const mark = createDataEndMarks(
      async (ids) => {
        if (down-- > 0) throw new Error('connection refused');
        return ids;
      },
      { retryMs: 5, attempts: 3, onError: (_e, rows) => errors.push(rows) },
    );
    expect(await mark(1)).toBe(true);
    expect(errors).toEqual([1, 1]);
    const never = createDataEndMarks(
      async () => {
        throw new Error('gone');
      },
      { retryMs: 5, attempts: 2 },
    );
    expect(await Promise.all([never(1), never(2)])).toEqual([false, false]);
  });
});
