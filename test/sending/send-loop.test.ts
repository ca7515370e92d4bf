// The send loop on a real SQLite ledger, delivering over send threads (and in-process) to a real
// SMTP server: each row is claimed before hand-off, sent once, and its outcome reaches the
// ledger; a graceful stop drains what was handed over and leaves nothing 'sending'.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Campaign, Recipient } from '../../service/src/domain/types.js';
import { createInProcessDelivery, type Delivery } from '../../service/src/mail/in-process-delivery.js';
import { buildMessage } from '../../service/src/mail/message.js';
import { createThreadDelivery, specOf } from '../../service/src/mail/send-threads/pool.js';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import type { SendResult } from '../../service/src/mail/smtp-transport.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { createTransportCache } from '../../service/src/mail/transport-cache.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import type { Store } from '../../service/src/ports/index.js';
import { createSendLoop } from '../../service/src/sending/send-loop.js';
import { ctx } from '../mail/helpers.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';
import { sendsAs, testIdentity, testProfile } from '../support/senders.js';
import { withMembers } from '../support/with-members.js';

let sink: SmtpSink;
let store: Store;
const closers: Array<() => unknown> = [];
const compiled = (c: Campaign) => compileCampaign(specOf(c));

beforeAll(async () => {
  sink = await startSmtpSink({
    port: 0,
    behaviour: (rcpt) => (rcpt.toLowerCase().startsWith('person7@') ? { code: 550, message: '5.1.1 No such user here' } : 'accept'),
  });
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  store?.close();
});
afterAll(async () => {
  await sink?.close();
});

async function sendingCampaign(n: number): Promise<string> {
  store = memoryStore();
  const c = await store.campaigns.create(newCampaign({ html: '<p>Hi {{ first_name }} <a href="https://acme.test/x">x</a></p>' }));
  await toSending(store, c.id);
  await store.recipients.insertMany(c.id, targets(n));
  return c.id;
}

function threads(): Delivery {
  const d = createThreadDelivery({ threads: 2, maxConnections: 2, messageContext: { ...ctx }, compiled });
  closers.push(() => d.close());
  return d;
}

function inProcess(): Delivery {
  const transports = createTransportCache();
  closers.push(() => transports.close());
  return createInProcessDelivery({ transports, compiled, build: buildMessage, messageContext: { ...ctx }, concurrency: 4 });
}

/** Every campaign of these tests sends through the sink. */
const sender = () => sendsAs(testProfile(`smtp://127.0.0.1:${sink.port}`));

