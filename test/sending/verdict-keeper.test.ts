// The verdicts a send run could not record before it ended wait in the keeper until the database takes them. A
// review: a run ending while the keeper's try was out started a second loop, which found the buffer emptied by the
// first write, took it for recorded and forgot it; the first write then failed and put its rows back unkept.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import type { Store } from '../../service/src/ports/index.js';
import { createOutcomeBuffer, createVerdictKeeper } from '../../service/src/sending/outcome-buffer.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { withMembers } from '../support/with-members.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the verdict keeper', () => {
  it('keeps every verdict until it is recorded, however runs end during its tries', async () => {
    const store = memoryStore();
    const rows: number[] = [];
    for (const id of ['a', 'b']) {
      await store.campaigns.create(newCampaign(), id);
      await toSending(store, id);
      await store.recipients.insertMany(id, targets(1));
      rows.push(...(await store.recipients.claim(id, 1, new Date().toISOString())).map((r) => r.rowId));
    }
    let down = true;
    // Each write waits 50 ms before it fails, as a connection attempt to a database that does not answer.
    const slow = withMembers(store, {
      transaction: (async (fn: never) => {
        await sleep(50);
        if (down) throw new StoreUnavailableError('ETIMEDOUT');
        return await store.transaction(fn);
      }) as Store['transaction'],
    });
    const buffer = (campaignId: string, rowId: number) => {
      const b = createOutcomeBuffer({ store: slow, campaignId, identityId: () => 'i', now: () => new Date(), flushEvery: 100 });
      void b.record({ rowId, state: 'accepted' });
      return b;
    };
    const logged: string[] = [];
    const keeper = createVerdictKeeper({ retryMs: 30, logger: { info: (_o, m) => logged.push(m ?? ''), warn: (_o, m) => logged.push(m ?? '') } });
    keeper.keep(buffer('a', rows[0]), 'a');
    await sleep(40); // the keeper's first try is out
    keeper.keep(buffer('b', rows[1]), 'b');
    await sleep(400);
    expect(keeper.pending()).toBe(2);
    down = false;
    for (let i = 0; i < 100 && keeper.pending(); i++) await sleep(20);
    expect(keeper.pending()).toBe(0);
    expect(await store.recipients.counts('a')).toMatchObject({ sending: 0, accepted: 1 });
    expect(await store.recipients.counts('b')).toMatchObject({ sending: 0, accepted: 1 });
    expect(logged.filter((m) => m === 'send.outcomes_recorded_late')).toHaveLength(2);
  });
});
