// Two ways in: an API key for servers, or a Sugar user's own token from the dashlet, checked
// against the configured Sugar's /me (cached briefly, never refreshed, never stored).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export interface SugarUser { id: string; user_name: string; type: string; acl: Record<string, Record<string, unknown>> }

export interface AuthOptions {
  apiKey?: string;
  verifySugarToken: (token: string) => Promise<SugarUser>;
  cacheMs?: number;
  now?: () => number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function requireAuth(opts: AuthOptions): RequestHandler {
  const keyHash = opts.apiKey ? sha256(opts.apiKey) : undefined;
  const cache = new Map<string, { user: SugarUser; until: number }>();
  const now = opts.now ?? Date.now;
  const ttl = opts.cacheMs ?? 60_000;

  return async (req, res, next) => {
    try {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (bearer !== undefined) {
        if (keyHash && timingSafeEqual(sha256(bearer), keyHash)) {
          res.locals.principal = { kind: 'api_key' };
          return next();
        }
        throw new HttpError(401, 'unauthorized', 'Invalid API key');
      }
      const token = req.get('oauth-token');
      if (!token) throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <api key> or OAuth-Token: <Sugar token>');
      if (token.length > 512) throw new HttpError(401, 'unauthorized', 'Invalid Sugar token');
      const cacheKey = sha256(token).toString('hex');
      let hit = cache.get(cacheKey);
      if (!hit || hit.until < now()) {
        let user: SugarUser;
        try {
          user = await opts.verifySugarToken(token);
        } catch (e) {
          const kind = (e as { kind?: string }).kind;
          if (kind === 'auth') throw new HttpError(401, 'sugar_token_rejected', 'Sugar did not accept this token; log in to Sugar again');
          throw e;
        }
        hit = { user, until: now() + ttl };
        cache.set(cacheKey, hit);
        if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      }
      const campaignsAcl = hit.user.acl?.Campaigns ?? {};
      if (hit.user.type !== 'admin' && (campaignsAcl.access === 'no' || campaignsAcl.view === 'no')) {
        throw new HttpError(403, 'forbidden', 'Your Sugar role does not give you access to Campaigns');
      }
      res.locals.principal = { kind: 'sugar_user', user: hit.user };
      next();
    } catch (e) {
      next(e);
    }
  };
}
