// Which of a target's addresses an opt-out flags in Sugar: what the admin chose in Sugar's Administration panel
// (LeadFWD settings, GET /leadfwd/config from our package), read at most once per `ttlMs`. LEADFWD_OPT_OUT_SCOPE
// applies while Sugar has no answer (package not installed, Sugar down): the last setting read wins over it.
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
  logger?: WritebackLogger;
  now?: () => number;
}): OptOutScopeSource {
  const ttlMs = o.ttlMs ?? 60_000;
  const now = o.now ?? Date.now;
  let known: OptOutScope | undefined;
  let readAt = -Infinity;
  let reading: Promise<OptOutScope> | undefined;
  let lastProblem = '';

  const note = (problem: string) => {
    if (problem !== lastProblem) o.logger?.warn({ event: 'writeback.opt_out_scope_unread', problem, using: known ?? o.fallback }, 'writeback.opt_out_scope_unread');
    lastProblem = problem;
  };

  async function read(): Promise<OptOutScope> {
    try {
      const scope = ((await o.read()) as { optout_scope?: unknown } | null)?.optout_scope;
      if (SCOPES.includes(scope as OptOutScope)) {
        known = scope as OptOutScope;
        lastProblem = '';
      } else {
        note(`Sugar answered an unknown opt-out scope ${JSON.stringify(scope)}`);
      }
    } catch (err) {
      note((err as Error).message);
    }
    readAt = now();
    return known ?? o.fallback;
  }

  return {
    current() {
      if (now() - readAt < ttlMs) return Promise.resolve(known ?? o.fallback);
      reading ??= read().finally(() => { reading = undefined; });
      return reading;
    },
  };
}
