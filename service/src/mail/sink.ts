// A local SMTP server that keeps what it receives: the demo writes each message as an .eml
// file, tests read them from memory. Behaviours let a test script 4xx/5xx replies per
// recipient or a connection lost after the whole message was sent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type SinkBehaviour = 'accept' | 'drop-after-data' | { code: number; message: string; at?: 'rcpt' | 'data' };

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  close(): Promise<void>;
}

export interface SinkOptions {
  port?: number;
  host?: string;
  dir?: string;
  behaviour?: (rcpt: string) => SinkBehaviour;
}

/** `2026-12-03T10-01-02_alice@example.org_7.eml`: sorts by time, says who it went to, never collides. */
export function mailFileName(at: Date, recipient: string, n: number): string {
  const safe = recipient.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 120) || 'unknown';
  return `${at.toISOString().slice(0, 19).replace(/:/g, '-')}_${safe}_${n}.eml`;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const behaviour = opts.behaviour ?? (() => 'accept' as const);
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  let written = 0;

  const server: SMTPServer = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    size: 25 * 1024 * 1024,
    closeTimeout: 500, // idle pooled clients would otherwise hold close() for 30 s
    onRcptTo(address, _session, callback) {
      const b = behaviour(address.address);
      if (typeof b === 'object' && (b.at ?? 'rcpt') === 'rcpt') return callback(smtpError(b.code, b.message));
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const verdicts = to.map((r) => behaviour(r));
        if (verdicts.includes('drop-after-data')) {
          // Connection lost after the final dot: the client cannot know whether we queued it.
          const conn = [...(server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections].find(
            (c) => c.id === session.id,
          );
          conn?._socket.destroy();
          return;
        }
        const reject = verdicts.find((v): v is { code: number; message: string; at?: 'rcpt' | 'data' } => typeof v === 'object' && v.at === 'data');
        if (reject) return callback(smtpError(reject.code, reject.message));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const raw = Buffer.concat(chunks);
        messages.push({ envelope: { from, to }, raw });
        if (opts.dir) writeFileSync(join(opts.dir, mailFileName(new Date(), to[0] ?? '', ++written)), raw);
        callback();
      });
    },
  });
  server.on('error', () => {}); // client resets are routine here; nothing to report

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
