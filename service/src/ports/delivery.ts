// What the send loop needs from "the thing that turns a claimed ledger row into an SMTP result": the mail
// adapter gives two, in this process (mail/in-process-delivery.ts) and on send threads (mail/send-threads/).
import type { Campaign } from '../domain/types.js';
import type { RecipientForMessage, SenderProfile, SendResult } from './mail.js';

export interface RowResult {
  rowId: number;
  messageId?: string; // absent when no message was built
  result: SendResult;
}

/**
 * The end of DATA mark of one row handed over: resolves once it is durably recorded (true: the message's final dot may
 * go) or could not be (false: the dot must not go; the message is then not sent and may go again).
 */
export type DataEndMark = (rowId: number) => Promise<boolean>;

export interface CampaignSession {
  /** Builds, signs and sends each row; every row is answered exactly once through open()'s callback. */
  send(rows: RecipientForMessage[]): void;
  /** No more rows will come for this campaign. */
  close(): void;
}

export interface Delivery {
  /** Rows that may be handed over and unanswered at once. */
  readonly capacity: number;
  /**
   * Compiles the campaign where the messages will be built (throws TemplateError for bad content); every message of
   * the session is signed with the sender's key and goes through the sender's relay, and no other.
   */
  open(campaign: Campaign, sender: SenderProfile, onResults: (results: RowResult[]) => void, dataEnd?: DataEndMark): Promise<CampaignSession>;
  /** Call once nothing is in flight; ends threads and connections. */
  close(): Promise<void>;
}
