import { describe, expect, it } from 'vitest';
import {
  isAutoReply,
  messageIdsIn,
  parseDeliveryStatus,
  parseFeedbackReport,
  parseFieldBlocks,
  rowIdFromMessageId,
  typedValue,
} from '../../service/src/domain/dsn.js';

describe('parseDeliveryStatus', () => {
  it('reads the per-message block and each recipient block, unfolding long lines', () => {
    const ds = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; mx1.example.net',
        'Original-Envelope-Id: env-42',
        '',
        'Final-Recipient: rfc822; a@example.com',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>: Recipient address rejected: User',
        '    unknown in virtual mailbox table',
        '',
        'Final-Recipient: rfc822;<b@example.com>',
        'Action: Delayed',
        'Status: 4.4.1',
        '',
      ].join('\r\n'),
    );
    expect(ds.reportingMta).toBe('mx1.example.net');
    expect(ds.originalEnvelopeId).toBe('env-42');
    expect(ds.recipients).toEqual([
      {
        finalRecipient: 'a@example.com',
        originalRecipient: undefined,
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: '550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
        remoteMta: undefined,
      },
      { finalRecipient: 'b@example.com', originalRecipient: undefined, action: 'delayed', status: '4.4.1', diagnosticCode: undefined, remoteMta: undefined },
    ]);
  });

  it('accepts a report without the per-message block (Exim puts Action first)', () => {
    const ds = parseDeliveryStatus('Action: failed\nFinal-Recipient: rfc822;x@y.test\nStatus: 5.0.0\n');
    expect(ds.recipients).toHaveLength(1);
    expect(ds.reportingMta).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['binary garbage', '\u0000\u0001\u0002\ufffd\ufffd'],
    ['no colon lines', 'this is not\na delivery status\n'],
    ['not a string', 42],
    ['huge', 'Final-Recipient: rfc822; a@b\n' + 'X: ' + 'y'.repeat(1_000_000)],
  ])('never throws on %s', (_n, input) => {
    expect(() => parseDeliveryStatus(input as string)).not.toThrow();
  });

  it('caps the number of blocks', () => {
    const many = Array.from({ length: 500 }, (_, i) => `Final-Recipient: rfc822; r${i}@x.test\nAction: failed\n`).join('\n');
    expect(parseDeliveryStatus(many).recipients.length).toBeLessThanOrEqual(101);
  });
});

describe('parseFeedbackReport', () => {
  it('reads the ARF fields', () => {
    expect(parseFeedbackReport('Feedback-Type: Abuse\nUser-Agent: FBL/1\nVersion: 1\nOriginal-Rcpt-To: <a@b.test>\nSource-IP: 192.0.2.1\n')).toMatchObject({
      feedbackType: 'abuse',
      userAgent: 'FBL/1',
      version: '1',
      originalRcptTo: 'a@b.test',
      sourceIp: '192.0.2.1',
    });
    expect(parseFeedbackReport('').feedbackType).toBeUndefined();
  });
});

describe('helpers', () => {
  it('keeps the first of repeated fields and skips garbage lines', () => {
    const [b] = parseFieldBlocks('Status: 5.1.1\n::: junk\nStatus: 2.0.0\n');
    expect(b.get('status')).toBe('5.1.1');
  });

  it('strips RFC 3464 type prefixes', () => {
    expect(typedValue('rfc822; <a@b>')).toBe('a@b');
    expect(typedValue('smtp; 550 no')).toBe('550 no');
    expect(typedValue('rfc822;')).toBeUndefined();
  });

  it('collects message ids', () => {
    expect(messageIdsIn('<a@b> <c@d>\r\n <e@f>')).toEqual(['<a@b>', '<c@d>', '<e@f>']);
    expect(messageIdsIn(undefined)).toEqual([]);
  });

  it.each<[string, number | null]>([
    ['<lf.camp-1.42.AbCdEf123456@news.example.test>', 42],
    ['<lf.c.0.abcdefghijkl@x>', 0],
    ['<lf.c.42@x>', null],
    ['<other.c.42.abcdefghijkl@x>', null],
    ['lf.c.42.abcdefghijkl@x', null],
    ['<lf.c.99999999999999999.abcdefghijkl@x>', null],
  ])('row id from %s', (id, row) => expect(rowIdFromMessageId(id)).toBe(row));

  it.each<[Parameters<typeof isAutoReply>[0], boolean]>([
    [{ autoSubmitted: 'auto-replied' }, true],
    [{ autoSubmitted: 'no' }, false],
    [{ subject: 'Out of Office: Spring news' }, true],
    [{ subject: 'Automatic reply: hello' }, true],
    [{ precedence: 'auto_reply' }, true],
    [{ xAutoreply: 'yes' }, true],
    [{ subject: 'Please unsubscribe me' }, false],
    [{}, false],
  ])('auto reply %j → %s', (h, expected) => expect(isAutoReply(h)).toBe(expected));
});
