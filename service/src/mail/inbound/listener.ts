// The inbound SMTP listener for bounces, complaints and mailto unsubscribes. It accepts only our
// signed addresses (anything else is refused at RCPT), caps the message size, and never bounces a
// bounce: a report it cannot use is accepted and dropped. A store outage answers 451 so the sending
// MTA retries later instead of the fact being lost.
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { VerifyKeys } from '../../domain/tokens.js';
import { routeFor, type InboundRoute } from './addresses.js';
import { parseInboundReport, type InboundReport } from './report-parser.js';

export interface InboundLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface InboundListenerOptions {
  port: number;
  host: string;
  /** Current secret first, then the one before a rotation. */
  secret: VerifyKeys;
  bounceDomain: string;
  /** Messages above this are refused with 552 (default 10 MB). */
  maxBytes?: number;
  maxRecipients?: number;
  /** When the port is taken, try again this often instead of failing (default 30 s). */
  retryBindMs?: number;
  handle(route: InboundRoute, report: InboundReport): unknown;
  logger?: InboundLogger;
}

export interface InboundListener {
  /** The bound port; 0 while the port is still taken. */
  readonly port: number;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startInboundListener(o: InboundListenerOptions): Promise<InboundListener> {
  const maxBytes = o.maxBytes ?? 10 * 1024 * 1024;
  const maxRecipients = o.maxRecipients ?? 20;
  const server: SMTPServer = new SMTPServer({
    name: o.bounceDomain,
    banner: 'LeadFWD bounce and feedback intake',
    // No AUTH (strangers deliver here) and no STARTTLS until a certificate is configured.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: maxBytes,
    logger: false,
    maxClients: 200,
    socketTimeout: 60_000,
    closeTimeout: 1_000,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= maxRecipients) return callback(smtpError(452, '4.5.3 Too many recipients'));
      if (!routeFor(address.address, o.secret, o.bounceDomain)) return callback(smtpError(550, '5.1.1 No such mailbox here'));
      callback();
    },
    onData(stream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBytes) chunks.push(c); // past the cap, drain without keeping
      });
      stream.on('error', () => undefined);
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes) {
          o.logger?.warn({ event: 'inbound.too_large', size }, 'inbound.too_large');
          return callback(smtpError(552, `5.3.4 Message exceeds the ${maxBytes}-byte limit`));
        }
        const routes = session.envelope.rcptTo
          .map((r) => routeFor(r.address, o.secret, o.bounceDomain))
          .filter((r): r is InboundRoute => r !== null);
        void process(Buffer.concat(chunks), routes).then(() => callback(), (err: unknown) => {
          o.logger?.error({ err, event: 'inbound.failed' }, 'inbound.failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        });
      });
    },
  });
  server.on('error', (err) => o.logger?.warn({ err: (err as Error).message }, 'inbound.connection_error'));

  async function process(raw: Buffer, routes: InboundRoute[]) {
    const report = await parseInboundReport(raw);
    for (const route of routes) {
      const outcome = o.handle(route, report);
      o.logger?.info({ event: 'inbound.processed', route: route.type, outcome }, 'inbound.processed');
    }
  }

  // A taken port (an old process still stopping, a neighbour) must not take tracking and unsubscribe
  // down with it: log loudly and keep trying, so bounces flow as soon as the port is free.
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const listen = () => new Promise<void>((resolve, reject) => {
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
      o.logger?.error({ event: 'inbound.port_in_use', host: o.host, port: o.port }, 'inbound.port_in_use: bounces, complaints and mailto unsubscribes wait until the port is free');
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
    close: () => {
      closed = true;
      if (retry) clearTimeout(retry);
      return server.server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    },
  };
}
