// The outbox worker: claims due rows, writes them to Sugar, and commits each row's verdict (done,
// retry with backoff, dead) together with what it changed locally. Campaign setup goes first; a
// campaign's activity waits until its Sugar Campaign exists. When Sugar is unreachable the worker
// itself backs off, so an outage costs a few calls instead of one per row.
import { randomUUID } from 'node:crypto';
import { ACTIVITY_KINDS, type ActivityItem, outboxKey, readOutboxItem, scoreItem } from '../domain/outbox.js';
import { retryDelayMs } from '../domain/writeback-results.js';
import { StoreUnavailableError } from '../ports/errors.js';
import type { OutboxClaim, StoredCampaign, WrittenLogRow } from '../ports/index.js';
import { turnFailures } from '../ports/log.js';
import { type RowOutcome, writeActivity } from './activity-batch.js';
import { syncHits } from './hits.js';
import type { OptOutScopeSource } from './opt-out-scope.js';
import { prepareActivity, type RowPlan } from './plan.js';
import type { LoopStore, PlanStore } from './ports.js';
import { createScoreWriter } from './scores.js';
import { type BulkPort, createSender, type WritebackLogger } from './send.js';
import type { WritebackSettings } from './settings.js';
import { runCampaignSetup, runListSetup, type SetupOutcome } from './setup.js';

export interface WritebackLoopDeps {
  store: LoopStore;
  sugar: BulkPort;
  settings: WritebackSettings;
  links: (c: StoredCampaign) => Promise<string[]>;
  /** Puts a campaign's setup rows in the outbox (idempotent). */
  ensureSetup: (c: StoredCampaign) => unknown;
  logger?: WritebackLogger;
  optOutScope: OptOutScopeSource;
  /** Test seam: runs after Sugar answered a call and before the verdicts are committed. */
  afterSugarAnswer?: () => void;
  random?: () => number;
  /** Sugar's request budget shared by every process on the database (absent: this process's own bucket). */
  sugarBucket?: { take(): number };
}

const SETUP_WAIT_MS = 500;
const SETUP_IN_FLIGHT_WAIT_MS = 10_000;
/** What waits for its campaign's setup (scores wait for none), made due when the setup is done. */
const WAITING_KINDS = ['list', ...ACTIVITY_KINDS];

const HITS_EVERY_MS = 1000;
/** Facts that change a person's engagement score, once written back. */
const SCORED = new Set(['open', 'click', 'optout', 'bounce']);
const SCORED_MODULES = new Set(['Contacts', 'Leads', 'Prospects']);

