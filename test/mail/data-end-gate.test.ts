// The data-end gate of the SMTP pool against a real smtp-server: the message's final <CRLF>.<CRLF> leaves only once
// the gate opens; a gate that stays shut closes the connection without it, and the server (RFC 5321 §4.1.1.4) drops the
// transaction, so the message was never taken and may be sent again.
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpPool, type SmtpPool, type SmtpSendError } from '../../service/src/mail/smtp-pool.js';

interface Sink {
  port: number;
  /** Body bytes seen per transaction in progress, and the messages whose DATA ended. */
  bodyBytes: number;
  ended: string[];
  closed: number;
  close(): Promise<void>;
}

async function sink(): Promise<Sink> {
  const state = { bodyBytes: 0, ended: [] as string[], closed: 0 };
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    closeTimeout: 200,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        state.bodyBytes += c.length;
      });
      stream.on('end', () => {
        state.ended.push(Buffer.concat(chunks).toString());
        cb();
      });
    },
    onClose() {
      state.closed++;
    },
  });
  smtp.on('error', () => {});
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as { port: number }).port;
  return Object.assign(state, { port, close: () => new Promise<void>((r) => smtp.close(() => r())) });
}

const until = async (cond: () => boolean, what: string) => {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const message = (n: number) => Buffer.from(`Subject: m${n}\r\nFrom: a@example.test\r\nTo: b@example.test\r\n\r\nbody ${n}\r\n.leading dot\r\n`);
const envelope = { from: 'a@example.test', to: ['b@example.test'] };

let pool: SmtpPool | undefined;
let server: Sink | undefined;
afterEach(async () => {
  pool?.close();
  await server?.close();
  pool = server = undefined;
});

describe('the data-end gate', () => {
  it('holds the final dot while the gate is shut: the server has the body but not the end until it opens', async () => {
    server = await sink();
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, maxConnections: 1, maxMessages: 10, ignoreTLS: true });
    let open!: (ok: boolean) => void;
    let asked = 0;
    const gate = () => {
      asked++;
      return new Promise<boolean>((r) => (open = r));
    };
    const sent = pool.send(envelope, message(1), gate);
    const s = server;
    await until(() => s.bodyBytes > 0 && asked === 1, 'the body to reach the server');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.ended).toEqual([]); // the body went, the dot did not
    open(true);
    const info = await sent;
    expect(info.accepted).toEqual(['b@example.test']);
    expect(s.ended).toHaveLength(1);
    expect(s.ended[0]).toContain('body 1\r\n.leading dot'); // dot-stuffing still undone by the server: the body is whole
    // The connection goes on serving; an ungated send still ends at once.
    await pool.send(envelope, message(2));
    expect(s.ended).toHaveLength(2);
  });

  it('never sends the dot through a gate that stays shut: the connection closes and the server drops the message', async () => {
    server = await sink();
    pool = createSmtpPool({ host: '127.0.0.1', port: server.port, maxConnections: 1, maxMessages: 10, ignoreTLS: true });
    const s = server;
    for (const gate of [async () => false, async () => Promise.reject(new Error('the ledger is away'))]) {
      const closedBefore = s.closed;
      const err = (await pool.send(envelope, message(3), gate).catch((e: unknown) => e)) as SmtpSendError;
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ dataEndRefused: true, bodyStarted: true });
      await until(() => s.closed === closedBefore + 1, 'the connection to close');
      expect(s.ended).toEqual([]);
    }
    // A fresh connection takes the next message.
    await pool.send(envelope, message(4), async () => true);
    expect(s.ended).toHaveLength(1);
  });
});
