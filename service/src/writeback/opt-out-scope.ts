// Which of a target's addresses an opt-out flags in Sugar: what the admin chose in Sugar's Administration panel
// (LeadFWD settings, GET /leadfwd/config from our package), read at most once per `ttlMs`. LEADFWD_OPT_OUT_SCOPE
// applies until an administrator chooses, and while Sugar has no answer (package not installed, Sugar down) and
// none was read before.
import type { OptOutScope } from '../domain/writeback.js';
import type { WritebackLogger } from './send.js';

const SCOPES: readonly OptOutScope[] = ['all', 'address', 'none'];

export interface OptOutScopeSource {
  current(): Promise<OptOutScope>;
}

export function createOptOutScopeSource(o: {
  read: () => Promise<unknown>;
  fallback: OptOutScope;
  ttlMs?: number;
  /** Longest a read may take; the write-back never waits on Sugar's retries for this. */
  readTimeoutMs?: number;
  logger?: WritebackLogger;
  now?: () => number;
}): OptOutScopeSource {
  const ttlMs = o.ttlMs ?? 60_000;
  const readTimeoutMs = o.readTimeoutMs ?? 3_000;
  const now = o.now ?? Date.now;
  let known: OptOutScope | undefined;
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;
  let lastProblem = '';

  const note = (problem: string) => {
    if (problem !== lastProblem)
      o.logger?.warn({ event: 'writeback.opt_out_scope_unread', problem, using: known ?? o.fallback }, 'writeback.opt_out_scope_unread');
    lastProblem = problem;
  };

  async function read(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Sugar did not answer within ${readTimeoutMs} ms`)), readTimeoutMs);
      timer.unref();
    });
    try {
      const scope = ((await Promise.race([o.read(), timeout])) as { optout_scope?: unknown } | null)?.optout_scope;
      if (scope === null || scope === undefined) {
        known = undefined; // no administrator has chosen: ours applies
        lastProblem = '';
      } else if (SCOPES.includes(scope as OptOutScope)) {
        known = scope as OptOutScope;
        lastProblem = '';
      } else {
        note(`Sugar answered an unknown opt-out scope ${JSON.stringify(scope)}`);
      }
    } catch (err) {
      note((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
    readAt = now();
  }

  return {
    current() {
      const first = readAt === -Infinity;
      if (now() - readAt >= ttlMs)
        reading ??= read().finally(() => {
          reading = undefined;
        });
      // Only the first answer is waited for; later ones refresh behind the batches that use the last one.
      if (first && reading) return reading.then(() => known ?? o.fallback);
      return Promise.resolve(known ?? o.fallback);
    },
  };
}
