// A pool of nodemailer SMTPConnections for messages that are complete MIME already. nodemailer's
// pooled transport first runs every raw message through its composer (a MIME node, random
// Message-ID and boundaries, several stream stages, an AbortSignal), which costs more CPU than
// the SMTP conversation itself; here the bytes go straight to SMTPConnection.send, the same
// protocol code. Connections open lazily, carry at most maxMessages messages each, and a stale
// pooled connection that fails before any byte of the message left is retried once on a new one.
// With a data-end gate, the body's end (nodemailer then writes the final <CRLF>.<CRLF>) waits for the gate: a
// server that never saw the dot drops the transaction (RFC 5321 §4.1.1.4), so until the gate opens the message can
// be sent again safely.
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { CleanDataConnection, cleanDataApplies } from './clean-data.js';

const Connection = cleanDataApplies ? CleanDataConnection : SMTPConnection;

export interface SmtpPoolOptions extends SMTPConnection.Options {
  auth?: { user: string; pass: string };
  maxConnections: number;
  maxMessages: number;
}

export interface SmtpSendError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  /** True once the message body was handed to the connection: the server may have it. */
  bodyStarted?: boolean;
  /** The data-end gate stayed shut: the final dot never went and the connection was closed, so the server dropped it. */
  dataEndRefused?: boolean;
}

/** Asked once the server is ready for the body (354); the final dot goes only when it resolves true. */
export type DataEndGate = () => Promise<boolean>;

export interface SmtpPool {
  send(envelope: { from: string; to: string[] }, raw: Buffer, dataEnd?: DataEndGate): Promise<SMTPConnection.SentMessageInfo>;
  /** Opens one connection (and logs in) outside the pool, then quits. */
  verify(): Promise<void>;
  close(): void;
}

/** One buffer as a stream; `started` tells whether the connection began reading the body. */
class MessageBody extends Readable {
  started = false;
  refused = false;
  constructor(
    private buf: Buffer | null,
    private readonly dataEnd?: DataEndGate,
  ) {
    super();
  }
  _read(): void {
    const b = this.buf;
    if (!b) return;
    this.started = true;
    this.buf = null;
    this.push(b);
    if (!this.dataEnd) return void this.push(null);
    // Asked as the body starts, so the mark's commit overlaps the body's bytes on the wire.
    this.dataEnd().then(
      (ok) => (ok ? this.push(null) : this.refuse()),
      () => this.refuse(),
    );
  }
  private refuse() {
    this.refused = true;
    this.destroy(Object.assign(new Error('the end of DATA could not be recorded; the final dot was not sent'), { code: 'EDATAEND' }));
  }
}

interface Conn {
  smtp: SMTPConnection;
  sent: number;
  dead: boolean;
  dropped: boolean;
}
interface Waiter {
  resolve(c: Conn): void;
  reject(e: Error): void;
}

const STALE = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);

export function createSmtpPool(opts: SmtpPoolOptions): SmtpPool {
  const { maxConnections, maxMessages, auth, ...connectionOptions } = opts;
  const smtpOptions: SMTPConnection.Options = { ...connectionOptions, logger: false };
  const idle: Conn[] = [];
  const waiters: Waiter[] = [];
  let open = 0; // connections open or opening
  let closed = false;

  function forgetIdle(conn: Conn) {
    const at = idle.indexOf(conn);
    if (at >= 0) {
      idle.splice(at, 1);
      drop(conn);
    }
  }

  /** The connection is gone for good; its slot may serve a waiting send. */
  function drop(conn: Conn) {
    if (conn.dropped) return;
    conn.dropped = conn.dead = true;
    open--;
    const next = waiters.shift();
    if (next) openFor(next);
  }

  function connect(): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const smtp = new Connection(smtpOptions);
      const conn: Conn = { smtp, sent: 0, dead: false, dropped: false };
      let settled = false;
      const fail = (err: Error) => {
        conn.dead = true;
        if (settled) return forgetIdle(conn);
        settled = true;
        smtp.close();
        reject(err);
      };
      smtp.on('error', fail);
      smtp.once('end', () => fail(Object.assign(new Error('connection closed'), { code: 'ECONNECTION', command: 'CONN' })));
      smtp.connect((err) => {
        if (settled) return;
        if (err) return fail(err);
        const ready = () => {
          settled = true;
          resolve(conn);
        };
        if (!auth) return ready();
        smtp.login({ credentials: auth }, (e) => (e ? fail(e) : ready()));
      });
    });
  }

  function openFor(w: Waiter) {
    if (closed) return w.reject(new Error('SMTP pool is closed'));
    open++;
    connect().then(w.resolve, (err: Error) => {
      open--;
      w.reject(err);
      const next = waiters.shift();
      if (next) openFor(next);
    });
  }

  function acquire(): Promise<Conn> {
    while (idle.length) {
      const c = idle.pop()!;
      if (!c.dead) return Promise.resolve(c);
      drop(c);
    }
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      if (open < maxConnections) openFor(w);
      else waiters.push(w);
    });
  }

  function release(conn: Conn) {
    if (conn.dead || closed || conn.sent >= maxMessages) {
      if (!conn.dead) conn.smtp.quit();
      return drop(conn);
    }
    const next = waiters.shift();
    if (next) next.resolve(conn);
    else idle.push(conn);
  }

  function sendOn(conn: Conn, envelope: { from: string; to: string[] }, raw: Buffer, dataEnd?: DataEndGate): Promise<SMTPConnection.SentMessageInfo> {
    return new Promise((resolve, reject) => {
      const body = new MessageBody(raw, dataEnd);
      conn.smtp.send({ from: envelope.from, to: [...envelope.to] }, body, (err, info) => {
        conn.sent++;
        if (!err) {
          // Not from inside the reply handler: the next MAIL FROM must wait for this turn to end.
          setImmediate(() => release(conn));
          return resolve(info);
        }
        const e = err as SmtpSendError;
        e.bodyStarted = body.started;
        if (body.refused) e.dataEndRefused = true;
        const refusedOnly = (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421;
        if (refusedOnly && !conn.dead) {
          // The server refused this message; the session is fine once reset.
          conn.smtp.reset((resetErr) => {
            if (resetErr) conn.dead = true;
            setImmediate(() => release(conn));
          });
        } else {
          conn.dead = true;
          conn.smtp.close();
          drop(conn);
        }
        reject(e);
      });
    });
  }

  return {
    async send(envelope, raw, dataEnd) {
      const first = await acquire();
      const reused = first.sent > 0;
      try {
        return await sendOn(first, envelope, raw, dataEnd);
      } catch (err) {
        const e = err as SmtpSendError;
        // A pooled connection the server had quietly dropped: nothing left, so one fresh try.
        const stale = reused && !e.bodyStarted && STALE.has(e.code ?? '') && (!e.responseCode || e.responseCode === 421);
        if (!stale || closed) throw e;
        return sendOn(await acquire(), envelope, raw, dataEnd);
      }
    },
    async verify() {
      const conn = await connect();
      conn.smtp.quit();
    },
    close() {
      closed = true;
      for (const w of waiters.splice(0)) w.reject(new Error('SMTP pool is closed'));
      for (const conn of idle.splice(0)) {
        conn.smtp.quit();
        drop(conn);
      }
    },
  };
}
