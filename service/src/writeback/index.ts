// Write-back wiring: one object the composition root creates. It takes campaigns on when they start
// sending, runs the outbox worker, and gives the API the dead rows and a way to revive them.
import { outboxItem } from '../domain/outbox.js';
import type { Campaign } from '../domain/types.js';
import type { StoredCampaign } from '../ports/index.js';
import type { OptOutScopeSource } from './opt-out-scope.js';
import type { WritebackStore } from './ports.js';
import type { BulkPort, WritebackLogger } from './send.js';
import type { WritebackSettings } from './settings.js';
import { writebackState } from './state.js';
import { createWritebackLoop } from './writeback-loop.js';

export { DEFAULT_WRITEBACK, type WritebackSettings } from './settings.js';
export { type WritebackState, writebackState } from './state.js';

export interface WritebackOptions {
  store: WritebackStore;
  sugar: BulkPort;
  settings: WritebackSettings;
  links: (c: StoredCampaign) => Promise<string[]>;
  logger?: WritebackLogger;
  afterSugarAnswer?: () => void;
  /** The admin's choice in Sugar; without it, settings.optOutScope. */
  optOutScope?: OptOutScopeSource;
  /** Sugar's request budget shared by every process on the database. */
  sugarBucket?: { take(): number };
}

export function createWriteback(o: WritebackOptions) {
  const { store } = o;

  /** The campaign's setup rows: its Sugar Campaign, then one row per selected list. Idempotent. */
  async function enqueueSetup(c: Campaign): Promise<boolean> {
    return await store.transaction(async (tx) => {
      const fresh = await tx.outbox.enqueue(outboxItem.campaign(c.id));
      for (const listId of c.targetListIds) await tx.outbox.enqueue(outboxItem.list(c.id, listId, 'sugar'));
      for (const listId of c.leadfwdListIds) await tx.outbox.enqueue(outboxItem.list(c.id, listId, 'leadfwd'));
      return fresh;
    });
  }

  const worker = createWritebackLoop({
    store,
    sugar: o.sugar,
    settings: o.settings,
    links: o.links,
    logger: o.logger,
    afterSugarAnswer: o.afterSugarAnswer,
    sugarBucket: o.sugarBucket,
    optOutScope: o.optOutScope ?? { current: async () => o.settings.optOutScope },
    ensureSetup: async (c) => {
      await enqueueSetup(c);
    },
  });

  /** Campaigns whose setup rows this process has seen committed: a send run after the first asks nothing. */
  const setUp = new Set<string>();
  async function ensureSetup(c: Campaign): Promise<void> {
    if (setUp.has(c.id)) return;
    if (await enqueueSetup(c)) o.logger?.info({ event: 'writeback.campaign_started', campaignId: c.id }, 'writeback.campaign_started');
    setUp.add(c.id);
    worker.wake();
  }

  return {
    /** For the scheduler's beforeSending: throws when the setup rows could not be written, and nothing is sent then. */
    ensureSetup,
    /** For an automation step's first send: never throws (the send run's ensureSetup stops it if this failed). */
    async campaignStarted(c: Campaign): Promise<void> {
      try {
        await ensureSetup(c);
      } catch (err) {
        o.logger?.error({ event: 'writeback.enqueue_failed', campaignId: c.id, err }, 'writeback.enqueue_failed');
      }
    },
    /**
     * Starts the worker. A campaign already sending (the process died right after it started) gets its
     * setup rows now, before the scheduler sends more, so no delivery misses its outbox row.
     */
    async start(): Promise<void> {
      for (const c of await store.campaigns.inStatus(['sending'])) await enqueueSetup(c);
      await worker.start();
    },
    stop: () => worker.stop(),
    wake: () => worker.wake(),
    state: async (campaignId: string, now?: Date) => await writebackState(store, campaignId, now),
    dead: async (limit: number, campaignId?: string) => await store.outbox.dead(limit, campaignId),
    /** Dead rows back to pending (all of a campaign's when no ids are given); returns how many. */
    async revive(ids: number[] | undefined, campaignId?: string): Promise<number> {
      const targets = ids ?? (await store.outbox.dead(100_000, campaignId)).map((d) => d.id);
      const n = await store.outbox.revive(targets, new Date().toISOString());
      if (n) worker.wake();
      return n;
    },
    worker,
  };
}

export type Writeback = ReturnType<typeof createWriteback>;
