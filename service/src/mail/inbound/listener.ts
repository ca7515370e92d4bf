// The inbound SMTP listener for bounces, complaints and mailto unsubscribes. It accepts only our
// signed addresses (anything else is refused at RCPT), caps the message size, and never bounces a
// bounce: a report it cannot use is accepted and dropped. A store outage answers 451 so the sending
// MTA retries later instead of the fact being lost.
//
// Strangers reach it without credentials and it shares the process with the open pixel and sending, so
// everything it holds is bounded (issue 12): connections in all and per IP, idle and DATA time, the size
// of one message (552 5.3.4, of which only a head is kept, to log what it was), and the bytes buffered
// across all connections (past the cap a message gets 452 4.3.1 and the sender retries later).
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { VerifyKeys } from '../../domain/tokens.js';
import type { Log } from '../../ports/log.js';
import { type InboundRoute, routeFor } from './addresses.js';
import { type InboundReport, parseInboundReport } from './report-parser.js';

export type InboundLogger = Pick<Log, 'info' | 'warn' | 'error'>;

export interface InboundListenerOptions {
  port: number;
  host: string;
  /** Current secret first, then the one before a rotation. */
  secret: VerifyKeys;
  bounceDomain: string;
  /** Messages above this are refused with 552 5.3.4 at the end of DATA, or at MAIL FROM when SIZE= says so (default 1 MB). */
  maxBytes?: number;
  /** Message bytes held across all connections at once; a message that would pass it gets 452 (default 16 MB). */
  maxBufferedBytes?: number;
  /** Connections at once, in all (default 50) and from one IP address (default 5); more get 421. */
  maxClients?: number;
  maxClientsPerIp?: number;
  /** A connection silent this long is closed with 421 (default 30 s). */
  idleTimeoutMs?: number;
  /** A DATA phase longer than this (a slow drip) is closed with 421 (default 60 s). */
  dataTimeoutMs?: number;
  maxRecipients?: number;
  /** When the port is taken, try again this often instead of failing (default 30 s). */
  retryBindMs?: number;
  handle(route: InboundRoute, report: InboundReport): unknown;
  logger?: InboundLogger;
}

export interface InboundListener {
  /** The bound port; 0 while the port is still taken. */
  readonly port: number;
  /** What the listener holds right now: message bytes buffered and connections open. */
  stats(): { bufferedBytes: number; connections: number };
  close(): Promise<void>;
}

/** Bytes kept of a message refused for its size: enough for the log line to say what it was. */
export const HEAD_BYTES = 16 * 1024;

