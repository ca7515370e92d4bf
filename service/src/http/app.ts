// The only module that builds the Express app. Routes get their collaborators passed in.
import express, { type Express, type Router } from 'express';
import { errorHandler, HttpError } from './errors.js';
import { requireAuth, type AuthOptions } from './auth.js';
import { opsRoutes, requestIds, type OpsOptions } from './ops-routes.js';

export interface AppOptions {
  auth: AuthOptions;
  corsOrigin?: string;
  apiRouters: Router[];
  publicRouters?: Router[];
  bodyLimit?: string;
  logger?: { error(o: object, m?: string): void; info?(o: object, m?: string): void };
  /** /readyz and /metrics; without it /readyz answers ready and /metrics is 404. */
  ops?: Omit<OpsOptions, 'apiKey'>;
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const log = opts.logger;
  app.use(requestIds(log?.info ? { info: (o, m) => log.info!(o, m) } : undefined, opts.ops?.metrics));
  app.use((_req, res, next) => {
    // Locked down by default; the unsubscribe page sets its own, narrower policy for its one style.
    res.set({
      'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    next();
  });
  app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  app.use(opsRoutes({ ...opts.ops, apiKey: opts.auth.apiKey }));
  for (const r of opts.publicRouters ?? []) app.use(r);

  const api = express.Router();
  api.use((req, res, next) => {
    const origin = req.get('origin');
    if (origin && opts.corsOrigin && origin === opts.corsOrigin) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        Vary: 'Origin',
        'Access-Control-Allow-Headers': 'OAuth-Token, Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    res.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: opts.bodyLimit ?? '2mb' }));
  api.use(requireAuth(opts.auth));
  for (const r of opts.apiRouters) api.use(r);
  api.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route ${req.method} ${req.path}`)));
  app.use('/api/v1', api);
  app.use((req, res) => { res.status(404).json({ error: 'not_found', message: 'Not found' }); });
  app.use(errorHandler(opts.logger));
  return app;
}
