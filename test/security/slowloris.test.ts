// Attack review: the HTTP server had Node's defaults (60 s for the headers, 300 s per request, no cap), so a few
// thousand clients trickling headers a byte at a time held as many descriptors, and the tracking process's spool
// then failed with EMFILE. Now slow headers are closed after LEADFWD_HTTP_HEADERS_TIMEOUT_MS, connections are capped
// (LEADFWD_HTTP_MAX_CONNECTIONS, idle ones giving way), and optionally per address. Real sockets, real service.
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { PIXEL_GIF } from '../../service/src/http/routes/tracking.js';
import { createLimitedServer, NODE_DEFAULT_LIMITS } from '../../service/src/http/server-limits.js';
import { type Stack, useStack, waitFor } from '../support/stack.js';

const CAP = 40;
const HEADERS_TIMEOUT_MS = 2_000;

/** A raw client: what it was sent back, and whether the server closed it. */
class Client {
  got = '';
  connected = false;
  closed = false;
  private readonly sock: Socket;
  private trickle?: NodeJS.Timeout;
  private constructor(port: number, host: string, first: string, dripping: boolean) {
    this.sock = connect({ port, host }, () => {
      this.connected = true;
      this.sock.write(first);
      // A byte every 100 ms: never idle, never done (slowloris).
      if (dripping) this.trickle = setInterval(() => this.sock.writable && this.sock.write('a'), 100);
    });
    this.sock.setEncoding('utf8');
    this.sock.on('data', (c: string) => {
      this.got += c;
    });
    this.sock.on('error', () => undefined);
    this.sock.on('close', () => {
      this.closed = true;
      clearInterval(this.trickle);
    });
  }
  /** Sends a request line and headers that never end. */
  static slow(port: number, host = '127.0.0.1') {
    return new Client(port, host, 'GET /t/o/slow HTTP/1.1\r\nHost: leadfwd.test\r\nX-Slow: ', true);
  }
  /** Asks /healthz once and keeps the connection open (HTTP/1.1 keep-alive). */
  static keptAlive(port: number) {
    return new Client(port, '127.0.0.1', 'GET /healthz HTTP/1.1\r\nHost: leadfwd.test\r\n\r\n', false);
  }
  /** Connects and sends nothing. */
  static silent(port: number, host = '127.0.0.1') {
    return new Client(port, host, '', false);
  }
  close() {
    this.sock.destroy();
  }
}

/** One request on a connection of its own, closed after the answer (no pooled sockets left to count against the cap). */
function get(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const open = (clients: Client[]) => clients.filter((c) => !c.closed).length;
const listen = (server: Server, host: string) => new Promise<number>((r) => server.listen(0, host, () => r((server.address() as { port: number }).port)));
const closeServer = (server: Server) => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
};
const connections = (server: Server) => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
/** Until every client has connected (or was refused), so the server has seen them all. */
const settled = async (clients: Client[]) => {
  await waitFor(() => clients.every((c) => c.closed || c.connected), 'clients connected');
  // Their first bytes reach the server's parser, so it sees them as requests under way, not idle.
  await new Promise((r) => setTimeout(r, 150));
};