export function createWritebackLoop(deps: WritebackLoopDeps) {
  const { store, settings } = deps;
  const workerId = `wb-${process.pid}-${randomUUID().slice(0, 8)}`;
  const send = createSender({ sugar: deps.sugar, ratePerSecond: settings.ratePerSecond, afterAnswer: deps.afterSugarAnswer, bucket: deps.sugarBucket });
  const scores = createScoreWriter({ store, send, weights: settings.score.weights });
  const setupDone = new Set<string>();
  const active = new Set<Promise<void>>();
  let running = false;
  let loopDone: Promise<void> | undefined;
  let generation = 0;
  let wake: (() => void) | undefined;
  let pauseUntil = 0;
  let outages = 0;
  let lastHits = 0;
  let lastSweep = 0;

  const nowIso = () => new Date().toISOString();
  const later = (ms: number) => new Date(Date.now() + ms).toISOString();

  function noteOutage(outage: boolean) {
    if (!outage) {
      if (outages) deps.logger?.info({ event: 'writeback.sugar_back', failedCalls: outages }, 'writeback.sugar_back');
      outages = 0;
      return;
    }
    outages++;
    const pauseMs = retryDelayMs(outages, 500, 30_000, deps.random);
    pauseUntil = Math.max(pauseUntil, Date.now() + pauseMs);
    if (outages === 1 || outages % 10 === 0)
      deps.logger?.warn({ event: 'writeback.sugar_unavailable', failedCalls: outages, pauseMs }, 'writeback.sugar_unavailable');
  }

  async function commit(claims: OutboxClaim[], outcomes: Array<RowOutcome | SetupOutcome>) {
    const byId = new Map(claims.map((c) => [c.id, c]));
    // Done rows are completed in one statement batch: one per row cost a savepoint each, a tenth of the
    // main thread's time while a campaign was sending.
    const done: number[] = [];
    const written: WrittenLogRow[] = [];
    const notes: Array<[number, string]> = [];
    await store.transaction(async (tx) => {
      for (const o of outcomes) {
        const claim = byId.get(o.id)!;
        if (o.kind === 'done') {
          await (o as SetupOutcome).after?.(tx);
          if (claim.kind === 'campaign' && claim.campaignId) await tx.outbox.hasten(claim.campaignId, WAITING_KINDS, nowIso());
          written.push(...o.written);
          done.push(o.id);
          if (o.note) notes.push([o.id, o.note]);
          await scoreDue(tx, claim);
        } else if (o.kind === 'dead' || claim.attempts >= settings.maxAttempts) {
          const error = o.kind === 'dead' ? o.error : `gave up after ${claim.attempts} attempts: ${o.error}`;
          await tx.outbox.fail(o.id, error, null);
          deps.logger?.error({ event: 'outbox.dead', id: o.id, key: claim.key, campaignId: claim.campaignId, error }, 'outbox.dead');
        } else {
          const retryAt = Date.now() + retryDelayMs(claim.attempts, settings.retryBaseMs, settings.retryMaxMs, deps.random);
          await tx.outbox.fail(o.id, o.error, new Date(retryAt).toISOString());
        }
      }
      if (written.length) await tx.writeback.recordWritten(written);
      if (done.length) await tx.outbox.complete(done);
      for (const [id, text] of notes) await tx.outbox.note(id, text);
    });
  }

  /** A fact that changes the person's score reached Sugar: their score is due at the end of this window (one row per window). */
  async function scoreDue(tx: Pick<LoopStore, 'outbox'>, claim: OutboxClaim) {
    if (!settings.score.enabled || !SCORED.has(claim.kind)) return;
    const p = (claim.payload ?? {}) as { module?: unknown; recordId?: unknown; reason?: unknown };
    if (claim.kind === 'bounce' && p.reason !== 'hard') return;
    if (typeof p.module !== 'string' || !SCORED_MODULES.has(p.module) || typeof p.recordId !== 'string' || !p.recordId) return;
    await tx.outbox.enqueue(scoreItem({ campaignId: claim.campaignId ?? '', module: p.module, recordId: p.recordId }, new Date(), settings.score.windowMs));
  }

  /** The state of a campaign's setup row; absent until it is enqueued. */
  const setupRowState = async (campaignId: string) => {
    const key = outboxKey.campaign(campaignId);
    return { key, state: (await store.outbox.states([key])).get(key) };
  };

  /** 'ready' when the campaign's Sugar Campaign exists; otherwise how long to wait, or the reason to give up. */
  async function setupState(c: StoredCampaign): Promise<'ready' | { waitMs: number } | { dead: string }> {
    if (setupDone.has(c.id)) return 'ready';
    const { key, state } = await setupRowState(c.id);
    if (state === 'done') {
      setupDone.add(c.id);
      return 'ready';
    }
    if (state === 'dead') return { dead: `the Sugar Campaign could not be set up (outbox row ${key} is dead); revive it first` };
    if (state === undefined) {
      await deps.ensureSetup(c);
      return { waitMs: SETUP_WAIT_MS };
    }
    return { waitMs: await setupWaitMs(key) };
  }

  /**
   * How long rows put off for a pending setup wait: until its retry, whichever process failed it (held in memory, a
   * restarted or second process rewrote a campaign's whole outbox every 500 ms until then), or while a worker holds it
   * (through a Sugar outage its calls retry for seconds) 10 s. Either way the setup's completion makes them due in
   * its own transaction (commit), and a worker that deferred rows while that happened makes them due itself; only
   * statements of both at the very same moment can leave some to their wait.
   */
  async function setupWaitMs(key: string): Promise<number> {
    const t = await store.outbox.pendingTime(key);
    if (t?.claimedAt) return SETUP_IN_FLIGHT_WAIT_MS;
    return Math.max(SETUP_WAIT_MS, t ? Date.parse(t.runAt) - Date.now() : 0);
  }

  /** The plan's store, with the ledger rows of the batch's activity read in one go (one read per row was a round trip each). */
  async function withLedgerRowsOf(claims: OutboxClaim[]): Promise<PlanStore> {
    const ids = new Set<number>();
    for (const claim of claims) {
      const item = readOutboxItem(claim);
      const rowId = !('malformed' in item) && ACTIVITY_KINDS.has(item.kind) ? (item as ActivityItem).payload.rowId : undefined;
      if (Number.isSafeInteger(rowId)) ids.add(rowId as number);
    }
    const rows = new Map((await store.recipients.getMany([...ids])).map((r) => [r.rowId, r]));
    return {
      recipients: { get: (rowId) => (ids.has(rowId) ? rows.get(rowId) : store.recipients.get(rowId)) },
      lists: store.lists,
      suppressions: store.suppressions,
      outbox: store.outbox,
      engagement: store.engagement,
    };
  }

  /** `settled`: the rows whose verdicts it committed on the way (setups go alone), filled as it goes. */
  async function processBatch(claims: OutboxClaim[], settled: Set<number>) {
    const outcomes: Array<RowOutcome | SetupOutcome> = [];
    const deferred = new Map<string, { ids: number[]; ms: number }>();
    const plans: RowPlan[] = [];
    const campaigns = new Map<string, StoredCampaign | undefined>();
    const campaignOf = async (id: string) => {
      if (!campaigns.has(id)) campaigns.set(id, await store.campaigns.get(id));
      return campaigns.get(id);
    };
    // One look (and at most one setup request) per campaign and batch, not one per claimed row.
    const setups = new Map<string, ReturnType<typeof setupState>>();
    const setupOf = (c: StoredCampaign) => {
      if (!setups.has(c.id)) setups.set(c.id, setupState(c));
      return setups.get(c.id)!;
    };
    let outage = false;
    let calledSugar = false;
    const optOutScope = await deps.optOutScope.current();
    const scoreClaims: OutboxClaim[] = [];
    const planStore = await withLedgerRowsOf(claims);
    for (const claim of claims) {
      const item = readOutboxItem(claim);
      if ('malformed' in item) {
        outcomes.push({ id: claim.id, kind: 'dead', error: item.malformed });
        continue;
      }
      // A score is about a person across campaigns: it waits for no campaign's setup.
      if (item.kind === 'score') {
        scoreClaims.push(claim);
        continue;
      }
      const campaignId = item.campaignId;
      const c = campaignId ? await campaignOf(campaignId) : undefined;
      if (!c) {
        outcomes.push({ id: claim.id, kind: 'dead', error: `campaign ${campaignId || '(none)'} of ${claim.key} does not exist here any more` });
        continue;
      }
      if (item.kind === 'campaign') {
        const o = await runCampaignSetup({ store, send, links: deps.links }, claim, c);
        calledSugar = true;
        outage ||= !!o.outage;
        await commit([claim], [o]);
        settled.add(claim.id);
        setups.delete(c.id);
        if (o.kind === 'done') setupDone.add(c.id);
        continue;
      }
      const setup = await setupOf(c);
      if (typeof setup === 'object' && 'waitMs' in setup) {
        const waiting = deferred.get(c.id) ?? { ids: [], ms: setup.waitMs };
        waiting.ids.push(claim.id);
        deferred.set(c.id, waiting);
        continue;
      }
      if (typeof setup === 'object') {
        outcomes.push({ id: claim.id, kind: 'dead', error: setup.dead });
        continue;
      }
      if (item.kind === 'list') {
        const o = await runListSetup({ store, send, links: deps.links }, claim, c, item);
        calledSugar = true;
        outage ||= !!o.outage;
        await commit([claim], [o]);
        settled.add(claim.id);
        continue;
      }
      if (!ACTIVITY_KINDS.has(item.kind)) continue; // every kind is handled above; this narrows the type
      const prepared = await prepareActivity(planStore, c, claim, item as ActivityItem, optOutScope);
      if ('plan' in prepared) plans.push(prepared.plan);
      else if ('done' in prepared) outcomes.push({ id: claim.id, kind: 'done', written: [], note: prepared.note });
      else outcomes.push({ id: claim.id, kind: 'dead', error: prepared.dead });
    }
    // Rows waiting for their campaign's setup wait as long as the setup does: every 500 ms through a
    // Sugar outage they were claimed and deferred again, a whole campaign's outbox rewritten per turn.
    for (const [campaignId, { ids, ms }] of deferred) {
      await store.outbox.defer(ids, later(ms));
      for (const id of ids) settled.add(id); // no longer claimed: not ours to try again if the batch throws
      // The setup may have been done meanwhile: its hasten passed over these rows while they were claimed.
      if ((await setupRowState(campaignId)).state === 'done') await store.outbox.hasten(campaignId, WAITING_KINDS, nowIso());
    }
    if (plans.length) {
      const res = await writeActivity(plans, send, settings.bulkMax);
      calledSugar = true;
      outage ||= res.outage;
      outcomes.push(...res.outcomes);
    }
    if (scoreClaims.length) {
      const res = await scores.write(scoreClaims);
      calledSugar = true;
      outage ||= res.outage;
      outcomes.push(...res.outcomes);
    }
    await commit(claims, outcomes);
    // A batch that only waited learned nothing about Sugar; it must not reset the outage backoff.
    if (calledSugar) noteOutage(outage);
  }

  /**
   * A batch that throws for a reason of ours (not the database's) is tried again row by row: a row our code cannot
   * handle fails alone, counting its attempts towards dead like any failed row, and the rows claimed with it go on.
   * Retried whole, it would hold them back for as long as it kept throwing.
   */
  async function processOrIsolate(claims: OutboxClaim[]): Promise<void> {
    const settled = new Set<number>();
    try {
      await processBatch(claims, settled);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      const open = claims.filter((c) => !settled.has(c.id));
      if (open.length === 1) await commit(open, [{ id: open[0].id, kind: 'retry', error: `write-back failed: ${errorText(err)}` }]);
      if (open.length < 2) return;
      deps.logger?.warn({ event: 'writeback.batch_isolated', rows: open.length, err: errorText(err) }, 'writeback.batch_isolated');
      for (const claim of open) await processOrIsolate([claim]);
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  /** Rows of batches that failed whole (the database went away before their verdicts were committed). */
  const unsettled = new Set<number>();
  const batchFailures = turnFailures(deps.logger, 'writeback.batch_failed');
  const loopFailures = turnFailures(deps.logger, 'writeback.loop_failed');

  // Batches that threw in a row. A batch that fails at once every time (a row our own code cannot map) would
  // otherwise be claimed again straight away, on microtasks only, and starve the event loop.
  let failedInARow = 0;
  function track(p: Promise<void>, ids: number[] = []) {
    const t: Promise<void> = p
      .then(
        () => {
          failedInARow = 0;
          batchFailures.ok();
        },
        (err) => {
          // Their claims would otherwise hold them until they are stale (minutes): they go back as soon as the database does.
          for (const id of ids) unsettled.add(id);
          batchFailures.failed(err);
          failedInARow++;
          pauseUntil = Math.max(pauseUntil, Date.now() + retryDelayMs(failedInARow, 500, 30_000, deps.random));
        },
      )
      .finally(() => active.delete(t));
    active.add(t);
  }

  async function loop(mine: number) {
    while (running && mine === generation) {
      if (active.size >= settings.inFlight) {
        await Promise.race(active);
        continue;
      }
      const pause = pauseUntil - Date.now();
      if (pause > 0) {
        await sleep(pause);
        continue;
      }
      try {
        if (Date.now() - lastSweep > 60_000) {
          lastSweep = Date.now();
          await store.outbox.sweepStale(new Date(Date.now() - 10 * 60_000).toISOString());
        }
        if (unsettled.size) {
          await store.outbox.defer([...unsettled], nowIso());
          unsettled.clear();
        }
        const claims = await store.outbox.claim(settings.batchSize, workerId, nowIso());
        loopFailures.ok();
        if (claims.length) {
          track(
            processOrIsolate(claims),
            claims.map((c) => c.id),
          );
          continue;
        }
        if (active.size === 0 && Date.now() - lastHits >= HITS_EVERY_MS) {
          lastHits = Date.now();
          track(
            syncHits(store, send, settings.bulkMax, deps.logger).then((n) => {
              noteOutage(n === 'outage');
              if (typeof n === 'number' && n > 0) lastHits = 0; // more may be waiting
            }),
          );
          continue;
        }
      } catch (err) {
        loopFailures.failed(err);
      }
      await sleep(settings.pollMs);
    }
    await Promise.allSettled([...active]);
  }

  return {
    workerId,
    async start() {
      if (running) return;
      running = true;
      const mine = ++generation;
      // A lane lost and gained again before the stop finished: that loop ends first (it sees the generation move on),
      // or its calls in flight would be swept back and written twice.
      wake?.();
      await loopDone;
      if (mine !== generation || !running) return;
      // One worker per database: whatever a killed process left claimed is ours to retry now.
      await store.outbox.sweepStale(new Date(Date.now() + 1).toISOString());
      loopDone = loop(mine);
    },
    /** New rows are waiting: look now instead of at the next poll. */
    wake() {
      wake?.();
    },
    /** Stops claiming and waits for calls in flight; their rows are committed or retried. */
    async stop() {
      running = false;
      wake?.();
      await loopDone;
    },
    /** Nothing claimed or in flight (tests and benchmarks wait on the outbox itself). */
    busy: () => active.size > 0,
  };
}

export type WritebackLoop = ReturnType<typeof createWritebackLoop>;

const errorText = (err: unknown) => String((err as Error | undefined)?.message ?? err).slice(0, 300);
