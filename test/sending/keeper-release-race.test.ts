// The keeper's late release of a failed hand-off's rows is keyed by row and process, not by run: a mark that failed
// without committing left its rows queued under the old run's reservation; once that expired, the next run of the
// same process reserved, marked and sent them, and the keeper's release then put them back in the queue while with the
// relay: sent twice. A run of a campaign now makes its pending releases first. Found by a review, 2026-12-06.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { acceptingDelivery, markFailsOnce } from '../support/lost-answers.js';
import { sendsAs, testProfile } from '../support/senders.js';

describe('keeper release vs the next run', () => {
  it('a row is not sent twice when the keeper releases after the next run marked it', async () => {
    const real = memoryStore();
    const c = await real.campaigns.create(newCampaign());
    await toSending(real, c.id);
    await real.recipients.insertMany(c.id, targets(1));
    // The database goes away before the mark: nothing committed.
    const { store, state } = markFailsOnce(real, false);
    let clock = Date.now();
    const now = () => new Date(clock);
    let onSend: (() => Promise<void>) | undefined;
    const { delivery, sent } = acceptingDelivery({
      onSent: async () => {
        const f = onSend;
        onSend = undefined;
        await f?.();
      },
    });
    const loop = createSendLoop({
      store,
      delivery,
      sender: sendsAs(testProfile('smtp://127.0.0.1:1')),
      idlePollMs: 50,
      now,
      settle: { attempts: 3, retryMs: 20 },
      keptRetryMs: 60_000, // the keeper's next try comes after the next run started (5 s in production, vs a 500 ms tick)
    });
    await expect(loop.run(c.id)).rejects.toThrow(StoreUnavailableError);
    clock += 61_000; // the outage outlasted the run's reservation (60 s)
    state.down = false; // the database is back; the scheduler starts the campaign again before the keeper's next try
    onSend = async () => {
      await loop.recordKept(); // the keeper's timer fires while the row is with the relay
    };
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 2000);
    await loop.run(c.id, stop.signal).catch((e) => String(e));
    clearTimeout(timer);
    // the scheduler's next tick runs the campaign again
    const stop3 = new AbortController();
    const timer3 = setTimeout(() => stop3.abort(), 2000);
    const third = await loop.run(c.id, stop3.signal).catch((e) => String(e));
    clearTimeout(timer3);
    const counts = await real.recipients.counts(c.id);
    real.close();
    // Observed: sent 2 (the row released while with the relay, its 'accepted' dropped, then sent again by the next run).
    expect({ sent: sent.length, accepted: counts.accepted, third }).toEqual({ sent: 1, accepted: 1, third: 'done' });
  }, 20_000);
});
