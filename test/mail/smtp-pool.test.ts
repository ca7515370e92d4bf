// The SMTP connection pool under the send threads, against a real smtp-server on port 0 that
// counts sessions, can require AUTH and can drop idle connections the way real relays do.
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpPool, type SmtpPool, type SmtpSendError } from '../../service/src/mail/smtp-pool.js';

interface Server {
  port: number;
  sessions: number;
  maxConcurrent: number;
  perSession: Map<string, number>;
  received: string[];
  sockets: Set<Socket>;
  close(): Promise<void>;
}

async function server(opts: { auth?: boolean; slowData?: boolean } = {}): Promise<Server> {
  let transactions = 0; // mail transactions between MAIL FROM and the end of DATA
  const state = { sessions: 0, maxConcurrent: 0, perSession: new Map<string, number>(), received: [] as string[], sockets: new Set<Socket>() };
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    closeTimeout: 200,
    onConnect(_s, cb) {
      state.sessions++;
      cb();
    },
    onMailFrom(_a, _s, cb) {
      state.maxConcurrent = Math.max(state.maxConcurrent, ++transactions);
      cb();
    },
    onAuth(auth, _s, cb) {
      if (auth.username === 'lf' && auth.password === 'secret') return cb(null, { user: 'lf' });
      cb(Object.assign(new Error('535 5.7.8 bad credentials'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        transactions--;
        state.received.push(Buffer.concat(chunks).toString());
        state.perSession.set(session.id, (state.perSession.get(session.id) ?? 0) + 1);
        cb();
      });
    },
  });
  smtp.on('error', () => {});
  smtp.server.on('connection', (s: Socket) => {
    state.sockets.add(s);
    s.on('close', () => state.sockets.delete(s));
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as { port: number }).port;
  return Object.assign(state, {
    port,
    get sessions() {
      return state.sessions;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  });
}

const pools: SmtpPool[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  for (const s of servers.splice(0)) await s.close();
});

function poolFor(s: Server, over: Partial<Parameters<typeof createSmtpPool>[0]> = {}) {
  const p = createSmtpPool({ host: '127.0.0.1', port: s.port, secure: false, ignoreTLS: true, maxConnections: 2, maxMessages: 100, ...over });
  pools.push(p);
  return p;
}
const msg = (i: number) => Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n.leading dot\r\n`);
const env = (i: number) => ({ from: 'b@bounces.example', to: [`r${i}@example.org`] });

describe('SMTP connection pool', () => {
  it('sends over at most maxConnections sessions, dot-stuffed, and opens new ones after maxMessages', async () => {
    const s = await server();
    servers.push(s);
    const pool = poolFor(s, { maxConnections: 2, maxMessages: 5 });
    const infos = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.send(env(i), msg(i))));
    expect(infos.every((i) => /^250/.test(i.response))).toBe(true);
    expect(s.received).toHaveLength(20);
    expect(s.received.find((r) => r.includes('body 3'))).toContain('\r\n.leading dot\r\n'); // unstuffed by the server
    expect(s.maxConcurrent).toBeLessThanOrEqual(2);
    expect(Math.max(...s.perSession.values())).toBe(5);
    expect(s.sessions).toBeGreaterThanOrEqual(4); // 20 messages, at most 5 per connection
  });

  it('logs in when the relay requires it, and reports bad credentials as an auth error', async () => {
    const s = await server({ auth: true });
    servers.push(s);
    await poolFor(s, { auth: { user: 'lf', pass: 'secret' } }).send(env(1), msg(1));
    expect(s.received).toHaveLength(1);
    const err = (await poolFor(s, { auth: { user: 'lf', pass: 'wrong' } })
      .send(env(2), msg(2))
      .catch((e) => e)) as SmtpSendError;
    expect(err.code).toBe('EAUTH');
    expect(err.bodyStarted).toBeUndefined();
    await expect(poolFor(s, { auth: { user: 'lf', pass: 'wrong' } }).verify()).rejects.toMatchObject({ code: 'EAUTH' });
  });

  it('replaces a pooled connection the server dropped while idle, without failing the message', async () => {
    const s = await server();
    servers.push(s);
    const pool = poolFor(s, { maxConnections: 1 });
    await pool.send(env(1), msg(1));
    for (const socket of s.sockets) socket.destroy(); // the relay's idle timeout, abruptly
    await pool.send(env(2), msg(2)); // before the client has noticed: it writes into a dead socket
    expect(s.received).toHaveLength(2);
    expect(s.sessions).toBe(2);
  });

  it('reports a refused connection before any byte of the message left', async () => {
    const s = await server();
    await s.close();
    const err = (await poolFor(s)
      .send(env(1), msg(1))
      .catch((e) => e)) as SmtpSendError;
    expect(err.code).toBe('ESOCKET');
    expect(err.bodyStarted).toBeUndefined();
  });

  it('refuses new sends once closed', async () => {
    const s = await server();
    servers.push(s);
    const pool = poolFor(s, { maxConnections: 1 });
    const first = pool.send(env(1), msg(1));
    const queued = pool.send(env(2), msg(2)).catch((e: Error) => e); // waits for the only connection
    pool.close();
    await first.catch(() => undefined);
    expect(await queued).toMatchObject({ message: 'SMTP pool is closed' });
    await expect(pool.send(env(3), msg(3))).rejects.toThrow(/closed/);
  });
});
