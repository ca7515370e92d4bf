// What the features need of the mail adapter, as plain data: the context and recipient a message is built from,
// the built message, the relay's verdict on it, compiled content (opaque outside mail/), and what the inbound
// listener hands on. mail/ implements these (its own types are these or richer ones).
import type { DeliveryStatus, FeedbackReport } from '../domain/dsn.js';
import type { SmtpOutcome } from '../domain/smtp-reply.js';

export interface MessageContext {
  publicUrl: string; // base of tracking and unsubscribe URLs
  secret: string;
  bounceDomain: string;
  messageIdDomain: string;
  feedbackSenderId: string; // e.g. 'leadfwd'
  senderPostalAddress: string;
}

export interface RecipientForMessage {
  rowId: number;
  email: string;
  fields: Record<string, string>;
  trackingConsent: boolean;
}

export interface BuiltMessage {
  messageId: string;
  envelope: { from: string; to: string[] };
  /** Complete RFC 5322 message, ASCII with CRLF line ends, not yet DKIM-signed. */
  raw: string;
  /** The body is in DKIM relaxed form already (every part quoted-printable), so signing skips canonicalising it. */
  canonicalBody?: boolean;
}

/** A campaign's content compiled once: its tracked links, and what only mail/ reads. */
export interface CompiledCampaign {
  campaignId: string;
  /** Tracked links; a click token's link index points here. */
  links: string[];
  readonly internal: unknown;
}

export interface SendResult {
  outcome: SmtpOutcome;
  code?: number;
  enhanced?: string;
  text: string;
  policy?: boolean;
  /** Our own failure (building, a crashed send thread), not the relay's verdict: never a bounce fact. */
  internal?: boolean;
}

/** Where an inbound message was addressed: a signed VERP return path, the mailto unsubscribe, or the FBL box. */
export type InboundRoute = { type: 'verp'; rowId: number } | { type: 'unsubscribe'; rowId: number } | { type: 'fbl' };

export interface InboundReport {
  kind: 'dsn' | 'arf' | 'other';
  autoReply: boolean;
  subject?: string;
  /** Candidate ids of our original message: returned headers, In-Reply-To, References, X-Original-Message-ID. */
  messageIds: string[];
  delivery?: DeliveryStatus;
  feedback?: FeedbackReport;
  /** Start of the human-readable part, for reports without a diagnostic code. */
  humanText?: string;
  /** Set when the MIME structure could not be parsed at all. */
  error?: string;
}
