// Wraps the check of a Sugar user's token (GET /me) so strangers cannot turn the API into a Sugar load
// generator (issue 12): every unknown OAuth-Token used to cost one /me call (200 junk tokens, 203 calls).
// - A token Sugar rejected is remembered (by its SHA-256, for `rejectedTtlMs`) and refused without a call.
// - Calls for the same token at the same moment share one /me call.
// - At most `maxConcurrent` /me calls are in flight; up to `maxQueued` more wait their turn, the rest are
//   refused at once with 429 too_many_token_checks (a 4xx: a flood of them is not a flood of error logs),
//   never piled onto Sugar.
// Accepted users are cached by the auth middleware itself (http/auth.ts), which this leaves as it is.
import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { SugarApiError } from '../sugar/errors.js';

export interface TokenVerifierOptions {
  rejectedTtlMs?: number;
  maxConcurrent?: number;
  maxQueued?: number;
  /** Most rejected tokens remembered (oldest forgotten first). */
  maxRejected?: number;
  now?: () => number;
}

export function createTokenVerifier<U>(verify: (token: string) => Promise<U>, o: TokenVerifierOptions = {}) {
  const ttl = o.rejectedTtlMs ?? 60_000;
  const maxConcurrent = o.maxConcurrent ?? 4;
  const maxQueued = o.maxQueued ?? 64;
  const maxRejected = o.maxRejected ?? 10_000;
  const now = o.now ?? Date.now;
  const rejected = new Map<string, number>(); // token hash -> until
  const inFlight = new Map<string, Promise<U>>();
  const waiting: Array<() => void> = [];
  let active = 0;
  let calls = 0;

  const refused = () => new SugarApiError({ kind: 'auth', method: 'GET', path: '/me', status: 401, message: 'token rejected moments ago; not asked again' });
  const slot = async () => {
    if (active < maxConcurrent) {
      active++;
      return;
    }
    if (waiting.length >= maxQueued) {
      throw new AppError('too_many_token_checks', 'Too many Sugar tokens are being checked at once; try again in a moment');
    }
    await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over by release()
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  const check = async (key: string, token: string): Promise<U> => {
    await slot();
    try {
      calls++;
      return await verify(token);
    } catch (e) {
      if ((e as { kind?: string }).kind === 'auth') {
        rejected.set(key, now() + ttl);
        if (rejected.size > maxRejected) rejected.delete(rejected.keys().next().value!);
      }
      throw e;
    } finally {
      release();
    }
  };

  const verifyToken = (token: string): Promise<U> => {
    const key = createHash('sha256').update(token).digest('base64');
    const until = rejected.get(key);
    if (until !== undefined) {
      if (until > now()) return Promise.reject(refused());
      rejected.delete(key);
    }
    let p = inFlight.get(key);
    if (!p) {
      p = check(key, token).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  };
  return Object.assign(verifyToken, { stats: () => ({ calls, active, queued: waiting.length, rejectedRemembered: rejected.size }) });
}
