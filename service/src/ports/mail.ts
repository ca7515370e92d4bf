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
  /** "Send as the record's assigned user": this From instead of the campaign's (an address the identity allows). */
  from?: { name: string; email: string };
}

/**
 * What a campaign is sent as (its sender identity), as delivery needs it: the relay with its credentials, the
 * DKIM key, and the domains of its bounce addresses and Message-IDs. Built by the composition root from the
 * identity and its unsealed secrets; `key` changes whenever any of them does, so a delivery keeps one SMTP pool
 * and one signer per key and never sends one identity's message through another's.
 */
export interface SenderProfile {
  identityId: string;
  key: string;
  smtpUrl: string;
  maxConnections: number;
  dkim?: { domainName: string; keySelector: string; privateKeyPem: string };
  bounceDomain: string;
  messageIdDomain: string;
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
  /** The record fields every target carries that the compiled subject, content and links name (domain/merge-fields.ts). */
  baseFieldsRead: string[];
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
  /** The relay itself refused us (authentication, connection): about the identity, not the recipient or a provider. */
  relayProblem?: 'auth' | 'connection';
}

/** Where an inbound message was addressed: a signed VERP return path, the mailto unsubscribe, or the FBL box. */
/** `person`: the unsubscribe token's person check (domain/tokens.ts), when it has one. */
export type InboundRoute = { type: 'verp'; rowId: number } | { type: 'unsubscribe'; rowId: number; person?: string } | { type: 'fbl' };

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
