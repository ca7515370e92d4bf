// Fairness between campaigns (issue 15): a large campaign sending does not starve a small one started after it, nor
// an automation step's campaign, whether delivery or the identity's rate is what limits them. Each sending campaign
// runs its own loop, which keeps at most the delivery's capacity of its own rows in flight, and every loop asks the
// same rate bucket in turn; so the small campaign is done long before the large one is half way. Real SQLite ledger,
// real in-process delivery, real SMTP sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../service/src/domain/types.js';
import { createInProcessDelivery } from '../../service/src/mail/in-process-delivery.js';
import { buildMessage } from '../../service/src/mail/message.js';
import { specOf } from '../../service/src/mail/send-threads/pool.js';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { createTransportCache } from '../../service/src/mail/transport-cache.js';
import type { Store } from '../../service/src/ports/index.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { ctx } from '../mail/helpers.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { sendsAs, testIdentity, testProfile } from '../support/senders.js';
import { waitFor } from '../support/stack.js';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink({ port: 0 });
});
afterAll(async () => {
  await sink?.close();
});

async function sending(store: Store, name: string, n: number, domain: string): Promise<string> {
  const c = await store.campaigns.create(newCampaign({ name, html: '<p>Hi {{ first_name }}</p>' }));
  await toSending(store, c.id);
  await store.recipients.insertMany(
    c.id,
    targets(n).map((t) => ({ ...t, email: t.email.replace(/@.*/, `@${domain}`), addressKey: t.addressKey.replace(/@.*/, `@${domain}`) })),
  );
  return c.id;
}

describe.each([
  ['delivery limits', 100_000],
  ["the identity's rate limits", 400],
])('two campaigns at once, when %s', (_label, perSecond) => {
  it('sends the small campaign started later long before the large one is half way', async () => {
    const store = memoryStore();
    const transports = createTransportCache();
    const compiled = (c: Campaign) => compileCampaign(specOf(c));
    const delivery = createInProcessDelivery({ transports, compiled, build: buildMessage, messageContext: { ...ctx }, concurrency: 4 });
    const large = 1200;
    const small = 30;
    const big = await sending(store, 'Large', large, 'large.example.test');
    const step = await sending(store, 'Automation step', small, 'step.example.test');
    const loop = createSendLoop({
      store,
      delivery,
      sender: sendsAs(testProfile(`smtp://127.0.0.1:${sink.port}`), testIdentity({ rate: { perSecond, perHour: 0, perDay: 0 } })),
    });
    const before = sink.messages.length;
    const bigRun = loop.run(big);
    // The large campaign has the delivery to itself for a moment, then the small one starts.
    await waitFor(() => sink.messages.length - before >= 20 || undefined, 'the large campaign sending');
    expect(await loop.run(step)).toBe('done');
    const bigSentWhenSmallDone = sink.messages.slice(before).filter((m) => m.envelope.to[0].endsWith('@large.example.test')).length;
    expect(sink.messages.slice(before).filter((m) => m.envelope.to[0].endsWith('@step.example.test'))).toHaveLength(small);
    // Shared fairly: while the small one sent its 30, the large one sent about as many more, not the rest of its 1,200.
    expect(bigSentWhenSmallDone).toBeLessThan(large / 2);
    expect(await bigRun).toBe('done');
    expect((await store.recipients.counts(big)).accepted).toBe(large);
    await delivery.close();
    transports.close();
    store.close();
  }, 30_000);
});
