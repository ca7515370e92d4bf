// Group commit: many hits share one transaction, each caller learns when its hit is durable,
// close() commits what is buffered, and one bad batch does not stop the next.
import { afterEach, describe, expect, it } from 'vitest';
import { APPLE_NETWORK, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';
import { createOpenRecorder } from '../../service/src/engagement/opens.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { type Seeded, seededStore } from './helpers.js';

let s: Seeded;
afterEach(() => s?.store.close());
const rules = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK]) };
const hit = (rowId: number) => ({
  rowId,
  method: 'GET',
  userAgent: 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131',
  ip: '192.0.2.1',
  at: new Date('2026-11-26T12:00:00Z'),
});

describe('open recorder', () => {
  it('commits concurrent hits in few batches and resolves each after its commit', async () => {
    s = await seededStore({ n: 50 });
    let transactions = 0;
    const counting = {
      engagement: {
        recordWithEffects: async (...args: Parameters<typeof s.store.engagement.recordWithEffects>) => {
          transactions++;
          return await s.store.engagement.recordWithEffects(...args);
        },
      },
    };
    const rec = createOpenRecorder({ store: counting, lookup: createRecipientLookup(s.store), rules, flushMs: 5, maxBatch: 400 });
    const all = Array.from({ length: 1000 }, (_, i) => rec.record(hit(s.rows[i % 50].rowId)));
    await Promise.all(all);
    expect(await s.store.events.list(s.campaignId, { type: 'open', limit: 2000 })).toHaveLength(1000);
    expect(transactions).toBeLessThanOrEqual(3);
    expect((await s.store.engagement.summary(s.campaignId)).opens).toEqual({ people: 50, machineOnly: 0, humanHits: 1000, machineHits: 0 });
    expect((await s.store.outbox.stats()).pending).toBe(50);
  });

  it('close() commits the buffer at once and refuses later hits', async () => {
    s = await seededStore({ n: 1 });
    const rec = createOpenRecorder({ store: s.store, lookup: createRecipientLookup(s.store), rules, flushMs: 60_000 });
    const pending = rec.record(hit(s.rows[0].rowId));
    await rec.close();
    await pending;
    expect(await s.store.events.list(s.campaignId, { limit: 10 })).toHaveLength(1);
    await expect(rec.record(hit(s.rows[0].rowId))).rejects.toThrow(/closed/);
  });

  it('skips hits for unknown rows without failing the batch', async () => {
    s = await seededStore({ n: 1 });
    const rec = createOpenRecorder({ store: s.store, lookup: createRecipientLookup(s.store), rules, flushMs: 1 });
    await Promise.all([rec.record(hit(777_777)), rec.record(hit(s.rows[0].rowId))]);
    expect(rec.stats().recorded).toBe(1);
  });

  it('rejects the waiting hits of a failed batch and records the next one', async () => {
    s = await seededStore({ n: 1 });
    let fail = true;
    const flaky = {
      engagement: {
        recordWithEffects: async (...args: Parameters<typeof s.store.engagement.recordWithEffects>) =>
          fail ? Promise.reject(new Error('store unavailable')) : await s.store.engagement.recordWithEffects(...args),
      },
    };
    const errors: object[] = [];
    const rec = createOpenRecorder({ store: flaky, lookup: createRecipientLookup(s.store), rules, flushMs: 1, logger: { error: (o) => errors.push(o) } });
    await expect(rec.record(hit(s.rows[0].rowId))).rejects.toThrow('store unavailable');
    expect(errors).toEqual([expect.objectContaining({ lost: 1 })]);
    fail = false;
    await rec.record(hit(s.rows[0].rowId));
    expect(await s.store.events.list(s.campaignId, { limit: 10 })).toHaveLength(1);
  });
});
