// Messages between the send loop (main thread, owner of the ledger) and the send threads (build,
// DKIM, SMTP). Everything here must survive structured cloning: plain data only.

import type { SenderProfile } from '../../ports/mail.js';
import type { MessageContext, RecipientForMessage } from '../message.js';
import type { SendResult } from '../smtp-transport.js';
import type { CampaignMessageSpec } from '../template.js';

export interface ThreadSettings {
  /** Module the bootstrap imports; the real thread or a test double around it. */
  entry: string;
  /** A sender's connections are split between this many threads. */
  share: number;
  maxMessagesPerConnection?: number;
  timeoutMs?: number;
  /** A sender's pool on a thread is closed after this long without a message (default 60 s). */
  idleMs?: number;
  /** RSA signing workers of this thread (0: it signs inline). */
  dkimWorkers: number;
  /** Messages one thread works on at once (building, signing or on the wire). */
  concurrency: number;
}

export type ToThread =
  /**
   * A campaign to build and send: its content, its message context and the sender identity whose relay and key it uses;
   * with `dataEnd`, each message's final dot waits for the main thread's answer to a 'data-end' request.
   */
  | { type: 'campaign'; spec: CampaignMessageSpec; context: MessageContext; sender: SenderProfile; dataEnd: boolean }
  | { type: 'send'; batch: number; campaignId: string; rows: RecipientForMessage[] }
  /** The answer to 'data-end' requests: rows whose mark is recorded (their dot may go) and rows whose dot must not go. */
  | { type: 'data-end'; go: number[]; stop: number[] }
  | { type: 'forget'; campaignId: string }
  | { type: 'close' };

/** One row's fate: [rowId, Message-ID (absent when nothing was built), result]. */
export type RowReport = [number, string | undefined, SendResult];

export type FromThread =
  | { type: 'ready'; campaignId: string; links: string[] }
  | { type: 'campaign-failed'; campaignId: string; error: string }
  /** Sent on receipt of a batch, before any of it can reach SMTP: rows of unseen batches are safe to retry. */
  | { type: 'seen'; batch: number }
  | { type: 'results'; reports: RowReport[] }
  /** These rows' bodies are going out: may their final dots go? (answered by a 'data-end' once their marks are recorded) */
  | { type: 'data-end'; rows: number[] }
  /** The thread is about to exit after a bug; route new rows elsewhere. */
  | { type: 'dying'; error: string }
  | { type: 'log'; level: 'warn' | 'error'; obj: object; msg: string }
  | { type: 'closed' };
