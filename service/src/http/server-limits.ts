// The service's HTTP server with limits on slow and idle connections. Node's defaults (60 s for the headers,
// 300 s for a request, no cap) let a few thousand clients trickling headers a byte at a time hold as many file
// descriptors, until the tracking process's spool could no longer open a file.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Log } from '../ports/log.js';
import { isLoopback } from './routes/tracking.js';

export interface ServerLimits {
  /** A request's headers must be in within this (LEADFWD_HTTP_HEADERS_TIMEOUT_MS); else 408 and closed. */
  headersTimeoutMs: number;
  /** A request, headers and body, must be in within this (LEADFWD_HTTP_REQUEST_TIMEOUT_MS); the answer may take longer. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this (LEADFWD_HTTP_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Open connections at once (LEADFWD_HTTP_MAX_CONNECTIONS); more are closed at once. */
  maxConnections: number;
  /** Open connections from one address, loopback peers (the local proxy) apart; 0: no such cap (LEADFWD_HTTP_MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp: number;
}

/** Node's own limits, for comparison: what the service had before. */
export const NODE_DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: Number.POSITIVE_INFINITY,
  maxConnectionsPerIp: 0,
};

/** How often the refusals are logged at most, so a flood does not become a flood of log lines. */
const WARN_EVERY_MS = 60_000;

export function createLimitedServer(limits: ServerLimits, listener: RequestListener, logger?: Pick<Log, 'warn'>): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts only this often (30 s by default), which would let a slow client stay that much longer.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  let lastWarn = 0;
  let refused = 0;
  const refusedOne = (reason: string) => {
    refused++;
    const now = Date.now();
    if (now - lastWarn < WARN_EVERY_MS) return;
    lastWarn = now;
    logger?.warn({ event: 'http.connections_refused', reason, refused, limits }, 'http.connections_refused');
  };
  server.on('drop', () => {
    // At the cap, connections holding no request (kept alive between requests, or silent since they opened) give
    // their place up: their clients connect again when they have something to ask. Slow senders wait for the headers timeout.
    server.closeIdleConnections();
    refusedOne('max_connections');
  });
  if (limits.maxConnectionsPerIp > 0) capPerAddress(server, limits.maxConnectionsPerIp, () => refusedOne('max_connections_per_ip'));
  return server;
}

/**
 * At accept time only the socket's address is known. A loopback peer is the local reverse proxy whose
 * X-Forwarded-For the service trusts (app.ts 'trust proxy'): it carries many clients, so only the overall cap counts it.
 */
function capPerAddress(server: Server, max: number, refused: () => void): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || isLoopback(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      refused();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