/** Messages the sink holds for this campaign's rows, by recipient address. */
function receivedByAddress(since: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages.slice(since)) for (const to of m.envelope.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

describe.each([
  ['send threads', threads],
  ['in-process', inProcess],
])('send loop over %s', (_label, makeDelivery) => {
  it('claims, sends each row once and writes every outcome to the ledger', async () => {
    const id = await sendingCampaign(40);
    const before = sink.messages.length;
    const verdicts: Array<[Recipient, SendResult]> = [];
    const worker = createSendLoop({ store, delivery: makeDelivery(), sender: sender(), onOutcome: (r, res) => verdicts.push([r, res]) });

    expect(await worker.run(id)).toBe('done');
    expect(await store.recipients.counts(id)).toMatchObject({ queued: 0, sending: 0, accepted: 39, failed: 1, uncertain: 0 });
    const received = receivedByAddress(before);
    expect(received.size).toBe(39);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    const failed = await store.recipients.list(id, { state: 'failed', limit: 10, offset: 0 });
    expect(failed.map((r) => r.email)).toEqual(['Person7@Example.test']);
    expect(failed[0].lastError).toMatch(/550 5\.1\.1/);
    // Ledger Message-IDs are the ones that went out.
    const accepted = await store.recipients.list(id, { state: 'accepted', limit: 100, offset: 0 });
    const raw = sink.messages.slice(before).map((m) => m.raw.toString());
    for (const r of accepted.slice(0, 5)) expect(raw.some((m) => m.includes(`Message-ID: ${r.messageId}`))).toBe(true);
    expect(verdicts).toHaveLength(40);
  });

  it("with the end of DATA mark, each row's mark is recorded (batched) before the server has its message", async () => {
    const id = await sendingCampaign(40);
    const before = sink.messages.length;
    const writes: number[][] = [];
    const early: string[] = [];
    const markDataEnd = async (rowIds: number[], nowIso: string) => {
      writes.push(rowIds);
      const delivered = new Set(sink.messages.slice(before).flatMap((m) => m.envelope.to));
      for (const r of await store.recipients.getMany(rowIds)) if (delivered.has(r.email)) early.push(r.email);
      return await store.recipients.markDataEnd(rowIds, nowIso);
    };
    const recipients = withMembers(store.recipients, { markDataEnd });
    const worker = createSendLoop({ store: withMembers(store, { recipients }), delivery: makeDelivery(), sender: sender(), dataEndMark: true });
    expect(await worker.run(id)).toBe('done');
    expect(await store.recipients.counts(id)).toMatchObject({ queued: 0, sending: 0, accepted: 39, failed: 1 });
    expect(early).toEqual([]);
    // Every message that reached DATA had its mark asked for once (the refused recipient never did).
    expect(writes.flat()).toHaveLength(39);
    expect(new Set(writes.flat()).size).toBe(39);
    expect(receivedByAddress(before).size).toBe(39);
  });

  it('stops on request after draining what it handed over, then resumes without resending', async () => {
    const id = await sendingCampaign(60);
    const before = sink.messages.length;
    const stop = new AbortController();
    let seen = 0;
    const delivery = makeDelivery();
    const first = createSendLoop({
      store,
      delivery,
      sender: sender(),
      onOutcome: () => {
        if (++seen === 10) stop.abort();
      },
    });
    expect(await first.run(id, stop.signal)).toBe('stopped');
    const mid = await store.recipients.counts(id);
    expect(mid.sending).toBe(0);
    expect(mid.queued).toBeGreaterThan(0);
    expect(sink.messages.length - before).toBe(mid.accepted);

    const second = createSendLoop({ store, delivery, sender: sender() });
    expect(await second.run(id)).toBe('done');
    const received = receivedByAddress(before);
    expect(received.size).toBe(59);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    expect(await store.recipients.counts(id)).toMatchObject({ queued: 0, sending: 0, accepted: 59, failed: 1 });
  });
});

/**
 * In-process delivery whose relay accepts every message after `onSend`, and a sender whose identity allows 2 a second:
 * the first two go at once, then one every half second, far apart from the 25 ms outcome flushes.
 */
function atTwoASecond(onSend: () => Promise<void>) {
  const delivery = createInProcessDelivery({
    transports: {
      get: () => ({
        send: async () => {
          await onSend();
          return { outcome: 'accepted', text: '250 ok' };
        },
        verify: async () => {},
        close() {},
      }),
    },
    compiled,
    build: buildMessage,
    messageContext: { ...ctx },
    concurrency: 4,
  });
  const slow = sendsAs(testProfile('smtp://127.0.0.1:25'), testIdentity({ rate: { perSecond: 2, perHour: 0, perDay: 0 } }));
  return { delivery, slow };
}

describe('send loop', () => {
  it("reserves about what a provider's connections take: few rows go back to the queue untouched", async () => {
    const n = 300;
    store = memoryStore();
    const c = await store.campaigns.create(newCampaign({ html: '<p>Hi {{ first_name }}</p>' }));
    await toSending(store, c.id);
    await store.recipients.insertMany(
      c.id,
      targets(n).map((t) => ({ ...t, provider: 'google' })),
    );
    const transports = createTransportCache();
    closers.push(() => transports.close());
    // Room for 48 messages at once in the delivery, 2 of them to the campaign's one provider.
    const delivery = createInProcessDelivery({ transports, compiled, build: buildMessage, messageContext: { ...ctx }, concurrency: 48 });
    const identity = testIdentity({ providerLimits: { '*': { concurrency: 2 } } });
    let givenBack = 0;
    // The store's parts are frozen: a copy of the ledger's methods, unreserve counting what it gives back.
    const ledger = store.recipients as unknown as Record<string, (...a: unknown[]) => unknown>;
    const names = [...Object.getOwnPropertyNames(ledger), ...Object.getOwnPropertyNames(Object.getPrototypeOf(ledger))];
    const recipients = Object.fromEntries(names.filter((k) => k !== 'constructor' && typeof ledger[k] === 'function').map((k) => [k, ledger[k].bind(ledger)]));
    recipients.unreserve = (ids, ...rest) => {
      givenBack += (ids as number[]).length;
      return ledger.unreserve(ids, ...rest);
    };
    const counted = Object.create(store, { recipients: { value: recipients } }) as Store;
    expect(await createSendLoop({ store: counted, delivery, sender: sendsAs(testProfile(`smtp://127.0.0.1:${sink.port}`), identity) }).run(c.id)).toBe('done');
    expect(await store.recipients.counts(c.id)).toMatchObject({ queued: 0, sending: 0, accepted: n - 1 });
    // Each turn reserved up to 96 rows, kept 16 waiting for the two connections and gave the rest back: 2,298 for 300 sent.
    expect(givenBack).toBeLessThan(n);
  }, 60_000);

  it("reserves no more than two seconds of the identity's rate: a process that dies strands no more than that", async () => {
    store = memoryStore();
    const c = await store.campaigns.create(newCampaign({ html: '<p>Hi {{ first_name }}</p>' }));
    await toSending(store, c.id);
    await store.recipients.insertMany(c.id, targets(30));
    const transports = createTransportCache();
    closers.push(() => transports.close());
    // Room for 48 messages at once: 96 reserved, before, however slowly the identity may send.
    const delivery = createInProcessDelivery({ transports, compiled, build: buildMessage, messageContext: { ...ctx }, concurrency: 48 });
    const identity = testIdentity({ rate: { perSecond: 10, perHour: 0, perDay: 0 } });
    const asked: number[] = [];
    const ledger = store.recipients as unknown as Record<string, (...a: unknown[]) => unknown>;
    const names = [...Object.getOwnPropertyNames(ledger), ...Object.getOwnPropertyNames(Object.getPrototypeOf(ledger))];
    const recipients = Object.fromEntries(names.filter((k) => k !== 'constructor' && typeof ledger[k] === 'function').map((k) => [k, ledger[k].bind(ledger)]));
    recipients.reserve = (...args) => {
      asked.push(args[1] as number);
      return ledger.reserve(...args);
    };
    const counted = Object.create(store, { recipients: { value: recipients } }) as Store;
    expect(await createSendLoop({ store: counted, delivery, sender: sendsAs(testProfile(`smtp://127.0.0.1:${sink.port}`), identity) }).run(c.id)).toBe('done');
    expect(await store.recipients.counts(c.id)).toMatchObject({ queued: 0, sending: 0, accepted: 29 });
    expect(asked.length).toBeGreaterThan(1);
    expect(Math.max(...asked)).toBeLessThanOrEqual(20);
  }, 30_000);

  it('fails suppressed rows before hand-off and keeps our own failures out of bounce facts', async () => {
    const id = await sendingCampaign(6);
    await store.suppressions.add('person2@example.test', 'Person2@Example.test', 'unsubscribe');
    const verdicts: number[] = [];
    const broken = createInProcessDelivery({
      transports: { get: () => ({ send: async () => ({ outcome: 'accepted', text: '250 ok' }), verify: async () => {}, close() {} }) },
      compiled,
      build: (c, r, x) => {
        if (r.email.startsWith('Person4')) throw new Error('merge exploded');
        return buildMessage(c, r, x);
      },
      messageContext: { ...ctx },
      concurrency: 2,
    });
    const worker = createSendLoop({ store, delivery: broken, sender: sender(), onOutcome: (r) => verdicts.push(r.rowId) });
    expect(await worker.run(id)).toBe('done');
    const failed = await store.recipients.list(id, { state: 'failed', limit: 10, offset: 0 });
    expect(failed.map((r) => [r.email, r.lastError])).toEqual([
      ['Person2@Example.test', 'suppressed before hand-off'],
      ['Person4@Example.test', 'message could not be built: merge exploded'],
    ]);
    expect(verdicts).toHaveLength(4); // the four real SMTP verdicts only
  });

  it("keeps a row waiting for the rate limiter 'queued': only the message being handed to SMTP is 'sending'", async () => {
    const id = await sendingCampaign(6);
    const seen: Array<{ sending: number; queued: number }> = [];
    const { delivery, slow } = atTwoASecond(async () => {
      const c = await store.recipients.counts(id);
      seen.push({ sending: c.sending, queued: c.queued });
    });
    expect(await createSendLoop({ store, delivery, sender: slow }).run(id)).toBe('done');
    expect(seen).toHaveLength(6);
    // Claimed rows used to wait here as 'sending' (a crash made them uncertain); now they wait 'queued'.
    expect(seen.slice(2)).toEqual([
      { sending: 1, queued: 3 },
      { sending: 1, queued: 2 },
      { sending: 1, queued: 1 },
      { sending: 1, queued: 0 },
    ]);
    expect(await store.recipients.counts(id)).toMatchObject({ queued: 0, sending: 0, accepted: 6 });
  });

  // The loop waits inside its hand-off for the identity's own rate (2 a second here): a pause or cancel committed
  // meanwhile must stop every later message, not only once the reserved rows have all gone.
  it.each(['paused', 'cancelled'] as const)('hands nothing more to SMTP once the campaign is %s while it waits for the rate', async (to) => {
    const id = await sendingCampaign(12);
    let sent = 0;
    let afterStop = 0;
    const { delivery, slow } = atTwoASecond(async () => {
      if (++sent > 2) afterStop++;
      if (sent === 2) expect(await store.campaigns.transition(id, ['sending'], to, `${to} by the operator`)).toBe(true);
    });
    expect(await createSendLoop({ store, delivery, sender: slow }).run(id)).toBe('stopped');
    expect(afterStop).toBe(0);
    expect(await store.recipients.counts(id)).toMatchObject({ accepted: 2, queued: 10, sending: 0 });
  });
});

// A review: a database away longer than a run's settling (30 s) made the run drop the relay's verdicts, so a message the
// relay took stayed 'sending' under a live process for ever: never recovered, never resolvable, its campaign never done.
describe('send loop through a long database outage', () => {
  it("keeps the relay's verdicts past the run and records them once the database is back", async () => {
    const id = await sendingCampaign(1);
    let down = false;
    const away = () => Promise.reject(new StoreUnavailableError('ECONNREFUSED'));
    const recipients = withMembers(store.recipients, {
      markSending: async (...a: Parameters<Store['recipients']['markSending']>) => {
        const r = await store.recipients.markSending(...a);
        down = true; // gone right after the hand-off, before the relay's answer can be recorded
        return r;
      },
      applyOutcomes: async (...a: Parameters<Store['recipients']['applyOutcomes']>) => (down ? away() : store.recipients.applyOutcomes(...a)),
    });
    const campaigns = withMembers(store.campaigns, { get: async (...a: Parameters<Store['campaigns']['get']>) => (down ? away() : store.campaigns.get(...a)) });
    const flaky = withMembers(store, {
      recipients,
      campaigns,
      transaction: (async (fn: never) => (down ? away() : store.transaction(fn))) as Store['transaction'],
    });
    const before = sink.messages.length;
    const loop = createSendLoop({ store: flaky, delivery: inProcess(), sender: sender(), settle: { attempts: 3, retryMs: 10 }, keptRetryMs: 20 });
    await expect(loop.run(id)).rejects.toThrow(StoreUnavailableError);
    expect(sink.messages.length - before).toBe(1); // the relay took it
    expect(loop.keptVerdicts()).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.recipients.counts(id)).toMatchObject({ sending: 1, accepted: 0 }); // still away: kept, not lost
    await loop.recordKept(); // a stopping service tries once more, and learns they are still unrecorded
    expect(loop.keptVerdicts()).toBe(1);
    down = false;
    await vi.waitFor(async () => expect(await store.recipients.counts(id)).toMatchObject({ sending: 0, accepted: 1 }), { timeout: 2000 });
    expect(loop.keptVerdicts()).toBe(0);
  });
});
