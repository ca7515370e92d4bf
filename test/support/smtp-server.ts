// A real smtp-server on a loopback port of its own, for tests that script what the relay answers: plain (no TLS, no
// AUTH), quiet, and indifferent to the connections a killed client leaves reset.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ScriptedSmtp {
  port: number;
  close(): Promise<void>;
}

export async function listenSmtp(handlers: Pick<SMTPServerOptions, 'onMailFrom' | 'onRcptTo' | 'onData' | 'onClose'>): Promise<ScriptedSmtp> {
  const server = new SMTPServer({ disabledCommands: ['AUTH', 'STARTTLS'], authOptional: true, logger: false, closeTimeout: 500, ...handlers });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as { port: number }).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