/** dsn, arf or other, from the top-level header of a message's first bytes. */
export function classifyHead(head: Buffer): 'dsn' | 'arf' | 'other' {
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const header = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
  const ct = /^content-type:(.*)$/im.exec(header)?.[1] ?? '';
  if (/report-type\s*=\s*"?feedback-report/i.test(ct)) return 'arf';
  if (/report-type\s*=\s*"?(?:delivery-status|global-delivery-status)/i.test(ct)) return 'dsn';
  return 'other';
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

type Connection = { session: SMTPServerSession; send(code: number, text: string, context?: string | false): void; close(): void };

export async function startInboundListener(o: InboundListenerOptions): Promise<InboundListener> {
  const maxBytes = o.maxBytes ?? 1024 * 1024;
  const maxBuffered = o.maxBufferedBytes ?? 16 * 1024 * 1024;
  const maxClients = o.maxClients ?? 50;
  const maxPerIp = o.maxClientsPerIp ?? 5;
  const dataTimeoutMs = o.dataTimeoutMs ?? 60_000;
  const maxRecipients = o.maxRecipients ?? 20;
  let buffered = 0;
  // A flood must not become a flood of log lines: each kind of refusal is logged at most once a minute, with how
  // many went unlogged since.
  const quiet = new Map<string, { at: number; skipped: number }>();
  const refusedLog = (reason: string, fields: object) => {
    const now = Date.now();
    const q = quiet.get(reason);
    if (q && now - q.at < 60_000) {
      q.skipped++;
      return;
    }
    quiet.set(reason, { at: now, skipped: 0 });
    const extra = { reason, ...fields, ...(q?.skipped ? { notLogged: q.skipped } : {}) };
    if (reason === 'too_large') o.logger?.warn({ event: 'inbound.too_large', ...extra }, 'inbound.too_large');
    else o.logger?.warn({ event: 'inbound.refused', ...extra }, 'inbound.refused');
  };
  const perIp = new Map<string, number>();
  const counted = new Map<string, string>(); // session id -> IP, for the sessions counted in perIp
  const server: SMTPServer = new SMTPServer({
    name: o.bounceDomain,
    banner: 'LeadFWD bounce and feedback intake',
    // No AUTH (strangers deliver here) and no STARTTLS until a certificate is configured.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: maxBytes, // advertised in EHLO; a MAIL FROM announcing more gets 552 at once
    logger: false,
    maxClients,
    socketTimeout: o.idleTimeoutMs ?? 30_000,
    closeTimeout: 1_000,
    onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const ip = session.remoteAddress || 'unknown';
      const n = perIp.get(ip) ?? 0;
      if (n >= maxPerIp) {
        refusedLog('per_ip', { limit: maxPerIp });
        return callback(smtpError(421, `4.7.0 Too many connections from your address (at most ${maxPerIp}), try again later`));
      }
      perIp.set(ip, n + 1);
      counted.set(session.id, ip);
      callback();
    },
    onClose(session: SMTPServerSession) {
      const ip = counted.get(session.id);
      if (ip === undefined) return;
      counted.delete(session.id);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n > 0) perIp.set(ip, n);
      else perIp.delete(ip);
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= maxRecipients) return callback(smtpError(452, '4.5.3 Too many recipients'));
      if (!routeFor(address.address, o.secret, o.bounceDomain)) return callback(smtpError(550, '5.1.1 No such mailbox here'));
      callback();
    },
    onData(stream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      let chunks: Buffer[] = [];
      let kept = 0; // bytes of this message counted in `buffered`
      let size = 0;
      let refused: 'too_large' | 'no_room' | undefined;
      const release = () => {
        buffered -= kept;
        kept = 0;
      };
      // Past a limit only the head is kept (to log what the message was), the rest is drained unread.
      const dropToHead = (why: 'too_large' | 'no_room') => {
        refused ??= why;
        const head = Buffer.concat(chunks).subarray(0, HEAD_BYTES);
        release();
        chunks = [Buffer.from(head)];
        kept = head.length;
        buffered += kept;
      };
      // A slow drip resets the idle timer with every byte; DATA as a whole gets a deadline.
      const deadline = setTimeout(() => {
        const conn = [...(server as unknown as { connections: Set<Connection> }).connections].find((c) => c.session === session);
        refusedLog('data_timeout', { size });
        release();
        chunks = [];
        conn?.send(421, '4.4.2 DATA took too long, closing connection');
        conn?.close();
      }, dataTimeoutMs);
      deadline.unref();
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (refused) {
          if (kept < HEAD_BYTES) {
            const part = c.subarray(0, HEAD_BYTES - kept);
            chunks.push(Buffer.from(part));
            kept += part.length;
            buffered += part.length;
          }
          return;
        }
        if (size > maxBytes) return dropToHead('too_large');
        if (buffered + c.length > maxBuffered) return dropToHead('no_room');
        chunks.push(c);
        kept += c.length;
        buffered += c.length;
      });
      stream.on('error', () => undefined);
      stream.on('close', () => {
        clearTimeout(deadline);
        if (!stream.readableEnded) {
          release();
          chunks = [];
        }
      });
      stream.on('end', () => {
        clearTimeout(deadline);
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes || refused) {
          const kind = classifyHead(Buffer.concat(chunks));
          release();
          chunks = [];
          if (size <= maxBytes) {
            // a message of an acceptable size that found no room: the sender retries
            refusedLog('buffer_full', { size, kind, limit: maxBuffered });
            return callback(smtpError(452, '4.3.1 Insufficient system storage, try again later'));
          }
          refusedLog('too_large', { size, kind, limit: maxBytes });
          return callback(smtpError(552, `5.3.4 Message exceeds the ${maxBytes}-byte limit`));
        }
        const routes = session.envelope.rcptTo.map((r) => routeFor(r.address, o.secret, o.bounceDomain)).filter((r): r is InboundRoute => r !== null);
        const raw = Buffer.concat(chunks);
        chunks = [];
        void process(raw, routes).then(
          () => {
            release();
            callback();
          },
          (err: unknown) => {
            release();
            o.logger?.error({ err, event: 'inbound.failed' }, 'inbound.failed');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => o.logger?.warn({ err: (err as Error).message }, 'inbound.connection_error'));

  async function process(raw: Buffer, routes: InboundRoute[]) {
    const report = await parseInboundReport(raw);
    for (const route of routes) {
      const outcome = await o.handle(route, report);
      o.logger?.info({ event: 'inbound.processed', route: route.type, outcome }, 'inbound.processed');
    }
  }

  // A taken port (an old process still stopping, a neighbour) must not take tracking and unsubscribe
  // down with it: log loudly and keep trying, so bounces flow as soon as the port is free.
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.server.once('error', onError);
      server.listen(o.port, o.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
  const bind = async (): Promise<void> => {
    try {
      await listen();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || closed) throw err;
      o.logger?.error(
        { event: 'inbound.port_in_use', host: o.host, port: o.port, effect: 'bounces, complaints and mailto unsubscribes wait until the port is free' },
        'inbound.port_in_use',
      );
      retry = setTimeout(() => void bind().catch((e: unknown) => o.logger?.error({ err: e }, 'inbound.listen_failed')), o.retryBindMs ?? 30_000);
      retry.unref();
    }
  };
  await bind();
  return {
    get port() {
      const address = server.server.listening ? server.server.address() : null;
      return typeof address === 'object' && address ? address.port : 0;
    },
    stats: () => ({ bufferedBytes: buffered, connections: (server as unknown as { connections: Set<unknown> }).connections.size }),
    close: () => {
      closed = true;
      if (retry) clearTimeout(retry);
      return server.server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    },
  };
}
