// What a failure report means for the recipient, as a versioned table of ordered rules. Text rules
// run before status-code rules because servers disagree on codes (5.7.1 for unknown users, 552 for
// a full mailbox, 5.4.1 for Microsoft's "access denied" to a missing recipient). When unsure: soft.
import type { BounceKind } from './engagement.js';
import { anyOf } from './patterns.js';

/** Bump when a rule changes meaning; stored with every classified bounce so old verdicts can be re-read. */
export const BOUNCE_RULES_VERSION = '2026-11.1';

export type BounceVerdictKind = Exclude<BounceKind, 'complaint'>;

export interface BounceRule {
  id: string;
  kind: BounceVerdictKind;
  /** Matched against the diagnostic text (the SMTP reply as reported). */
  text?: RegExp;
  /** Matched against the enhanced status code (RFC 3463), e.g. 5.1.1. */
  status?: RegExp;
}

export const BOUNCE_RULES: readonly BounceRule[] = [
  // Text rules, most specific first.
  {
    id: 'text.mailbox-full',
    kind: 'soft',
    text: /mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage|exceeded (its )?storage|mailbox size limit/i,
  },
  { id: 'text.too-large', kind: 'soft', text: /message (is )?too (large|big)|size limit exceeded|size exceeds|exceeds .{0,20}maximum/i },
  { id: 'text.ms-recipient-denied', kind: 'hard', text: /recipient address rejected: access denied/i },
  { id: 'text.ms-recipient-not-found', kind: 'hard', text: /RESOLVER\.ADR\.(RecipientNotFound|ExRecipNotFound|InvalidSmtpAddress)/i },
  {
    id: 'text.recipient-unknown',
    kind: 'hard',
    text: anyOf([
      'user unknown|unknown user|no such (user|mailbox|recipient|address)',
      String.raw`(mailbox|address|user|recipient|account) (does ?n[o']t exist|not found|unknown)|does(n't| not) have an? [\w.-]+ account`,
      'unrouteable address|invalid (recipient|mailbox)|mailbox unavailable|recipient not found|bad destination mailbox',
    ]),
  },
  {
    id: 'text.mailbox-disabled',
    kind: 'hard',
    text: anyOf([
      String.raw`(account|mailbox|user|address)\b.{0,40}\b(has been|is) (disabled|deactivated|inactive|suspended|closed|no longer (active|available))`,
      '(disabled|inactive) (account|mailbox|user)',
    ]),
  },
  {
    id: 'text.domain-unknown',
    kind: 'hard',
    text: /host (or domain name )?not found|domain (does not|doesn't) exist|no mx record|null mx|nxdomain|unknown domain/i,
  },
  {
    id: 'text.policy',
    kind: 'block',
    text: anyOf([
      String.raw`spam|block ?list|black ?list|blocked|\brbl\b|spamhaus|barracudacentral|reputation|dmarc|\bspf\b|dkim`,
      String.raw`unauthenticated|not authenticated|authentication|5\.7\.515|policy|access denied|poor sender|unsolicited`,
      'too many (messages|connections)|rate limit',
    ]),
  },
  // Status-code rules.
  { id: 'status.5.1.x', kind: 'hard', status: /^5\.1\.\d+$/ },
  { id: 'status.5.7.x', kind: 'block', status: /^5\.7\.\d+$/ },
  { id: 'status.4.7.x', kind: 'block', status: /^4\.7\.\d+$/ },
  { id: 'status.4.x.x', kind: 'soft', status: /^4\.\d+\.\d+$/ },
  { id: 'status.5.2.x', kind: 'soft', status: /^5\.2\.\d+$/ },
  { id: 'status.5.3.x', kind: 'soft', status: /^5\.3\.\d+$/ },
  { id: 'status.5.4.x', kind: 'soft', status: /^5\.4\.\d+$/ },
];

export interface BounceInput {
  /** Enhanced status code, e.g. "5.1.1" (DSN Status: field or parsed from the reply). */
  status?: string;
  /** Diagnostic text, e.g. "smtp; 550 5.1.1 <a@b>: Recipient address rejected: User unknown". */
  diagnostic?: string;
}

export interface BounceVerdict {
  kind: BounceVerdictKind;
  rule: string;
  version: string;
  status?: string;
}

const ENHANCED = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/** The enhanced code given, or the first one found in the diagnostic text. */
export function enhancedStatus(input: BounceInput): string | undefined {
  const given = typeof input.status === 'string' ? ENHANCED.exec(input.status)?.[1] : undefined;
  if (given) return given;
  return typeof input.diagnostic === 'string' ? ENHANCED.exec(input.diagnostic)?.[1] : undefined;
}

export function classifyBounce(input: BounceInput, rules: readonly BounceRule[] = BOUNCE_RULES): BounceVerdict {
  const text = typeof input.diagnostic === 'string' ? input.diagnostic.slice(0, 2000) : '';
  const status = enhancedStatus(input);
  const base = { version: BOUNCE_RULES_VERSION, ...(status ? { status } : {}) };
  // A 4.x.x report is transient by definition, whatever its text says (listmonk's bug was calling it hard).
  const transient = status?.startsWith('4.') ?? /^(smtp;\s*)?4\d\d\b/i.test(text);
  for (const rule of rules) {
    const hit = (rule.text && text && rule.text.test(text)) || (rule.status && status && rule.status.test(status));
    if (!hit) continue;
    if (transient && rule.kind === 'hard') continue;
    return { kind: rule.kind, rule: rule.id, ...base };
  }
  return { kind: 'soft', rule: 'default.soft', ...base };
}

/** ARF Feedback-Type values (RFC 5965, 6591) that mean the recipient does not want our mail. */
export function isComplaintFeedback(feedbackType: string | undefined): boolean {
  const t = (feedbackType ?? '').trim().toLowerCase();
  return t === 'abuse' || t === 'fraud';
}
