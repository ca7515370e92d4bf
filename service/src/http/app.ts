// The only module that builds the Express app. Routes get their collaborators passed in.
import express, { type Express, type Router } from 'express';
import { AppError } from '../domain/errors.js';
import type { Log } from '../ports/log.js';
import { type AuthOptions, authenticators } from './auth.js';
import { errorHandler } from './errors.js';
import { type OpsOptions, opsRoutes, requestIds } from './ops-routes.js';
import { type RelayDeps, relayPublicRoutes, verifyRelay } from './routes/relay.js';

export interface AppOptions {
  auth: AuthOptions;
  /** Calls forwarded by the paired Sugar (docs/relay.md); absent: /relay is not served. */
  relay?: RelayDeps;
  apiRouters: Router[];
  /** Why this process serves no API (its roles), told to a caller that reached it instead of a missing route. */
  noApi?: string;
  publicRouters?: Router[];
  bodyLimit?: string;
  logger?: Pick<Log, 'error'> & Partial<Pick<Log, 'info' | 'warn'>>;
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
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(opsRoutes({ ...opts.ops, apiKey: opts.auth.apiKey }));
  for (const r of opts.publicRouters ?? []) app.use(r);
  if (opts.relay) app.use(relayPublicRoutes(opts.relay));

  const routes = express.Router();
  for (const r of opts.apiRouters) routes.use(r);
  routes.use((req, _res, next) =>
    next(new AppError('not_found', opts.noApi ? `${opts.noApi}: ${req.method} ${req.path} goes to one that does` : `No route ${req.method} ${req.path}`)),
  );
  const { api, relay } = authenticators(opts.auth);
  // A body of another type was left unread, so the request failed as if nothing was sent ("name is required").
  const jsonOnly: express.RequestHandler = (req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json'))
      return next(new AppError('not_json', `The body must be JSON, sent with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`));
    next();
  };
  const wellFormed: express.RequestHandler = (req, _res, next) => {
    const fault = bodyFault(req.body, MAX_BODY_NESTING);
    next(fault ? new AppError('bad_json', fault) : undefined);
  };
  const noStore: express.RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  // A process without the API authenticates nobody: a token checked here cost a call to Sugar from the public tracking
  // host and told a valid Sugar token from an invalid one.
  if (opts.noApi) app.use('/api/v1', noStore, routes);
  else app.use('/api/v1', noStore, express.json({ limit: opts.bodyLimit ?? '2mb' }), api, jsonOnly, wellFormed, routes);
  if (opts.relay) app.use('/relay/v1', noStore, ...verifyRelay({ ...opts.relay, bodyLimit: opts.bodyLimit }), relay, wellFormed, routes);
  app.use(() => {
    throw new AppError('not_found', 'Not found');
  });
  app.use(errorHandler(opts.logger));
  return app;
}

const MAX_BODY_NESTING = 64;
// With the u flag a surrogate pair is one code point: only a half of one matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What makes a parsed body unfit for the code behind the routes. Code that walks a body recursively (a Sugar filter's
 * fields, the stored definition's JSON, HTML to text) would overflow the stack on thousands of levels, and no request
 * of ours nests anywhere near `limit`. Half a surrogate pair is valid JSON but no text: SQLite stored it as bytes
 * that are not UTF-8 (read back as three U+FFFD), PostgreSQL as one U+FFFD. Where it is is worked out only for a
 * refused body of up to PATH_BUDGET values: a path for every value cost a 2 MB array five times the walk.
 */
export function bodyFault(value: unknown, limit: number): string | undefined {
  const { fault, visited } = faulty(value, limit);
  if (fault === 'deep') return `The body nests more than ${limit} levels deep`;
  if (fault === 'text') return visited <= PATH_BUDGET ? whereText(value) : `The body holds text that is not valid: half of a UTF-16 surrogate pair`;
  return undefined;
}

const PATH_BUDGET = 20_000;

/** The walk, without recursion: is any value nested past `limit`, or any text or name half a surrogate pair? */
function faulty(value: unknown, limit: number): { fault?: 'deep' | 'text'; visited: number } {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let visited = 0;
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    visited++;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return { fault: 'text', visited };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return { fault: 'deep', visited };
    if (Array.isArray(v)) {
      for (const child of v) {
        values.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const k in v) {
      if (LONE_SURROGATE.test(k)) return { fault: 'text', visited };
      values.push((v as Record<string, unknown>)[k]);
      depths.push(depth + 1);
    }
  }
  return { visited };
}

/** Where the first half surrogate pair is, as a path (a body `faulty` refused for it, nested within the limit). */
function whereText(value: unknown): string {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return `${path ? path.slice(0, 100) : 'The body'} is not valid text: it holds half of a UTF-16 surrogate pair`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    for (const [k, child] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k))
        return `A name in the body${path ? ` (in ${path.slice(0, 100)})` : ''} is not valid text: it holds half of a UTF-16 surrogate pair`;
      stack.push([child, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
    }
  }
  return 'The body holds text that is not valid: half of a UTF-16 surrogate pair';
}
