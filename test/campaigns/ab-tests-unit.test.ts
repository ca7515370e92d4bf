// A/B tests with their store faked: creation that fails half-way (a later variant refused) leaves no variant to send on
// its own, and the rest of the audience gets one campaign when two makers race to make it.
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

  it("makes the rest's campaign once when another maker got there between its look and its create", async () => {
    const made = new Set<string>();
    let looked = 0;
    const linked: string[] = [];
    const t = { id: 'ab1', name: 'Launch', variantCampaignIds: ['v0', 'v1'], winner: 1 };
    const tests = createAbTests({
      store: {
        abTests: { withoutRest: () => [t], due: () => [], setRestCampaign: (_id: string, restId: string) => linked.push(restId) },
        followUps: {} as never,
        campaigns: {
          // The first look finds no rest campaign; by the create, the other maker (a person choosing) has made it.
          get: (id: string) => {
            if (id === 'ab1-rest' && looked++ === 0) {
              made.add(id);
              return undefined;
            }
            return id === 'v1' ? { id: 'v1', name: 'Launch B', abPart: { testId: 'ab1', group: 'variant' } } : made.has(id) ? { id } : undefined;
          },
          create: (_input: unknown, id: string) => {
            if (made.has(id)) throw new Error(`duplicate key: ${id}`);
            made.add(id);
            return { id };
          },
        },
      } as never,
      campaigns: { allowed: async () => ({}) as never, create: async () => ({}) as never },
      compile: async () => ({}) as never,
    });
    await tests.tick();
    expect(linked).toEqual(['ab1-rest']);
  });
});
