// Guard rails: when complaints or hard bounces come in (inbound SMTP listener, webhooks, the relay's own 5xx), the
// rates of the campaign and of its sender identity are judged (domain/guard-rails.ts, LEADFWD_GUARD_*); a breach
// pauses the identity, and with it every campaign sending through it, with the reason, until an administrator
// resumes it. Mailbox providers judge a sending domain by these rates; continuing would spend its reputation.
import { type GuardRailSettings, guardRailBreach } from '../domain/guard-rails.js';
import type { StorePart } from '../ports/index.js';

export type GuardStore = StorePart<{ campaigns: 'get'; identities: 'get' | 'getDefault'; deliverability: 'totals' }>;

export interface GuardDeps {
  store: GuardStore;
  settings: GuardRailSettings & { windowDays: number };
  pause: (identityId: string, reason: string, by: string) => Promise<boolean>;
  now?: () => Date;
}

export function createGuardRails(deps: GuardDeps) {
  const { store } = deps;
  const now = () => (deps.now ? deps.now() : new Date());
  return {
    /** After a complaint or a hard bounce of one of `campaignId`'s recipients. Returns the reason when it paused. */
    async check(campaignId: string): Promise<string | undefined> {
      const c = await store.campaigns.get(campaignId);
      if (!c) return undefined;
      const identity = c.senderIdentityId ? await store.identities.get(c.senderIdentityId) : await store.identities.getDefault();
      if (!identity || identity.paused) return undefined;
      const campaign = guardRailBreach(await store.deliverability.totals({ campaignId }), deps.settings);
      const since = new Date(now().getTime() - (deps.settings.windowDays - 1) * 86_400_000).toISOString().slice(0, 10);
      const overall = campaign ? undefined : guardRailBreach(await store.deliverability.totals({ identityId: identity.id, sinceDay: since }), deps.settings);
      const reason = campaign
        ? `guard rail: campaign "${c.name}": ${campaign}`
        : overall
          ? `guard rail: the identity over ${deps.settings.windowDays} days: ${overall}`
          : undefined;
      if (reason) await deps.pause(identity.id, reason, 'guard rail');
      return reason;
    },
  };
}

export type GuardRails = ReturnType<typeof createGuardRails>;
