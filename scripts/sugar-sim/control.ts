// SIMULATOR-ONLY control API under /__sim/ (no auth) so tests can drive a simulator running in another process.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SimCore } from './core.js';
import { seedBulk } from './seed-bulk.js';
import { campaignLogCounts } from './stats.js';
import { isPlainObject } from './util.js';

class ControlError extends Error {}

const int = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ControlError(`${name} must be a non-negative integer`);
  return v;
};

export function applyFaults(core: SimCore, body: unknown): void {
  if (!isPlainObject(body)) throw new ControlError('Send a JSON object such as {"failNext":{"count":2}}');
  const f = core.faults;
  // Reset first so one call can both clear old faults and arm new ones.
  if (body.reset === true) f.reset();
  if (body.latencyMs !== undefined) f.latencyMs = int(body.latencyMs, 'latencyMs');
  if (body.failNext !== undefined) {
    const v = body.failNext;
    if (!isPlainObject(v)) throw new ControlError('failNext must be {count, status?, label?}');
    if (v.label !== undefined && typeof v.label !== 'string') throw new ControlError('failNext.label must be a string');
    f.failNext(int(v.count, 'failNext.count'), v.status === undefined ? undefined : int(v.status, 'failNext.status'), v.label as string | undefined);
  }
  if (body.maintenanceMs !== undefined) f.maintenanceFor(int(body.maintenanceMs, 'maintenanceMs'));
  if (body.expireTokens === true) f.expireTokensNow();
  if (body.rejectRefresh !== undefined) {
    if (typeof body.rejectRefresh !== 'boolean') throw new ControlError('rejectRefresh must be a boolean');
    f.rejectRefresh = body.rejectRefresh;
  }
  if (body.rateLimit !== undefined) {
    const v = body.rateLimit;
    if (!isPlainObject(v)) throw new ControlError('rateLimit must be {count, retryAfter}');
    f.rateLimitNext(int(v.count, 'rateLimit.count'), int(v.retryAfter, 'rateLimit.retryAfter'));
  }
  if (body.dropNext !== undefined) f.dropNext(int(body.dropNext, 'dropNext'));
}

export function controlRouter(core: SimCore): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  const wrap = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response, next: NextFunction) => {
    try {
      fn(req, res);
    } catch (err) {
      next(err);
    }
  };
  router.post(
    '/faults',
    wrap((req, res) => {
      applyFaults(core, req.body);
      res.json({ simulatorOnly: true, faults: core.faults.state() });
    }),
  );
  router.get('/faults', (_req, res) => void res.json({ simulatorOnly: true, faults: core.faults.state() }));
  router.get('/requests', (_req, res) => void res.json(core.log.list()));
  router.delete('/requests', (_req, res) => {
    core.log.clear();
    res.json({ success: true });
  });
  router.get('/campaign-log-counts/:campaignId', (req, res) => void res.json(campaignLogCounts(core, req.params.campaignId)));
  router.post(
    '/seed-bulk',
    wrap((req, res) => {
      res.json(seedBulk(core, req.body));
    }),
  );
  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', error_message: 'Unknown simulator control route.' });
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof ControlError || err instanceof TypeError || (err as { type?: string }).type === 'entity.parse.failed';
    const message = known ? (err as Error).message : 'Unexpected simulator error.';
    if (!known && !core.opts.quiet) console.error('[sugar-sim] control error', err);
    res.status(known ? 400 : 500).json({ error: known ? 'invalid_request' : 'unknown_error', error_message: message });
  });
  return router;
}
