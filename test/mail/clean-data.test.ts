// The data stream's fast path must put the same bytes on the wire as nodemailer's own: both connections send the
// same messages (clean ones, and ones with leading dots, bare CR and LF, split line ends) to a real smtp-server,
// which un-stuffs dots, so a dot left unstuffed or a bare LF passed on shows up as a different message.
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanDataConnection, cleanDataApplies, needsNoStuffing } from '../../service/src/mail/clean-data.js';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));

describe('needsNoStuffing', () => {
  it('passes a message with CRLF line ends and no leading dots', () => {
    expect(needsNoStuffing(crlf('Subject: hi\n\nline one\nline. two\n..not first\n'.replace('\n..', '\nx.')), false)).toBe(true);
    expect(needsNoStuffing(Buffer.alloc(0), false)).toBe(true);
  });
  it('leaves to nodemailer every chunk it would change', () => {
    expect(needsNoStuffing(crlf('a\n.b\n'), false)).toBe(false); // a line starting with a dot
    expect(needsNoStuffing(crlf('.a\n'), false)).toBe(false); // the first line
    expect(needsNoStuffing(crlf('.a\n'), 0x0a)).toBe(false); // a line that began in the chunk before
    expect(needsNoStuffing(crlf('.a\n'), 0x41)).toBe(true); // mid-line: no line starts here
    expect(needsNoStuffing(Buffer.from('a\nb\r\n'), false)).toBe(false); // bare LF
    expect(needsNoStuffing(Buffer.from('a\rb\r\n'), false)).toBe(false); // bare CR
    expect(needsNoStuffing(Buffer.from('a\r\r\n'), false)).toBe(false);
    expect(needsNoStuffing(Buffer.from('a\r\n\r'), false)).toBe(false); // ends inside a line end
    expect(needsNoStuffing(Buffer.from('\nb'), 0x0d)).toBe(false); // begins inside one
  });
});

describe.runIf(cleanDataApplies)('CleanDataConnection against nodemailer’s own connection', () => {
  const received: string[] = [];
  let server: SMTPServer;
  let port: number;
  beforeAll(async () => {
    server = new SMTPServer({
      logger: false,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      onData(stream, _s, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('latin1'));
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function sendAll(Kind: typeof SMTPConnection, messages: Buffer[][]): Promise<string[]> {
    received.length = 0;
    const conn = new Kind({ host: '127.0.0.1', port, logger: false });
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    for (const chunks of messages) {
      await new Promise((resolve, reject) =>
        conn.send({ from: 'a@example.com', to: ['b@example.org'] }, Readable.from(chunks), (err, info) => (err ? reject(err) : resolve(info))),
      );
    }
    conn.quit();
    return [...received];
  }

  const pieces = ['Header: value\r\n', 'text', '\r\n', '.', '..', '\n', '\r', ' ', 'x.y', '\r\n.\r\n', '=2E'];
  const randomMessage = (): Buffer[] => {
    const body = Array.from({ length: randomInt(1, 60) }, () => pieces[randomInt(pieces.length)]).join('');
    const bytes = Buffer.from(`Subject: t\r\n\r\n${body}`, 'latin1');
    const cuts = [0, ...Array.from({ length: randomInt(0, 4) }, () => randomInt(bytes.length)), bytes.length].sort((a, b) => a - b);
    return cuts
      .slice(1)
      .map((end, i) => bytes.subarray(cuts[i], end))
      .filter((c) => c.length);
  };

  it('delivers the same bytes for clean, dirty and split messages', async () => {
    const clean = [crlf('Subject: clean\n\nHello\nWorld.\n'), crlf(`Subject: big\n\n${'line of text.\n'.repeat(2000)}`)].map((b) => [b]);
    const messages = [...clean, ...Array.from({ length: 200 }, randomMessage)];
    const ours = await sendAll(CleanDataConnection as unknown as typeof SMTPConnection, messages);
    const theirs = await sendAll(SMTPConnection, messages);
    expect(ours).toHaveLength(messages.length);
    expect(ours).toEqual(theirs);
    // A clean message arrives byte for byte (the server strips only the final dot's CRLF).
    expect(ours[1]).toBe(clean[1][0].toString('latin1'));
  });
});
