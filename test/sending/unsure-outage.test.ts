// The hand-off's 'sending' mark committed with its answer lost, and the database stayed away longer than the run's
// settling (60 x 500 ms by default; 3 x 20 ms here): the rows to release lived only in the run's reservations and were
// forgotten, 'sending' under the live process, the campaign never done. The process's verdict keeper now releases them
// once the database answers. Found by a review of the fix, 2026-12-06.
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../service/src/domain/types.js';
import { createInProcessDelivery } from '../../service/src/mail/in-process-delivery.js';
import { buildMessage } from '../../service/src/mail/message.js';
import { specOf } from '../../service/src/mail/send-threads/pool.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { ctx } from '../mail/helpers.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { sendsAs, testProfile } from '../support/senders.js';

describe('a lost mark answer followed by an outage longer than settling', () => {
  it('the rows marked by the lost answer are released once the database is back', async () => {
    const real = memoryStore();
    const c = await real.campaigns.create(newCampaign());
    await toSending(real, c.id);
    await real.recipients.insertMany(c.id, targets(3));
    let down = false;
    let cutOnce = true;
    const ledger = real.recipients as unknown as Record<string, (...a: unknown[]) => unknown>;
    const recipients: Record<string, unknown> = {};
    for (const p of Object.keys(ledger).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(ledger))))
      if (typeof ledger[p] === 'function' && p !== 'constructor')
        recipients[p] = (...a: unknown[]) => {
          if (down) throw new StoreUnavailableError('PG_CONNECTION', { detail: 'down' });
          const out = ledger[p](...a);
          if (p === 'markSending' && cutOnce) {
            cutOnce = false;
            down = true; // committed; the answer is lost and the database stays away for a while
            throw new StoreUnavailableError('PG_CONNECTION', { detail: 'answer lost' });
          }
          return out;
        };
    const store = new Proxy({} as Record<string, unknown>, { get: (_t, p) => (p === 'recipients' ? recipients : Reflect.get(real, p)) });
    const sent: string[] = [];
    const delivery = createInProcessDelivery({
      transports: {
        get: () => ({
          send: async (m: unknown) => {
            sent.push(String(m));
            return { outcome: 'accepted', text: '250 ok' };
          },
          verify: async () => {},
          close() {},
        }),
      } as never,
      compiled: (x: Campaign) => compileCampaign(specOf(x)),
      build: buildMessage,
      messageContext: { ...ctx },
      concurrency: 4,
    });
    const loop = createSendLoop({
      store: store as never,
      delivery,
      sender: sendsAs(testProfile('smtp://127.0.0.1:1')),
      idlePollMs: 50,
      settle: { attempts: 3, retryMs: 20 },
      keptRetryMs: 50,
    });
    await expect(loop.run(c.id)).rejects.toThrow(StoreUnavailableError);
    down = false; // the database is back, the process lives on: the scheduler runs the campaign again
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 2000);
    const second = await loop.run(c.id, stop.signal);
    clearTimeout(timer);
    const counts = await real.recipients.counts(c.id);
    real.close();
    expect({ second, sending: counts.sending, sent: sent.length }).toEqual({ second: 'done', sending: 0, sent: 3 });
  }, 20_000);
});
