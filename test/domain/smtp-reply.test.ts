import { describe, expect, it } from 'vitest';
import { classifySmtpOutcome, type SmtpOutcomeInput } from '../../service/src/domain/smtp-reply.js';

/** What nodemailer reports for a server reply: the code as the reply's first three digits, and the command it answered. */
const reply = (response: string, command: string, more: SmtpOutcomeInput = {}): SmtpOutcomeInput => ({
  responseCode: Number(response.slice(0, 3)),
  response,
  command,
  ...more,
});

type Row = [string, SmtpOutcomeInput, { outcome: string; code?: number; enhanced?: string; policy?: boolean }];

describe('classifySmtpOutcome', () => {
  it.each<Row>([
    ['250 queued', { responseCode: 250, response: '250 2.0.0 Ok: queued as ABC' }, { outcome: 'accepted', code: 250, enhanced: '2.0.0' }],
    ['no error at all', {}, { outcome: 'accepted' }],
    [
      '550 5.1.1 unknown user',
      reply('550 5.1.1 <a@b.c>: Recipient address rejected: User unknown', 'RCPT TO', { errorCode: 'EENVELOPE' }),
      { outcome: 'permanent', code: 550, enhanced: '5.1.1' },
    ],
    [
      '550 5.1.10 Exchange',
      reply('550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'RCPT TO'),
      { outcome: 'permanent', code: 550, enhanced: '5.1.10' },
    ],
    ['552 5.2.2 mailbox full', reply('552 5.2.2 Mailbox full', 'RCPT TO'), { outcome: 'retryable', code: 552, enhanced: '5.2.2' }],
    ['552 over quota without enhanced code', reply('552 Requested mail action aborted: user is over quota', 'DATA'), { outcome: 'retryable', code: 552 }],
    ['421 service closing', reply('421 4.3.2 Service shutting down', 'CONN'), { outcome: 'retryable', code: 421, enhanced: '4.3.2' }],
    [
      '421 4.7.0 rate limited',
      reply('421 4.7.0 Try again later, closing connection. (rate limit)', 'MAIL FROM'),
      { outcome: 'retryable', code: 421, enhanced: '4.7.0', policy: true },
    ],
    [
      '451 greylisted (routine, not policy)',
      reply('451 4.7.1 Greylisted, please try again in 300 seconds', 'RCPT TO'),
      { outcome: 'retryable', code: 451, enhanced: '4.7.1' },
    ],
    [
      '450 4.7.1 client host blocked',
      reply('450 4.7.1 Client host rejected: cannot find your hostname', 'RCPT TO'),
      { outcome: 'retryable', code: 450, enhanced: '4.7.1', policy: true },
    ],
    ['451 local error', reply('451 4.3.0 Local error in processing', 'DATA'), { outcome: 'retryable', code: 451, enhanced: '4.3.0' }],
    [
      'Gmail 5.7.26 unauthenticated',
      reply('550 5.7.26 This mail is unauthenticated, which poses a security risk', 'DATA'),
      { outcome: 'permanent', code: 550, enhanced: '5.7.26', policy: true },
    ],
    [
      'Microsoft 5.7.515',
      reply('550 5.7.515 Access denied, sending domain does not meet the required authentication level', 'RCPT TO'),
      { outcome: 'permanent', enhanced: '5.7.515', policy: true },
    ],
    ['5.7.1 spam', reply('554 5.7.1 Message rejected as spam', 'DATA', { errorCode: 'EMESSAGE' }), { outcome: 'permanent', enhanced: '5.7.1', policy: true }],
    [
      '5.7.1 used for an unknown user (text before code)',
      reply('550 5.7.1 Unknown user: no such user here', 'RCPT TO'),
      { outcome: 'permanent', enhanced: '5.7.1' },
    ],
    [
      '554 RBL without enhanced code',
      reply('554 Service unavailable; Client host [1.2.3.4] blocked using zen.spamhaus.org', 'CONN'),
      { outcome: 'permanent', code: 554, policy: true },
    ],
    [
      '535 auth failed',
      reply('535 5.7.8 Authentication credentials invalid', 'AUTH PLAIN', { errorCode: 'EAUTH' }),
      { outcome: 'permanent', code: 535, policy: true },
    ],
    [
      'code only inside the response text',
      { response: '550 5.1.1 no such user', errorCode: 'EENVELOPE', command: 'RCPT TO' },
      { outcome: 'permanent', code: 550, enhanced: '5.1.1' },
    ],
    ['connection refused', { errorCode: 'ECONNECTION', command: 'CONN', message: 'connect ECONNREFUSED 127.0.0.1:2525' }, { outcome: 'retryable' }],
    ['greeting timeout', { errorCode: 'ETIMEDOUT', command: 'CONN' }, { outcome: 'retryable' }],
    [
      'connection lost after the message was sent',
      { errorCode: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly', afterData: true },
      { outcome: 'uncertain' },
    ],
    ['timeout waiting for the DATA reply', { errorCode: 'ETIMEDOUT', command: 'DATA' }, { outcome: 'uncertain' }],
    ['envelope refused locally', { errorCode: 'EENVELOPE', message: 'No recipients defined' }, { outcome: 'permanent' }],
  ])('%s', (_name, input, expected) => {
    const got = classifySmtpOutcome(input);
    expect(got).toMatchObject(expected);
    if (expected.policy === undefined) expect(got.policy).toBeUndefined();
    expect(got.text.length).toBeGreaterThan(0);
  });

  it('keeps the server text, flattened to one line', () => {
    const got = classifySmtpOutcome({ responseCode: 550, response: '550-5.1.1 first line\r\n550 5.1.1 second line' });
    expect(got.text).toBe('550-5.1.1 first line 550 5.1.1 second line');
    expect(got.enhanced).toBe('5.1.1');
  });
});
