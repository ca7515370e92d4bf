// A real SMTP server that holds each message a while before its 250 and counts the transactions it has open at once,
// per recipient domain: what a mailbox provider sees of a sender's concurrency (tests of the shared provider slots).
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

/** A real SMTP server holding each message `holdMs` before its 250; the most transactions it had open at once, per recipient domain. */
export async function startCountingSmtp(holdMs: number) {
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  /** Messages taken, per lower-cased recipient. */
  const received = new Map<string, number>();
  /** Lower-cased recipients in the order their messages were answered 250. */
  const order: string[] = [];
  const domainOf = (session: { envelope: { rcptTo: Array<{ address: string }> } }) => session.envelope.rcptTo[0]?.address.split('@')[1] ?? '';
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    closeTimeout: 500, // idle pooled clients would otherwise hold close() for 30 s
    onData(stream, session, callback) {
      const domain = domainOf(session);
      const now = (open.get(domain) ?? 0) + 1;
      open.set(domain, now);
      most.set(domain, Math.max(most.get(domain) ?? 0, now));
      stream.on('data', () => {});
      stream.on('end', () =>
        setTimeout(() => {
          open.set(domain, (open.get(domain) ?? 1) - 1);
          for (const r of session.envelope.rcptTo) {
            received.set(r.address.toLowerCase(), (received.get(r.address.toLowerCase()) ?? 0) + 1);
            order.push(r.address.toLowerCase());
          }
          callback();
        }, holdMs),
      );
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as { port: number }).port,
    most: (domain: string) => most.get(domain) ?? 0,
    received,
    order,
    reset: () => {
      most.clear();
      order.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One for the file's tests: started before them, closed after them (read `.server` inside a test). */
export function useCountingSmtp(holdMs: number): { server: Awaited<ReturnType<typeof startCountingSmtp>> } {
  const held = {} as { server: Awaited<ReturnType<typeof startCountingSmtp>> };
  beforeAll(async () => {
    held.server = await startCountingSmtp(holdMs);
  });
  afterAll(async () => await held.server?.close());
  return held;
}
