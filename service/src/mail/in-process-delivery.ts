// Delivery in this process (tests, LEADFWD_SEND_THREADS=0): build and send each row through the SMTP transport of
// the campaign's sender identity, at most `concurrency` at once. The send threads (send-threads/pool.ts) are the other Delivery.
import PQueue from 'p-queue';
import type { Campaign } from '../domain/types.js';
import type { DataEndMark, Delivery } from '../ports/delivery.js';
import type { BuiltMessage, MessageContext, RecipientForMessage, SenderProfile, SendResult } from '../ports/mail.js';
import type { CompiledCampaign } from './template.js';
import type { TransportCache } from './transport-cache.js';

export type { CampaignSession, DataEndMark, Delivery, RowResult } from '../ports/delivery.js';

/**
 * Messages worked on at once per SMTP connection (built, signed, waiting for the connection or on it). At 2 a connection
 * idled whenever the next message's signature or its end of DATA mark was late (campaign benchmark: 0.67 of the signed
 * baseline against 0.77–0.80 at 4, which is what that baseline gives each connection too). With the end of DATA mark a
 * row waiting for a connection is queued again after a crash, so more of them widen nothing.
 */
export const MESSAGES_PER_CONNECTION = 4;

export interface InProcessDeliveryDeps {
  /** One transport per sender profile (its relay and DKIM key). */
  transports: Pick<TransportCache, 'get'>;
  compiled: (campaign: Campaign) => Promise<CompiledCampaign>;
  build: (c: CompiledCampaign, r: RecipientForMessage, ctx: MessageContext) => BuiltMessage;
  messageContext: MessageContext;
  concurrency: number;
}

/** A build failure is ours and deterministic for that row: final, and never a bounce fact. */
export function buildFailure(err: unknown): SendResult {
  return { outcome: 'permanent', text: `message could not be built: ${(err as Error).message}`.slice(0, 500), internal: true };
}

/** send() promises never to throw; if it ever does, the message may have left: uncertain. */
export async function sendNeverThrowing(
  mailer: { send(m: BuiltMessage, dataEnd?: () => Promise<boolean>): Promise<SendResult> },
  msg: BuiltMessage,
  dataEnd?: () => Promise<boolean>,
): Promise<SendResult> {
  try {
    return await mailer.send(msg, dataEnd);
  } catch (e) {
    return { outcome: 'uncertain', text: `send failed unexpectedly: ${(e as Error).message}`.slice(0, 500), internal: true };
  }
}

/** The message context of one sender: its bounce (VERP) domain and the domain of its Message-IDs. */
export function contextFor(base: MessageContext, sender: SenderProfile): MessageContext {
  return { ...base, bounceDomain: sender.bounceDomain, messageIdDomain: sender.messageIdDomain };
}

export function createInProcessDelivery(deps: InProcessDeliveryDeps): Delivery {
  return {
    capacity: deps.concurrency,
    async open(campaign, sender, onResults, dataEnd?: DataEndMark) {
      const compiled = await deps.compiled(campaign);
      const mailer = deps.transports.get(sender);
      const context = contextFor(deps.messageContext, sender);
      const queue = new PQueue({ concurrency: deps.concurrency });
      return {
        send(rows) {
          for (const row of rows) {
            // Built just before it is sent, so at most `concurrency` messages exist at once.
            void queue.add(async () => {
              let msg: BuiltMessage;
              try {
                msg = deps.build(compiled, row, context);
              } catch (e) {
                return onResults([{ rowId: row.rowId, result: buildFailure(e) }]);
              }
              const gate = dataEnd && (() => dataEnd(row.rowId));
              onResults([{ rowId: row.rowId, messageId: msg.messageId, result: await sendNeverThrowing(mailer, msg, gate) }]);
            });
          }
        },
        close() {},
      };
    },
    async close() {},
  };
}
