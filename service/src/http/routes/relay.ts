// The service's side of the Sugar relay (docs/relay.md): /relay/hello tells Sugar's "Test connection" what
// answers at an address, /relay/pair trades a pairing code for the relay secret, and verifyRelay admits a
// forwarded call only with a fresh, unseen, correctly signed request carrying the user's Sugar token.
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import { AppError } from '../../domain/errors.js';
import { RELAY_WINDOW_SECONDS, verifyRelay as verifySignature } from '../../domain/relay-signature.js';
import type { RelayRepo } from '../../ports/index.js';
import type { Pairing } from '../../relay/pairing.js';

export interface RelayDeps {
  pairing: Pairing;
  relay: Pick<RelayRepo, 'seeNonce'>;
  now?: () => Date;
  bodyLimit?: string;
}

export function relayPublicRoutes(deps: RelayDeps): Router {
  const r = Router();
  r.get('/relay/hello', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ service: 'leadfwd', relay: 1, paired: (await deps.pairing.status()).paired });
  });
  r.post('/relay/pair', express.json({ limit: '4kb' }), async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await deps.pairing.pair(req.body));
  });
  return r;
}

/** Mounted before the API routes under /relay/v1: checks the signature over the raw body, then parses it. */
const unsigned = () => new AppError('relay_unsigned', 'Relay calls must be signed by the paired Sugar (docs/relay.md)');

export function verifyRelay(deps: RelayDeps): RequestHandler[] {
  const now = deps.now ?? (() => new Date());
  const check: RequestHandler = async (req: Request, _res: Response, next: NextFunction) => {
    const sig = req.get('x-leadfwd-signature');
    const timestamp = req.get('x-leadfwd-timestamp');
    const nonce = req.get('x-leadfwd-nonce');
    const token = req.get('oauth-token');
    if (!sig || !timestamp || !nonce || !token) throw unsigned();
    const secret = await deps.pairing.secret();
    if (!secret) throw new AppError('relay_not_paired', 'This LeadFWD service is not paired with a Sugar instance yet');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const at = now();
    const verdict = verifySignature(
      secret,
      { timestamp, nonce, method: req.method, pathAndQuery: req.originalUrl, body, userToken: token },
      sig,
      Math.floor(at.getTime() / 1000),
    );
    if (verdict === 'stale') throw new AppError('relay_stale', 'The relay call is too old or from the future: check the clocks of Sugar and LeadFWD');
    if (verdict !== 'ok') throw new AppError('relay_signature_invalid', 'The relay signature does not match: pair Sugar with this service again');
    const expires = new Date(at.getTime() + 2 * RELAY_WINDOW_SECONDS * 1000).toISOString();
    if (!(await deps.relay.seeNonce(nonce, expires, at.toISOString()))) throw new AppError('relay_replayed', 'This relay call was already received');
    if (body.length === 0) req.body = undefined;
    else {
      try {
        req.body = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AppError('bad_json', 'Request body is not valid JSON');
      }
    }
    next();
  };
  // Refused before its body is read: an unsigned caller had the service buffer up to the body limit first.
  const signed: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    for (const h of ['x-leadfwd-signature', 'x-leadfwd-timestamp', 'x-leadfwd-nonce', 'oauth-token']) if (!req.get(h)) return next(unsigned());
    next();
  };
  return [signed, express.raw({ type: () => true, limit: deps.bodyLimit ?? '2mb' }), check];
}
