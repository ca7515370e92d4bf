// Drives campaigns through their lifecycle: drafts are extracted, pending campaigns start at their
// time, sending campaigns are handed to the send worker. All state lives in the store, so a restart
// simply picks up where the last process stopped.
//
// Several processes on one database: the lifecycle part of the tick runs in the one process holding the lease
// `scheduler:tick`, each extraction holds `extract:<campaign>` (renewed while it runs, taken over when its process
// dies), and every process sends every sending campaign (rows are claimed one process each). Only a dead process's
// in-flight rows turn uncertain, never those of one still sending.
import { type LeaseRunner, runAlone } from '../coordination/lease-runner.js';
import type { Audit, Campaign } from '../domain/types.js';
import { type AutomationRepo, type StorePart, StoreUnavailableError, type UnitOfWork } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';

export type SchedulerStore = UnitOfWork &
  StorePart<{ campaigns: 'get' | 'transition' | 'inStatus' | 'staleHolds' | 'due'; recipients: 'recoverInFlight' | 'recoverOrphaned' }> & {
    /** Absent in tests without automations: then no campaign backs an automation step. */
    automations?: Pick<AutomationRepo, 'isOpenStepCampaign'>;
  };

export interface SchedulerDeps {
  store: SchedulerStore;
  /** `signal` aborts when this process lost the campaign's extraction lease. */
  extract: (campaign: Campaign, signal: AbortSignal) => Promise<Audit>;
  send: (campaignId: string, signal: AbortSignal) => Promise<'done' | 'stopped'>;
  /**
   * Before each send run of a campaign in this process, which goes only once it resolved: the write-back's setup rows
   * exist before any outcome is recorded. At every run, not only at the transition to sending: a process dying
   * between the two commits, or a database lost for that one statement, left a campaign sending without them, and
   * its deliveries never reached Sugar.
   */
  beforeSending?: (campaign: Campaign) => Promise<unknown>;
  /** After extraction: a reason the campaign cannot be sent (its identity's warm-up cannot fit it), and it fails before anything goes. */
  afterExtraction?: (campaign: Campaign) => Promise<string | undefined>;
  tickMs?: number;
  retryExtractionMs?: number;
  /** A held campaign nobody confirmed within this long is cancelled (default 24 hours). */
  heldForMs?: number;
  now?: () => Date;
  /** Leases, with several processes on one database (absent: this process is alone and every job runs here). */
  leases?: Pick<LeaseRunner, 'run'>;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

const isRetryable = (e: unknown) => (e as { retryable?: boolean }).retryable === true;
const DAY_MS = 24 * 3_600_000;
const RECOVER_EVERY_MS = 1000;

export function createScheduler(deps: SchedulerDeps) {
  const { store } = deps;
  const running = new Map<string, Promise<void>>();
  const retryAfter = new Map<string, number>();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const now = () => (deps.now ? deps.now() : new Date());
  const leases = deps.leases ?? runAlone;

  function track(id: string, work: () => Promise<void>) {
    if (running.has(id) || abort.signal.aborted) return;
    const p = work()
      .catch((e) =>
        // The database went away under it: the next tick starts it again once it is back; no stack for an outage.
        e instanceof StoreUnavailableError
          ? deps.logger?.warn({ campaignId: id, err: e.message }, 'campaign.task_interrupted')
          : deps.logger?.error({ err: e, campaignId: id }, 'campaign.task_crashed'),
      )
      .finally(() => running.delete(id));
    running.set(id, p);
  }

  function startExtraction(c: Campaign) {
    if ((retryAfter.get(c.id) ?? 0) > Date.now()) return;
    track(c.id, async () => {
      await leases.run(`extract:${c.id}`, async (signal) => {
        // Another process may have finished it between our read and the lease.
        if (deps.leases && (await store.campaigns.get(c.id))?.status !== 'extracting') return;
        await extract(c, signal);
      });
    });
  }

  async function extract(c: Campaign, signal: AbortSignal) {
    try {
      const audit = await deps.extract(c, signal);
      signal.throwIfAborted();
      const refused = await deps.afterExtraction?.(c);
      if (refused) await store.campaigns.transition(c.id, ['extracting'], 'failed', `nothing was sent: ${refused}`.slice(0, 500));
      else await store.campaigns.transition(c.id, ['extracting'], 'pending', `extracted: ${audit.queued} queued of ${audit.candidates}`);
      retryAfter.delete(c.id);
    } catch (e) {
      if (signal.aborted) {
        // The lease was lost (taken over, or the database away too long): whoever holds it now goes on from the ledger.
        deps.logger?.warn({ campaignId: c.id, err: (e as Error).message }, 'campaign.extraction_handed_over');
      } else if (isRetryable(e)) {
        retryAfter.set(c.id, Date.now() + (deps.retryExtractionMs ?? 30_000));
        deps.logger?.warn({ campaignId: c.id, err: (e as Error).message }, 'campaign.extraction_retry');
      } else {
        await store.campaigns.transition(c.id, ['extracting'], 'failed', `extraction failed: ${(e as Error).message}`.slice(0, 500));
      }
    }
  }

  function startSending(c: Campaign) {
    track(c.id, async () => {
      await deps.beforeSending?.(c);
      const result = await deps.send(c.id, abort.signal);
      // A step campaign stays 'sending' when its ledger is empty (targets reach the step later) until its automation stops.
      if (result === 'done' && !(await store.automations?.isOpenStepCampaign(c.id))) await finishSending(store, c.id);
    });
  }

  let recoveredAt = 0;
  async function lifecycle() {
    // A process that died mid-send left rows 'sending' under its name; they turn uncertain once its lease expired.
    if (deps.leases && Date.now() - recoveredAt >= RECOVER_EVERY_MS) {
      recoveredAt = Date.now();
      const recovered = await store.recipients.recoverOrphaned();
      if (recovered) deps.logger?.warn({ recovered }, 'ledger.recovered_uncertain');
    }
    for (const c of await store.campaigns.inStatus(['draft'])) {
      // A campaign to a Sugar saved filter or report, or a follow-up to non-openers, is extracted at its send time, so
      // it goes to whom they select then. A held one is extracted now: the person reviewing it confirms exactly the people they were shown.
      if ((c.audiences?.length || c.followUpOf) && !c.held && c.sendAt > now().toISOString()) continue;
      if (await store.campaigns.transition(c.id, ['draft'], 'extracting', 'extraction started')) startExtraction({ ...c, status: 'extracting' });
    }
    for (const c of await store.campaigns.inStatus(['extracting'])) startExtraction(c);
    // A review left open in a closed browser would otherwise stay held, and in every list, for ever.
    const heldSince = new Date(now().getTime() - (deps.heldForMs ?? DAY_MS)).toISOString();
    for (const c of await store.campaigns.staleHolds(heldSince)) await cancelIfHeld(store, c.id, 'held for review and never confirmed');
    for (const c of await store.campaigns.due(now().toISOString())) {
      if (await store.campaigns.transition(c.id, ['pending'], 'sending', 'send time reached')) startSending(c);
    }
  }

  async function tick() {
    await leases.run('scheduler:tick', lifecycle, { keep: true });
    for (const c of await store.campaigns.inStatus(['sending'])) startSending(c);
  }

  return {
    async start() {
      // Alone on the database, whatever is 'sending' was this database's last process's; shared, only the dead's.
      const recovered = deps.leases ? 0 : await store.recipients.recoverInFlight();
      if (recovered) deps.logger?.warn({ recovered }, 'ledger.recovered_uncertain');
      await tick();
      const failures = turnFailures(deps.logger, 'scheduler.tick_failed');
      timer = setInterval(async () => {
        try {
          await tick();
          failures.ok();
        } catch (e) {
          failures.failed(e);
        }
      }, deps.tickMs ?? 500);
    },
    kick: tick,
    /** Stop claiming work, let in-flight sends finish, then resolve. */
    async stop() {
      if (timer) clearInterval(timer);
      abort.abort();
      await Promise.allSettled([...running.values()]);
    },
    idle: () => Promise.allSettled([...running.values()]).then(() => undefined),
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

/**
 * 'sending' → 'sent', unless a row was queued again since the send loop found none (a resend of uncertain rows, in
 * any process): decided under the campaign's lock, which that resend takes too. Left sending, the next tick sends it.
 */
/** Cancels a campaign held for review, under its lock and only if still held: a Confirm that landed meanwhile stands. */
export async function cancelIfHeld(store: UnitOfWork, id: string, reason: string): Promise<boolean> {
  return await store.transaction(async (tx) => {
    const c = await tx.campaigns.get(id, { lock: true });
    return !!c?.held && (await tx.campaigns.transition(id, [c.status], 'cancelled', reason));
  });
}

export async function finishSending(store: UnitOfWork, id: string): Promise<boolean> {
  return await store.transaction(async (tx) => {
    await tx.campaigns.get(id, { lock: true });
    const left = await tx.recipients.counts(id);
    return left.queued + left.sending === 0 && (await tx.campaigns.transition(id, ['sending'], 'sent', 'every recipient handed off'));
  });
}
