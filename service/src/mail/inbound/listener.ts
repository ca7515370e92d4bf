// The inbound SMTP listener for bounces, complaints and mailto unsubscribes. It accepts only our
// signed addresses (anything else is refused at RCPT), caps the message size, and never bounces a
// bounce: a report it cannot use is accepted and dropped. A store outage answers 451 so the sending
// MTA retries later instead of the fact being lost.
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
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
  secret: string;
  bounceDomain: string;
  /** Messages above this are refused with 552 (default 10 MB). */
  maxBytes?: number;
  maxRecipients?: number;
  handle(route: InboundRoute, report: InboundReport): unknown;
  logger?: InboundLogger;
}

export interface InboundListener {
  port: number;
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

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
