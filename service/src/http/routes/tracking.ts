// Public tracking endpoints. The pixel always answers the GIF (bad token, store down, whatever):
// a mail client must never show a broken image. It runs as a node:http fast path in front of
// Express because the pixel is the hottest route by far; it answers after the group commit, so an
// answered pixel is a recorded open. Clicks redirect only to the stored link of a signed token.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { type Request, type Response, Router } from 'express';
import { type VerifyKeys, verifyToken } from '../../domain/tokens.js';
import type { ClickRecorder } from '../../engagement/clicks.js';
import type { OpenRecorder } from '../../engagement/opens.js';
import type { Log } from '../../ports/log.js';

export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const NO_STORE = 'no-store, no-cache, must-revalidate, private, max-age=0';
const PIXEL_HEADERS = {
  'Content-Type': 'image/gif',
  'Content-Length': String(PIXEL_GIF.length),
  'Cache-Control': NO_STORE,
  Pragma: 'no-cache',
  Expires: '0',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface TrackingDeps {
  /** Current secret first, then the one before a rotation (LEADFWD_SECRET_PREVIOUS). */
  secret: VerifyKeys;
  opens: OpenRecorder;
  clicks: ClickRecorder;
  /**
   * true (default): answer after the open is committed, so an answered pixel is a stored open.
   * false: answer at once; the open is committed moments later (a crash may lose the last batch,
   * a SIGTERM does not), and a slow disk no longer delays the image.
   */
  answerAfterCommit?: boolean;
  clock?: () => Date;
  logger?: Pick<Log, 'warn'>;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** A peer on this host: the only one whose X-Forwarded-For the service trusts (Express 'trust proxy' 'loopback'). */
export const isLoopback = (address: string): boolean => LOOPBACK.test(address);

/** The client address: the socket's, or the nearest forwarded one when a local proxy sits in front. */
export function clientIp(req: IncomingMessage): string | undefined {
  const peer = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  if (!peer || !isLoopback(peer) || typeof forwarded !== 'string') return peer;
  const hops = forwarded
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!isLoopback(hops[i])) return hops[i];
  return peer;
}

function tokenFrom(path: string, prefix: string): string {
  const q = path.indexOf('?');
  return (q >= 0 ? path.slice(0, q) : path).slice(prefix.length);
}

// Flat [name, value, ...] list: writeHead takes it without building a header object per response.
const PIXEL_HEADER_LIST = Object.entries(PIXEL_HEADERS).flat();

function answerPixel(res: ServerResponse, head: boolean) {
  if (res.headersSent) return;
  res.writeHead(200, PIXEL_HEADER_LIST);
  res.end(head ? undefined : PIXEL_GIF);
}

export function pixelHandler(deps: TrackingDeps) {
  const now = deps.clock ?? (() => new Date());
  const afterCommit = deps.answerAfterCommit ?? true;
  let warned = 0;
  return (req: IncomingMessage, res: ServerResponse, token: string): void => {
    const head = req.method === 'HEAD';
    const p = head ? null : verifyToken(deps.secret, token, 'o');
    if (!p) {
      answerPixel(res, head); // HEAD is never an open; bad tokens record nothing
      return;
    }
    const ua = req.headers['user-agent'];
    const recorded = deps.opens.record({
      rowId: p.r,
      person: p.p,
      method: req.method ?? 'GET',
      userAgent: typeof ua === 'string' ? ua : undefined,
      ip: clientIp(req),
      at: now(),
    });
    const failed = (err: unknown) => {
      if (warned++ % 1000 === 0) deps.logger?.warn({ err: (err as Error)?.message }, 'tracking.open.not_recorded');
    };
    if (afterCommit) {
      recorded.then(
        () => answerPixel(res, false),
        (err: unknown) => {
          failed(err);
          answerPixel(res, false);
        },
      );
    } else {
      recorded.catch(failed);
      answerPixel(res, false);
    }
  };
}

/** Handles GET/HEAD /t/o/<token> before Express; returns false for every other request. */
export function trackingFastPath(deps: TrackingDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const pixel = pixelHandler(deps);
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith('/t/o/') || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    pixel(req, res, tokenFrom(url, '/t/o/'));
    return true;
  };
}

function notFound(res: Response) {
  res.status(404).set({ 'Cache-Control': NO_STORE, 'Content-Type': 'text/plain; charset=utf-8' }).send('This link is not valid.');
}

export function trackingRoutes(deps: TrackingDeps): Router {
  const r = Router();
  const pixel = pixelHandler(deps);
  const now = deps.clock ?? (() => new Date());
  // Raw paths (no parameter decoding), so percent-encoded tricks simply fail verification.
  r.use('/t/o', (req: Request, res: Response, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    pixel(req, res, tokenFrom(req.url, '/'));
  });
  r.use('/t/c', async (req: Request, res: Response, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const p = verifyToken(deps.secret, tokenFrom(req.url, '/'), 'c');
    if (!p || p.l === undefined) return notFound(res);
    let target: Awaited<ReturnType<ClickRecorder['redirect']>>;
    try {
      target = await deps.clicks.redirect(p.r, p.l, p.p);
    } catch (err) {
      deps.logger?.warn({ err: (err as Error)?.message, rowId: p.r }, 'tracking.click.unresolved');
      return void res
        .status(503)
        .set({ 'Cache-Control': NO_STORE, 'Retry-After': '30', 'Content-Type': 'text/plain; charset=utf-8' })
        .send('This link cannot be opened right now. Please try again in a moment.');
    }
    if (!target) return notFound(res);
    try {
      await deps.clicks.record(
        { rowId: p.r, linkIndex: p.l, person: p.p, method: req.method, userAgent: req.get('user-agent'), ip: clientIp(req), at: now() },
        target,
      );
    } catch (err) {
      // The reader still gets where they were going; only the statistic is lost.
      deps.logger?.warn({ err: (err as Error)?.message, rowId: p.r }, 'tracking.click.not_recorded');
    }
    res.status(302).set({ Location: target.url, 'Cache-Control': NO_STORE, 'Referrer-Policy': 'no-referrer' }).end();
  });
  return r;
}

/**
 * The service's request listener: the pixel fast path, then Express. drain() stops accepting,
 * asks keep-alive clients to hang up after their current request and waits for in-flight
 * requests (each pixel answers only after its commit), so a stop under load loses no answered open.
 */
/** `answered`: counts a pixel request (always a 200 GIF) where Express's own response metrics never see it. */
export function withPixelFastPath(app: RequestListener, fast: (req: IncomingMessage, res: ServerResponse) => boolean, answered?: () => void) {
  let draining = false;
  return {
    listener: ((req, res) => {
      if (draining) res.setHeader('Connection', 'close');
      if (fast(req, res)) answered?.();
      else app(req, res);
    }) as RequestListener,
    async drain(server: Server, timeoutMs = 5_000): Promise<void> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(force);
    },
  };
}
