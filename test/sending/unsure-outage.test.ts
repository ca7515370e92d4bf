// The hand-off's 'sending' mark committed with its answer lost, and the database stayed away longer than the run's
// settling (60 x 500 ms by default; 3 x 20 ms here): the rows to release lived only in the run's reservations and were
// forgotten, 'sending' under the live process, the campaign never done. The process's verdict keeper now releases them
// once the database answers. Found by a review of the fix, 2026-12-06.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { acceptingDelivery, markFailsOnce } from '../support/lost-answers.js';
import { sendsAs, testProfile } from '../support/senders.js';

describe('a lost mark answer followed by an outage longer than settling', () => {
  it('the rows marked by the lost answer are released once the database is back', async () => {
    const real = memoryStore();
    const c = await real.campaigns.create(newCampaign());
    await toSending(real, c.id);
    await real.recipients.insertMany(c.id, targets(3));
    // The mark commits; its answer is lost and the database stays away for a while.
    const { store, state } = markFailsOnce(real, true);
    const { delivery, sent } = acceptingDelivery();
    const loop = createSendLoop({
      store,
      delivery,
      sender: sendsAs(testProfile('smtp://127.0.0.1:1')),
      idlePollMs: 50,
      settle: { attempts: 3, retryMs: 20 },
      keptRetryMs: 50,
    });
    await expect(loop.run(c.id)).rejects.toThrow(StoreUnavailableError);
    state.down = false; // the database is back, the process lives on: the scheduler runs the campaign again
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 2000);
    const second = await loop.run(c.id, stop.signal);
    clearTimeout(timer);
    const counts = await real.recipients.counts(c.id);
    real.close();
    expect({ second, sending: counts.sending, sent: sent.length }).toEqual({ second: 'done', sending: 0, sent: 3 });
  }, 20_000);
});