describe('slow and idle HTTP connections (slowloris)', () => {
  let stack: Stack;
  const clients: Client[] = [];
  useStack(
    {
      env: { LEADFWD_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), LEADFWD_HTTP_REQUEST_TIMEOUT_MS: '3000', LEADFWD_HTTP_MAX_CONNECTIONS: String(CAP) },
    },
    (s) => {
      stack = s;
    },
  );
  afterAll(() => {
    for (const c of clients) c.close();
  });
  const track = (cs: Client[]) => {
    clients.push(...cs);
    return cs;
  };

  it('closes connections trickling headers after the headers timeout, the pixel and /healthz answering meanwhile; Node defaults keep them', async () => {
    const control = createServer((_req, res) => res.end('ok')); // Node's defaults, as the service had
    const controlPort = await listen(control, '127.0.0.1');
    try {
      const port = stack.service.port;
      const slow = track(Array.from({ length: CAP / 2 }, () => Client.slow(port)));
      const slowOnControl = track(Array.from({ length: CAP / 2 }, () => Client.slow(controlPort)));
      await settled([...slow, ...slowOnControl]);
      expect(open(slow)).toBe(slow.length);

      // While they drip, fresh clients are served.
      let answered = 0;
      const giveUp = Date.now() + 20_000; // only so a broken timeout fails instead of hanging
      while (open(slow) > 0 && Date.now() < giveUp) {
        const pixel = await get(port, '/t/o/not-a-token');
        expect(pixel.status).toBe(200);
        expect(pixel.body.equals(PIXEL_GIF)).toBe(true);
        expect((await get(port, '/healthz')).status).toBe(200);
        answered++;
      }
      expect(open(slow)).toBe(0);
      expect(answered).toBeGreaterThan(0);
      for (const c of slow) expect(c.got).toMatch(/^HTTP\/1\.1 408 /);
      // The same drip against Node's defaults: every connection is still held.
      expect(open(slowOnControl)).toBe(slowOnControl.length);
      for (const c of slowOnControl) expect(c.got).toBe('');
    } finally {
      await closeServer(control);
    }
  });

  it('holds the cap: the connection past it is closed unanswered until the slow ones time out', async () => {
    const port = stack.service.port;
    const slow = track(Array.from({ length: CAP }, () => Client.slow(port)));
    await settled(slow);
    const extra = track([Client.silent(port)])[0];
    await waitFor(() => extra.closed, 'the connection past the cap closed');
    expect(extra.got).toBe('');
    await expect(get(port, '/healthz')).rejects.toThrow();
    // Slow senders are not idle: the cap does not close them, the headers timeout does.
    expect(open(slow)).toBe(CAP);
    await waitFor(() => open(slow) === 0, 'the slow connections closed');
    expect((await get(port, '/healthz')).status).toBe(200);
  });

  it('at the cap, connections kept alive between requests give way to new ones', async () => {
    const port = stack.service.port;
    const idle = track(Array.from({ length: CAP }, () => Client.keptAlive(port)));
    await waitFor(() => idle.every((c) => c.got.includes('{"ok":true}')), 'every kept-alive connection answered');
    expect(open(idle)).toBe(CAP);
    // The first new connection finds the cap full and is refused, but the idle ones are closed for the next.
    const pixel = await get(port, '/t/o/not-a-token').catch(() => get(port, '/t/o/not-a-token'));
    expect(pixel.body.equals(PIXEL_GIF)).toBe(true);
    expect(open(idle)).toBe(0);
  });
});

describe('per-address cap (LEADFWD_HTTP_MAX_CONNECTIONS_PER_IP)', () => {
  // A non-loopback address of this host: connecting to it from here shows the server that address as the peer.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  // A host with no IPv4 interface but loopback cannot show a non-loopback peer: the test is skipped there, not failed.
  it.skipIf(!external)('refuses a third connection from one address, but not from loopback (the local proxy, whose clients are many)', async () => {
    const server = createLimitedServer({ ...NODE_DEFAULT_LIMITS, maxConnectionsPerIp: 2 }, (_req, res) => res.end('ok'));
    const port = await listen(server, '0.0.0.0');
    const all: Client[] = [];
    try {
      const fromAddress = Array.from({ length: 3 }, () => Client.silent(port, external));
      const fromLoopback = Array.from({ length: 5 }, () => Client.silent(port, '127.0.0.1'));
      all.push(...fromAddress, ...fromLoopback);
      await settled(all);
      await waitFor(() => fromAddress.some((c) => c.closed), 'a connection past the per-address cap closed');
      expect(open(fromAddress)).toBe(2);
      expect(open(fromLoopback)).toBe(5);
      // One of the two leaves: the address may connect again.
      fromAddress.find((c) => !c.closed)?.close();
      await waitFor(() => connections(server).then((n) => n === 1 + fromLoopback.length), 'the server saw it leave');
      const again = Client.silent(port, external);
      all.push(again);
      await settled([again]);
      expect(again.closed).toBe(false);
    } finally {
      for (const c of all) c.close();
      await closeServer(server);
    }
  });
});
