// Who is calling: an API key for the operator's servers, or a Sugar user's own token (sent by Sugar's relay, or
// by an integrator), checked against the configured Sugar's /me (cached briefly, never refreshed, never stored).
// The caller becomes an Actor (res.locals.actor) whose Sugar reads go out with that same token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Actor, SugarAs } from '../access/actor.js';
import { AppError } from '../domain/errors.js';

export interface SugarUser {
  id: string;
  user_name: string;
  type: string;
  acl: Record<string, Record<string, unknown>>;
}

export interface AuthOptions {
  apiKey?: string;
  verifySugarToken: (token: string) => Promise<SugarUser>;
  /** Sugar asked as the user with this token. */
  sugarAs?: (token: string) => SugarAs;
  /** Sugar asked as the service's own user, for the API key. */
  operatorSugar?: SugarAs;
  cacheMs?: number;
  now?: () => number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

const NO_SUGAR: SugarAs = {
  get: () => Promise.reject(new Error('no Sugar client configured')),
  // biome-ignore lint/correctness/useYield: a Sugar that refuses every read, before yielding anything
  filterPages: async function* () {
    throw new Error('no Sugar client configured');
  },
  // biome-ignore lint/correctness/useYield: as above
  linkPages: async function* () {
    throw new Error('no Sugar client configured');
  },
  bulk: () => Promise.reject(new Error('no Sugar client configured')),
};

export const actorOf = (res: Response): Actor => res.locals.actor as Actor;

function userResolver(opts: AuthOptions) {
  const cache = new Map<string, { user: SugarUser; until: number }>();
  const now = opts.now ?? Date.now;
  // Short, so a role changed in Sugar applies within seconds, while a burst of calls costs one /me.
  const ttl = opts.cacheMs ?? 5_000;
  return async (token: string): Promise<Actor> => {
    if (token.length > 512) throw new AppError('unauthorized', 'Invalid Sugar token');
    const cacheKey = sha256(token).toString('hex');
    let hit = cache.get(cacheKey);
    if (!hit || hit.until < now()) {
      let user: SugarUser;
      try {
        user = await opts.verifySugarToken(token);
      } catch (e) {
        if ((e as { kind?: string }).kind === 'auth') throw new AppError('sugar_token_rejected', 'Sugar did not accept this token; log in to Sugar again');
        throw e;
      }
      hit = { user, until: now() + ttl };
      cache.set(cacheKey, hit);
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    }
    const { user } = hit;
    const campaignsAcl = user.acl?.Campaigns ?? {};
    if (user.type !== 'admin' && (campaignsAcl.access === 'no' || campaignsAcl.view === 'no')) {
      throw new AppError('forbidden', 'Your Sugar role does not give you access to Campaigns');
    }
    return {
      kind: 'user',
      id: user.id,
      userName: user.user_name,
      isAdmin: user.type === 'admin',
      acl: user.acl ?? {},
      sugar: opts.sugarAs ? opts.sugarAs(token) : NO_SUGAR,
    };
  };
}

/** The two doors, sharing one cache of verified tokens. */
export function authenticators(opts: AuthOptions): { api: RequestHandler; relay: RequestHandler } {
  const keyHash = opts.apiKey ? sha256(opts.apiKey) : undefined;
  const resolve = userResolver(opts);
  return {
    // /api/v1: the API key, or a Sugar user's token.
    api: async (req, res, next) => {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (bearer !== undefined) {
        if (keyHash && timingSafeEqual(sha256(bearer), keyHash)) {
          res.locals.actor = { kind: 'operator', sugar: opts.operatorSugar ?? NO_SUGAR } satisfies Actor;
          return next();
        }
        throw new AppError('unauthorized', 'Invalid API key');
      }
      const token = req.get('oauth-token');
      if (!token) throw new AppError('unauthorized', 'Send Authorization: Bearer <api key> or OAuth-Token: <Sugar token>');
      res.locals.actor = await resolve(token);
      next();
    },
    // /relay/v1, after the signature was checked: the user whose token the relay forwarded.
    relay: async (req, res, next) => {
      res.locals.actor = await resolve(req.get('oauth-token') ?? '');
      next();
    },
  };
}

export const requireAuth = (opts: AuthOptions): RequestHandler => authenticators(opts).api;
