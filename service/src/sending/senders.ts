// Which sender identity a campaign sends as, seen from sending: the identity and its profile for delivery (or why
// nothing may go), the campaign's sending state and schedule for its view, and what counts for whom when facts
// come back. Nothing is sent through an identity that is deleted, paused, not approved, or that no longer allows
// the campaign's From.
import type { Actor } from '../access/actor.js';
import { identityAllows, type SenderIdentity } from '../domain/identity.js';
import { reportGroup } from '../domain/mailbox-provider.js';
import type { Campaign } from '../domain/types.js';
import type { IdentityService } from '../identities/service.js';
import type { ProviderGroup, StorePart } from '../ports/index.js';
import { type DeliveryControl, providerOfRow } from './delivery-control.js';
import { campaignSchedule, type ScheduleStore, scheduleProblem } from './schedule.js';
import type { SenderChoice } from './send-loop.js';

export type SendersStore = ScheduleStore & StorePart<{ campaigns: 'get'; identities: 'get' | 'getDefault'; engagement: 'blockReports' }>;

export interface SendersDeps {
  store: SendersStore;
  identities: Pick<IdentityService, 'forSending' | 'profileOf'>;
  control: DeliveryControl;
  now?: () => Date;
  logger?: { warn(o: object, m?: string): void };
  /**
   * Addresses at one provider, of the identity, whose blocks came in within the last hour before a block a DSN reports
   * slows that provider (default 1: at once). A recipient can send a DSN to their own VERP address; one who forged a
   * block paused the provider for the whole identity.
   */
  dsnBlockReporters?: number;
}

const REPORT_WINDOW_MS = 3_600_000;

const SCHEDULED = new Set(['extracting', 'pending', 'sending', 'paused']);

export function createDeliverySenders(deps: SendersDeps) {
  const { store, control } = deps;
  const now = () => (deps.now ? deps.now() : new Date());
  const identityOf = async (c: Pick<Campaign, 'senderIdentityId'>): Promise<SenderIdentity | undefined> =>
    c.senderIdentityId ? await store.identities.get(c.senderIdentityId) : await store.identities.getDefault();
  // A campaign's identity never changes; facts look it up per recipient, so it is remembered.
  const identityIds = new Map<string, string | null>();
  const identityIdOf = async (campaignId: string): Promise<string | undefined> => {
    let id = identityIds.get(campaignId);
    if (id === undefined) {
      const c = await store.campaigns.get(campaignId);
      id = (c && (await identityOf(c))?.id) ?? null;
      if (identityIds.size > 10_000) identityIds.clear();
      identityIds.set(campaignId, id);
    }
    return id ?? undefined;
  };

  /** Addresses at `provider` whose blocks on the identity's campaigns came in within the hour (this one included). */
  async function reportersOf(identityId: string, provider: string): Promise<number> {
    const since = new Date(now().getTime() - REPORT_WINDOW_MS).toISOString();
    const isDefault = (await store.identities.get(identityId))?.isDefault === true;
    // Rows without a stored provider are judged by their domain, as the send path does.
    const reports = await store.engagement.blockReports({ since, identityId, isDefault, provider, limit: 1000 });
    return reports.filter((b) => providerOfRow(b) === provider).length;
  }

  async function scheduleOf(c: Campaign, i: SenderIdentity) {
    return await campaignSchedule(store, i, c.id, control.acceptedToday(i), now());
  }

  return {
    forSending: async (id: string | undefined, fromEmail: string, actor: Actor) => await deps.identities.forSending(id, fromEmail, actor),

    /** The identity and its relay and key for a campaign about to send, or the reason it may not. */
    async forDelivery(c: Campaign): Promise<SenderChoice> {
      const i = await identityOf(c);
      if (!i) return { refused: c.senderIdentityId ? `its sender identity ${c.senderIdentityId} no longer exists` : 'no sender identity is set up' };
      if (i.paused) return { refused: `sender identity "${i.name}" paused: ${i.paused.reason}` };
      if (!i.approval) return { refused: `sender identity "${i.name}" is not ready: its readiness check has not passed and no administrator forced it` };
      if (!identityAllows(i, c.fromEmail)) return { refused: `sender identity "${i.name}" no longer allows the From ${c.fromEmail}` };
      try {
        return { identity: i, profile: await deps.identities.profileOf(i) };
      } catch (e) {
        return { refused: (e as Error).message };
      }
    },

    /** For the campaign view: who it sends as, providers slowed or paused, and when its rows go. */
    async sendingOf(c: Campaign) {
      const i = await identityOf(c);
      if (!i) return { sender: { identityId: c.senderIdentityId ?? null, name: null, missing: true }, schedule: null };
      const sender = { identityId: i.id, name: i.name, ...(i.paused ? { paused: i.paused } : {}), providers: await control.status(i.id) };
      if (!SCHEDULED.has(c.status)) return { sender, schedule: null };
      // The full schedule (a count per provider group) only where a limit can spread it over days.
      if (!i.warmup && !i.rate.perDay && !c.held) {
        const next = await store.recipients.nextDue(c.id);
        return { sender, schedule: { days: [], fits: true, ...(next && next > now().toISOString() ? { nextSendAt: next } : {}) } };
      }
      const schedule = await scheduleOf(c, i);
      return { sender, schedule, problem: scheduleProblem(i, schedule) };
    },

    /** Why a campaign cannot be sent within the days its identity's limits allow; undefined when it can. */
    async scheduleProblem(c: Campaign): Promise<string | undefined> {
      const i = await identityOf(c);
      if (!i || (!i.warmup && !i.rate.perDay)) return undefined;
      return scheduleProblem(i, await scheduleOf(c, i));
    },

    /** The From addresses the campaign's identity allows (for "send as the record's assigned user"). */
    async allowFrom(c: Campaign): Promise<((email: string) => boolean) | undefined> {
      if (!c.sendAsAssignedUser) return undefined;
      const i = await identityOf(c);
      return i ? (email: string) => identityAllows(i, email) : undefined;
    },

    /** Whose volume a recipient's fact counts for. */
    async volumeOf(r: { campaignId: string; provider?: string; email: string }): Promise<{ identityId: string; group: ProviderGroup } | undefined> {
      const id = await identityIdOf(r.campaignId);
      return id ? { identityId: id, group: reportGroup(providerOfRow(r)) } : undefined;
    },

    /**
     * A block reported after the fact (DSN, webhook): that provider is slowed or paused for the campaign's identity. A
     * DSN's only once enough addresses reported one (the webhook's ESP signs its events).
     */
    async blocked(r: { campaignId: string; provider?: string; email: string }, reason: string, source: 'dsn' | 'webhook' | 'smtp'): Promise<void> {
      const id = await identityIdOf(r.campaignId);
      if (!id) return;
      const provider = providerOfRow(r);
      const needed = deps.dsnBlockReporters ?? 1;
      if (source === 'dsn' && needed > 1) {
        const reporters = await reportersOf(id, provider);
        if (reporters < needed) {
          deps.logger?.warn({ event: 'provider.block_unconfirmed', identityId: id, provider, reporters, needed }, 'provider.block_unconfirmed');
          return;
        }
      }
      const t = control.pushback(id, provider, reason);
      deps.logger?.warn({ event: 'provider.throttled', identityId: id, provider, level: t.level, reason: t.reason, source: 'report' }, 'provider.throttled');
    },
  };
}

export type DeliverySenders = ReturnType<typeof createDeliverySenders>;
