// A provider that paused, or a provider group or identity past a day's allowance, holds back every queued row it
// covers until then, not only the row that asked: the rows are moved once per time, so the loop does not reserve
// them again and again meanwhile.
import { BIG_PROVIDERS } from '../domain/mailbox-provider.js';
import type { StorePart } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import type { Admission } from './delivery-control.js';

export interface HoldBackDeps {
  store: StorePart<{ recipients: 'deferQueued' }>;
  campaignId: string;
  /** Read at each hold-back: the campaign's identity follows edits while it sends. */
  identityId: () => string;
  logger?: Pick<Log, 'info'>;
}

export function createHoldBack(deps: HoldBackDeps) {
  const { store, campaignId } = deps;
  const deferredUntil = new Map<string, string>();
  const holdBack = async (key: string, provider: string | undefined, notIn: readonly string[] | undefined, until: Date, why: string) => {
    const iso = until.toISOString();
    if (deferredUntil.get(key) === iso) return;
    deferredUntil.set(key, iso);
    const reason = `waiting until ${iso}: ${why}`.slice(0, 500);
    const n = await store.recipients.deferQueued(campaignId, notIn ? { notIn: [...notIn] } : provider ? { provider } : {}, iso, reason);
    deps.logger?.info({ event: 'send.held_back', campaignId, identityId: deps.identityId(), provider, until: iso, rows: n, why }, 'send.held_back');
  };
  return {
    /** A provider paused by a pushback. */
    provider: (provider: string, until: Date, why: string) => holdBack(`p:${provider}`, provider, undefined, until, why),
    /** What a refusal until a time covers: its provider, its group ('other': every provider but the big ones), else all. */
    async admission(a: Extract<Admission, { until: Date }>) {
      if (a.provider) await holdBack(`p:${a.provider}`, a.provider, undefined, a.until, a.why);
      else if (a.group === 'other') await holdBack('g:other', undefined, BIG_PROVIDERS, a.until, a.why);
      else if (a.group) await holdBack(`p:${a.group}`, a.group, undefined, a.until, a.why);
      else await holdBack('all', undefined, undefined, a.until, a.why);
    },
  };
}
