// A/B test creation that fails half-way (a later variant refused) leaves no variant to send on its own.
import { describe, expect, it } from 'vitest';
import { createAbTests } from '../../service/src/campaigns/ab-tests.js';
import { AppError } from '../../service/src/domain/errors.js';

describe('A/B test creation', () => {
  it('cancels the variants it made when a later one is refused', async () => {
    const transitions: Array<[string, string]> = [];
    let n = 0;
    const tests = createAbTests({
      store: {
        abTests: {} as never,
        followUps: {} as never,
        campaigns: {
          get: () => undefined,
          create: () => {
            throw new Error('unused');
          },
          transition: (id: string, _from: unknown, to: string) => {
            transitions.push([id, to]);
            return true;
          },
        },
      } as never,
      campaigns: {
        allowed: async () => ({}) as never,
        create: async () => {
          n++;
          if (n === 2) throw new AppError('unknown_lists', 'Sugar went away');
          return { id: `variant-${n}` } as never;
        },
      },
      compile: async () => ({}) as never,
    });
    const body = {
      name: 'x',
      subject: 's',
      fromName: 'f',
      fromEmail: 'news@news.example.test',
      html: '<p>x</p>',
      targetListIds: ['l1'],
      abTest: { variants: [{ subject: 'A' }, { subject: 'B' }], testShare: 0.2, metric: 'opens', decideAfterHours: 2 },
    };
    await expect(tests.create(body, { kind: 'operator', sugar: {} as never })).rejects.toThrow('Sugar went away');
    expect(transitions).toEqual([['variant-1', 'cancelled']]);
  });
});
