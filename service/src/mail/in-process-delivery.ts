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
 * Messages worked on at once per SMTP connection (built, signed, waiting for the connection or on it). A slot is held
 * from the hand-off until its outcome is back on the main thread and the slot is refilled, longer than the message keeps
 * its connection, so at 2 connections idled: the campaign benchmark gave 0.67 of the signed baseline on SQLite at 2,
 * 0.73–0.79 at 4, 0.77–0.83 at 6, 0.80 at 8 (PostgreSQL 0.50, 0.61, 0.64–0.65, 0.66); the baseline gains nothing from
 * 6 senders per connection over its 4. The larger reservations this brings are kept from a limited provider's order
 * by SLOT_QUEUE_MAX (sending/provider-waits.ts). With the end of DATA mark a row still waiting for its connection is
 * queued again after a crash, so more of them widen nothing.
 */
export const MESSAGES_PER_CONNECTION = 6;

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
