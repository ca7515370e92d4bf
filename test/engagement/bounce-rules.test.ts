// The bounce rules table against replies seen in the wild (email-standards §2): text rules first.
import { describe, expect, it } from 'vitest';
import { BOUNCE_RULES, BOUNCE_RULES_VERSION, classifyBounce, enhancedStatus, isComplaintFeedback } from '../../service/src/domain/bounce-rules.js';

describe('classifyBounce', () => {
  it.each<[string, string | undefined, string, string, string]>([
    ['unknown user', '5.1.1', '550 5.1.1 <a@b>: Recipient address rejected: User unknown', 'hard', 'text.recipient-unknown'],
    ['no such domain', '5.1.2', '550 5.1.2 Host or domain name not found', 'hard', 'text.domain-unknown'],
    [
      'Microsoft 5.1.10',
      '5.1.10',
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      'hard',
      'text.ms-recipient-not-found',
    ],
    ['null MX by code only', '5.1.10', '550 5.1.10', 'hard', 'status.5.1.x'],
    ['5.1.6 moved by code only', '5.1.6', '', 'hard', 'status.5.1.x'],
    [
      'M365 access denied to a missing recipient',
      '5.4.1',
      '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
      'hard',
      'text.ms-recipient-denied',
    ],
    ['Hotmail mailbox unavailable', '5.5.0', '550 5.5.0 Requested action not taken: mailbox unavailable', 'hard', 'text.recipient-unknown'],
    [
      'Yahoo no account',
      undefined,
      "554 delivery error: dd Sorry your message to x@yahoo.com cannot be delivered. This mailbox doesn't have a yahoo.com account",
      'hard',
      'text.recipient-unknown',
    ],
    ['disabled mailbox', '5.2.1', '550 5.2.1 The email account that you tried to reach is disabled', 'hard', 'text.mailbox-disabled'],
    ['5.2.1 without text is not hard', '5.2.1', '550 5.2.1', 'soft', 'status.5.2.x'],
    ['unknown user under 5.7.1', '5.7.1', '550 5.7.1 No such user', 'hard', 'text.recipient-unknown'],
    ['mailbox full as 552 5.2.2', '5.2.2', '552 5.2.2 Mailbox is full', 'soft', 'text.mailbox-full'],
    ['over quota under a 5.1 code', '5.1.1', '550 5.1.1 user is over quota', 'soft', 'text.mailbox-full'],
    ['message too large', '5.3.4', '552 5.3.4 Message size exceeds fixed maximum message size', 'soft', 'text.too-large'],
    ['expired in queue', '5.4.7', 'delivery expired', 'soft', 'status.5.4.x'],
    ['any 4.x.x', '4.2.0', '451 4.2.0 try later', 'soft', 'status.4.x.x'],
    ['4.x.x is never hard whatever the text', '4.1.1', '450 4.1.1 user unknown (temporary)', 'soft', 'status.4.x.x'],
    ['Gmail unauthenticated 5.7.26', '5.7.26', '550-5.7.26 Unauthenticated email from example.test is not accepted', 'block', 'text.policy'],
    ['Gmail rate limit 421 4.7.28', '4.7.28', '421-4.7.28 Our system has detected an unusual rate of unsolicited mail', 'block', 'text.policy'],
    ['Microsoft 5.7.515', '5.7.515', "550 5.7.515 Access denied, sending domain doesn't meet the required authentication level", 'block', 'text.policy'],
    ['Spamhaus listing', '5.7.1', '554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org', 'block', 'text.policy'],
    ['5.7.x by code only', '5.7.9', '', 'block', 'status.5.7.x'],
    ['4.7.x by code only', '4.7.0', '', 'block', 'status.4.7.x'],
    ['Exim 5.0.0 no text', '5.0.0', '', 'soft', 'default.soft'],
    ['nothing at all', undefined, '', 'soft', 'default.soft'],
    ['garbage', 'x.y.z', '\u0000\u0001 ???', 'soft', 'default.soft'],
  ])('%s', (_name, status, diagnostic, kind, rule) => {
    const v = classifyBounce({ status, diagnostic });
    expect({ kind: v.kind, rule: v.rule }).toEqual({ kind, rule });
    expect(v.version).toBe(BOUNCE_RULES_VERSION);
  });

  it('finds the enhanced code in the text when the status is missing', () => {
    expect(enhancedStatus({ diagnostic: 'smtp; 550-5.1.1 The email account that you tried to reach does not exist' })).toBe('5.1.1');
    expect(classifyBounce({ diagnostic: 'smtp; 550-5.1.1 The email account that you tried to reach does not exist' }).kind).toBe('hard');
  });

  it('orders every text rule before every status rule', () => {
    const firstStatus = BOUNCE_RULES.findIndex((r) => r.status);
    expect(BOUNCE_RULES.slice(firstStatus).every((r) => !r.text)).toBe(true);
    expect(new Set(BOUNCE_RULES.map((r) => r.id)).size).toBe(BOUNCE_RULES.length);
  });

  it('caps the text it reads', () => {
    expect(classifyBounce({ diagnostic: 'a'.repeat(5_000_000) + ' user unknown' }).kind).toBe('soft');
  });
});

describe('isComplaintFeedback', () => {
  it.each<[string | undefined, boolean]>([
    ['abuse', true],
    ['Abuse', true],
    ['fraud', true],
    ['not-spam', false],
    ['auth-failure', false],
    ['virus', false],
    ['other', false],
    [undefined, false],
  ])('%s → %s', (t, expected) => expect(isComplaintFeedback(t)).toBe(expected));
});
