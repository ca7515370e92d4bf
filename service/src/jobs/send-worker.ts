// Hands one campaign's queued ledger rows to SMTP. Rows are claimed just in time (only as many
// as there are free connections), so a crash leaves at most a handful of rows 'sending'; those
// become 'uncertain' at restart and are never resent blindly.
import PQueue from 'p-queue';
import { createTokenBucket } from '../domain/rate-limit.js';
import type { Campaign, Recipient } from '../domain/types.js';
import type { BuiltMessage, CompiledCampaign, MessageContext, RecipientForMessage } from '../mail/message.js';
import type { SendResult } from '../mail/transport.js';
import type { Store } from '../store/ports.js';

export interface SendWorkerDeps {
  store: Store;
  mailer: { send(m: BuiltMessage): Promise<SendResult> };
  compiled: (campaign: Campaign) => Promise<CompiledCampaign>;
  build: (c: CompiledCampaign, r: RecipientForMessage, ctx: MessageContext) => BuiltMessage;
  messageContext: MessageContext;
  rate: { perSecond: number; perHour?: number };
  concurrency: number;
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  flushEvery?: number;
  idlePollMs?: number;
  onOutcome?: (r: Recipient, result: SendResult) => void;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

type Outcome = Parameters<Store['recipients']['markOutcomes']>[0][number];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const defaultRetryDelay = (attempt: number) => Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);

export function outcomeFor(r: Recipient, res: SendResult, messageId: string, maxAttempts: number, retryDelayMs: (a: number) => number, now = Date.now()): Outcome {
  const detail = [res.code, res.enhanced, res.text].filter(Boolean).join(' ').slice(0, 500);
  switch (res.outcome) {
    case 'accepted': return { rowId: r.rowId, state: 'accepted', messageId };
    case 'permanent': return { rowId: r.rowId, state: 'failed', messageId, error: detail };
    case 'uncertain': return { rowId: r.rowId, state: 'uncertain', messageId, error: detail };
    case 'retryable':
      if (r.attempts >= maxAttempts) return { rowId: r.rowId, state: 'failed', messageId, error: `gave up after ${r.attempts} attempts: ${detail}` };
      return { rowId: r.rowId, state: 'queued', error: detail, retryAt: new Date(now + retryDelayMs(r.attempts)).toISOString() };
  }
  throw new Error(`unknown send outcome ${String(res.outcome)}`);
}

export function createSendWorker(deps: SendWorkerDeps) {
  const maxAttempts = deps.maxAttempts ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? defaultRetryDelay;
  const flushEvery = deps.flushEvery ?? 100;
  const bucket = createTokenBucket({ perSecond: deps.rate.perSecond, perHour: deps.rate.perHour });

  /** Sends until the campaign has nothing left to send or stops being 'sending'. Resolves 'done' or 'stopped'. */
  async function run(campaignId: string, signal?: AbortSignal): Promise<'done' | 'stopped'> {
    const { store } = deps;
    const campaign = store.campaigns.get(campaignId);
    if (!campaign) return 'stopped';
    const compiled = await deps.compiled(campaign);
    const queue = new PQueue({ concurrency: deps.concurrency });
    let outcomes: Outcome[] = [];
    const flush = () => {
      if (outcomes.length === 0) return;
      const batch = outcomes;
      outcomes = [];
      store.recipients.markOutcomes(batch);
    };
    const record = (o: Outcome) => {
      outcomes.push(o);
      if (outcomes.length >= flushEvery) flush();
    };
    // Outcomes not yet flushed turn into 'uncertain' after a crash, so keep the buffer short-lived.
    const flushTimer = setInterval(flush, 25);
    // Re-reading the campaign for every message costs more than the message; a pause is noticed within this.
    let checkedAt = 0;
    let active = true;
    const stillSending = () => {
      if (Date.now() - checkedAt > 200) {
        checkedAt = Date.now();
        active = store.campaigns.get(campaignId)?.status === 'sending';
      }
      return active && !signal?.aborted;
    };
    try {
      for (;;) {
        if (!stillSending()) {
          await queue.onIdle();
          return 'stopped';
        }
        // Refill only once half the waiting batch has started: claims stay batched (one statement
        // for many rows) while at most one batch waits behind the running sends.
        await queue.onSizeLessThan(Math.ceil(deps.concurrency / 2));
        const batch = store.recipients.claim(campaignId, deps.concurrency - queue.size, new Date().toISOString());
        if (batch.length === 0) {
          await queue.onIdle();
          flush();
          const counts = store.recipients.counts(campaignId);
          if (counts.queued === 0 && counts.sending === 0) return 'done';
          await sleep(deps.idlePollMs ?? 1000); // only retries waiting for their time remain
          continue;
        }
        const suppressed = store.suppressions.filterSuppressed(batch.map((r) => r.addressKey));
        for (const r of batch) {
          if (suppressed.has(r.addressKey)) {
            record({ rowId: r.rowId, state: 'failed', error: 'suppressed before hand-off' });
            continue;
          }
          for (let wait = bucket.take(); wait > 0; wait = bucket.take()) await sleep(wait);
          const msg = deps.build(compiled, { rowId: r.rowId, email: r.email, fields: r.fields, trackingConsent: r.trackingConsent }, deps.messageContext);
          void queue.add(async () => {
            const res = await deps.mailer.send(msg);
            record(outcomeFor(r, res, msg.messageId, maxAttempts, retryDelayMs));
            deps.onOutcome?.(r, res);
          });
        }
      }
    } finally {
      clearInterval(flushTimer);
      flush();
    }
  }

  return { run };
}
