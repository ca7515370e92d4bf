// Operator routes and the request-id/log middleware, mounted before everything else.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler, type Router } from 'express';
import { AppError } from '../domain/errors.js';
import type { Metrics } from '../ops/metrics.js';
import type { Readiness } from '../ops/readiness.js';
import type { Log } from '../ports/log.js';

export interface OpsOptions {
  readiness?: () => Promise<Readiness>;
  metrics?: Metrics;
  /** API key that may read /metrics from anywhere; without it only direct loopback callers may. */
  apiKey?: string;
}

export type RequestLogger = Pick<Log, 'info'>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
// Tracking and unsubscribe tokens ride in the path; a log line keeps the route, not the token.
const loggablePath = (p: string) =>
  p
    .slice(0, 300)
    .split('/')
    .map((s) => (s.length > 40 ? ':token' : s))
    .join('/');

/** Takes a sane X-Request-Id from the caller or makes one, echoes it, and logs one line per answer. */
export function requestIds(logger?: RequestLogger, metrics?: Metrics): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    const path = loggablePath(req.path); // routers rewrite req.path on the way down
    res.on('finish', () => {
      metrics?.http(res.statusCode);
      logger?.info(
        {
          event: 'http.request',
          requestId: id,
          method: req.method,
          path,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        },
        'http.request',
      );
    });
    next();
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether a caller may read what only operators should (/metrics, the reasons in /readyz): a direct loopback caller,
 * or one with the API key. A reverse proxy on loopback forwards strangers too: a forwarded request needs the key.
 */
export function operatorCaller(apiKey: string | undefined): (req: IncomingMessage) => boolean {
  const keyHash = apiKey ? sha256(apiKey) : undefined;
  return (req) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && keyHash !== undefined && timingSafeEqual(sha256(bearer), keyHash)) return true;
    return LOOPBACK.has(req.socket.remoteAddress ?? '') && !req.headers['x-forwarded-for'] && !req.headers.forwarded;
  };
}

/** The reasons hidden: a load balancer needs the status; the database's address and the data folder are the operator's. */
export const HIDDEN_REASONS = 'reasons are shown on loopback or with the API key, and in the service log';
export function withoutReasons<T extends { checks: Record<string, { ok: boolean; reason?: string }> }>(r: T): T & { reasons?: string } {
  const checks = Object.fromEntries(Object.entries(r.checks).map(([name, { reason: _, ...rest }]) => [name, rest]));
  return { ...r, checks, reasons: HIDDEN_REASONS };
}

export function opsRoutes(o: OpsOptions): Router {
  const r = express.Router();
  const operator = operatorCaller(o.apiKey);
  r.get('/readyz', async (req, res) => {
    if (!o.readiness) return void res.json({ ready: true, checks: {} });
    const full = await o.readiness();
    const result = operator(req) ? full : withoutReasons(full);
    const at = (o.readiness as { checkedAt?: () => number | undefined }).checkedAt?.();
    // The checks ran in the background at most 5 s before; Age says how long ago.
    if (at !== undefined) res.set('Age', String(Math.max(0, Math.floor((Date.now() - at) / 1000))));
    res
      .status(result.ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(result);
  });
  r.get('/metrics', async (req, res) => {
    if (!operator(req)) throw new AppError('forbidden', 'Metrics are served to loopback callers or with the API key');
    if (!o.metrics) throw new AppError('not_found', 'Metrics are not enabled');
    const { contentType, body } = await o.metrics.render();
    res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-store' }).send(body);
  });
  return r;
}
