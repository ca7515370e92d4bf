// What one SMTP attempt means for one recipient. Text rules run before code rules because
// servers disagree on codes (5.7.1 for unknown users, 552 for a full mailbox), and policy
// rejections are kept apart: they say something about us, not about the recipient.
import { anyOf } from './patterns.js';

export type SmtpOutcome = 'accepted' | 'retryable' | 'permanent' | 'uncertain';

export interface SmtpOutcomeInput {
  responseCode?: number;
  response?: string;
  errorCode?: string; // nodemailer err.code
  command?: string; // nodemailer err.command: 'CONN', 'RCPT TO', 'DATA', ...
  message?: string; // err.message, used as text when the server said nothing
  /** True when the whole message (final dot included) was handed to the socket. */
  afterData?: boolean;
}

export interface SmtpClassification {
  outcome: SmtpOutcome;
  code?: number;
  enhanced?: string;
  text: string;
  policy?: boolean;
}

const ENHANCED = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/;
const LEADING_CODE = /^([2-5]\d{2})(?:[ -]|$)/;
const RECIPIENT_UNKNOWN = anyOf([
  'user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (unavailable|not found|does not exist)',
  "recipient (not found|unknown|address rejected)|does(n't| not) (exist|have an? .{0,40}account)|address rejected",
  'recipientnotfound|invalid recipient',
]);
const MAILBOX_FULL = /mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage|exceeded storage/i;
const POLICY = anyOf([
  String.raw`spam|blocked|block ?list|black ?list|\brbl\b|spamhaus|reputation|dmarc|\bspf\b|dkim|authenticat|not authori[sz]ed|policy`,
  'rate limit|too many (messages|connections)|access denied',
]);
const LOCAL_REJECTIONS = new Set(['EENVELOPE', 'EMESSAGE']);

function clean(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 1000);
}

export function classifySmtpOutcome(input: SmtpOutcomeInput): SmtpClassification {
  const response = clean(input.response ?? '');
  const codeFromText = LEADING_CODE.exec(response);
  const code = input.responseCode ?? (codeFromText ? Number(codeFromText[1]) : undefined);
  const enhanced = ENHANCED.exec(response)?.[1];
  const text = response || clean(input.message ?? '') || input.errorCode || 'no reply';
  const base = { ...(code !== undefined ? { code } : {}), ...(enhanced ? { enhanced } : {}), text };

  if (code === undefined) {
    if (!input.errorCode) return { outcome: 'accepted', text: response || 'accepted' };
    if (input.errorCode === 'EAUTH') return { outcome: 'permanent', ...base, policy: true };
    // Refused locally before talking to the server (e.g. an address nodemailer cannot encode).
    if (LOCAL_REJECTIONS.has(input.errorCode)) return { outcome: 'permanent', ...base };
    // Once the final dot may have reached the server, only the server knows if it queued the
    // message; a resend could deliver it twice.
    if (input.afterData || input.command === 'DATA') return { outcome: 'uncertain', ...base };
    return { outcome: 'retryable', ...base };
  }
  if (code >= 200 && code < 300) return { outcome: 'accepted', ...base };
  const recipientProblem = RECIPIENT_UNKNOWN.test(response);
  // Greylisting is routine deferral, not a verdict on our reputation.
  const greylisted = /gr[ae]y ?list/i.test(response);
  const policy = !recipientProblem && !greylisted && (enhanced?.slice(1, 4) === '.7.' || POLICY.test(response) || input.errorCode === 'EAUTH');
  if (code >= 400 && code < 500) return { outcome: 'retryable', ...base, ...(policy ? { policy } : {}) };
  if (code >= 500 && code < 600) {
    if (enhanced === '5.2.2' || (!recipientProblem && MAILBOX_FULL.test(response))) return { outcome: 'retryable', ...base };
    return { outcome: 'permanent', ...base, ...(policy ? { policy } : {}) };
  }
  // 3xx or garbage where a final reply was due: the server is confused, try again later.
  return { outcome: 'retryable', ...base };
}
