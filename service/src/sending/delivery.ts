// What the send loop needs from "the thing that turns a claimed ledger row into an SMTP result":
// in this process (tests, LEADFWD_SEND_THREADS=0) or on send threads (send-threads/pool.ts).
import PQueue from 'p-queue';
import type { Campaign } from '../domain/types.js';
import type { BuiltMessage, CompiledCampaign, MessageContext, RecipientForMessage } from '../mail/message.js';
import type { SendResult } from '../mail/smtp-transport.js';

export interface RowResult {
  rowId: number;
  messageId?: string; // absent when no message was built
  result: SendResult;
}

export interface CampaignSession {
  /** Builds, signs and sends each row; every row is answered exactly once through open()'s callback. */
  send(rows: RecipientForMessage[]): void;
  /** No more rows will come for this campaign. */
  close(): void;
}

export interface Delivery {
  /** Rows that may be handed over and unanswered at once. */
  readonly capacity: number;
  /** Compiles the campaign where the messages will be built; throws TemplateError for bad content. */
  open(campaign: Campaign, onResults: (results: RowResult[]) => void): Promise<CampaignSession>;
  /** Call once nothing is in flight; ends threads and connections. */
  close(): Promise<void>;
}

export interface InProcessDeliveryDeps {
  mailer: { send(m: BuiltMessage): Promise<SendResult> };
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
export async function sendNeverThrowing(mailer: InProcessDeliveryDeps['mailer'], msg: BuiltMessage): Promise<SendResult> {
  try {
    return await mailer.send(msg);
  } catch (e) {
    return { outcome: 'uncertain', text: `send failed unexpectedly: ${(e as Error).message}`.slice(0, 500), internal: true };
  }
}

export function createInProcessDelivery(deps: InProcessDeliveryDeps): Delivery {
  return {
    capacity: deps.concurrency,
    async open(campaign, onResults) {
      const compiled = await deps.compiled(campaign);
      const queue = new PQueue({ concurrency: deps.concurrency });
      return {
        send(rows) {
          for (const row of rows) {
            // Built just before it is sent, so at most `concurrency` messages exist at once.
            void queue.add(async () => {
              let msg: BuiltMessage;
              try {
                msg = deps.build(compiled, row, deps.messageContext);
              } catch (e) {
                return onResults([{ rowId: row.rowId, result: buildFailure(e) }]);
              }
              onResults([{ rowId: row.rowId, messageId: msg.messageId, result: await sendNeverThrowing(deps.mailer, msg) }]);
            });
          }
        },
        close() {},
      };
    },
    async close() {},
  };
}
