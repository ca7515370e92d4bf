// The hand-off's 'sending' mark committed, its answer lost with the connection. The hand-off took the failure for
// "not marked, still only reserved", and the run's end gave the rows back with unreserve(), which only touches rows
// still 'queued': they stayed 'sending' under the live process (no recovery runs for a live owner), were never handed
// to SMTP, and the campaign was never done. Rows of a failed mark are now released (back to 'queued' if marked) before
// the next hand-off and at the run's end. Found by a review of PostgreSQL failure modes, 2026-12-06.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { newCampaign, targets, toSending } from '../store/helpers.js';
import { acceptingDelivery } from '../support/lost-answers.js';
import { type CutProxy, startCutProxy } from '../support/pg-cut.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { sendsAs, testProfile } from '../support/senders.js';

describe.skipIf(!debianPgBin())("the hand-off's 'sending' mark committed, its answer lost", () => {
  let pg: PgServer;
  let proxy: CutProxy;
  let store: PgStore;
  beforeAll(async () => {
    pg = await startPostgres();
    proxy = await startCutProxy(pg.port);
    store = await openPgStore(proxy.url, { owner: 'proc-a', prepared: false });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await pg?.destroy();
  });

  it('still sends every recipient once, and the campaign gets done', async () => {
    const c = await store.campaigns.create(newCampaign());
    await toSending(store, c.id);
    await store.recipients.insertMany(c.id, targets(3));
    const { delivery, sent } = acceptingDelivery();
    const loop = createSendLoop({
      store,
      delivery,
      sender: sendsAs(testProfile('smtp://127.0.0.1:1')),
      dataEndMark: true,
      idlePollMs: 50,
      settle: { attempts: 3, retryMs: 20 },
    });

    const cut = proxy.cutAfter(/SET state = 'sending', attempts = attempts \+ 1, reserved_by = NULL/);
    // The first run meets the lost answer (the scheduler logs campaign.task_interrupted and runs it again next tick).
    await expect(loop.run(c.id)).rejects.toThrow(StoreUnavailableError);
    await cut;
    // The database answers again: the next runs of the scheduler's ticks.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 3000);
    const second = await loop.run(c.id, stop.signal);
    clearTimeout(timer);
    const counts = await store.recipients.counts(c.id);
    expect({ second, sending: counts.sending, accepted: counts.accepted, sent: sent.length }).toEqual({ second: 'done', sending: 0, accepted: 3, sent: 3 });
  }, 30_000);
});
