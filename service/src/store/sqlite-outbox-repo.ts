import type Database from 'better-sqlite3';
import type { NewOutboxItem, OutboxClaim, OutboxRepo, OutboxStats } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { SqliteRepo } from './sqlite-repo.js';
import { isoTime, opt, toJson } from './values.js';

interface ClaimRow {
  id: number;
  key: string;
  kind: string;
  campaign_id: string | null;
  payload: string;
  attempts: number;
}

export class SqliteOutboxRepo extends SqliteRepo implements OutboxRepo {
  /** `staleMs`: a claim older than this is presumed lost with its worker and may be claimed again. */
  constructor(
    db: Database.Database,
    now: () => string,
    private readonly staleMs: number,
  ) {
    super(db, now);
  }

  private readonly q = {
    enqueue: this.db.prepare(`INSERT INTO outbox (key, kind, campaign_id, payload, run_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
    // INDEXED BY: without it the planner picks outbox_state and sorts every pending row per claim.
    claim: this.db.prepare(`UPDATE outbox SET locked_at = @now, locked_by = @worker, attempts = attempts + 1
      WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_due WHERE state = 'pending' AND run_at <= @now
        AND (locked_at IS NULL OR locked_at < @staleBefore) ORDER BY run_at, id LIMIT @limit)
      RETURNING id, key, kind, campaign_id, payload, attempts`),
    complete: this.db.prepare(`UPDATE outbox SET state = 'done', done_at = ?, last_error = NULL, locked_at = NULL, locked_by = NULL
      WHERE id = ? AND state = 'pending'`),
    defer: this.db.prepare(`UPDATE outbox SET run_at = ?, attempts = max(attempts - 1, 0), locked_at = NULL, locked_by = NULL
      WHERE id = ? AND state = 'pending'`),
    note: this.db.prepare('UPDATE outbox SET last_error = ? WHERE id = ?'),
    state: this.db.prepare('SELECT state FROM outbox WHERE key = ?').pluck(),
    pendingTime: this.db.prepare(`SELECT run_at, CASE WHEN locked_at >= ? THEN locked_at END AS claimed_at FROM outbox
      WHERE key = ? AND state = 'pending'`),
    hasten: this.db.prepare(`UPDATE outbox INDEXED BY outbox_campaign SET run_at = @now WHERE campaign_id = @campaignId AND state = 'pending'
      AND kind IN (SELECT value FROM json_each(@kinds)) AND locked_at IS NULL AND attempts = 0 AND run_at > @now`),
    notes: this.db.prepare(`SELECT id, key, kind, last_error FROM outbox INDEXED BY outbox_with_error
      WHERE campaign_id = ? AND state = 'done' AND last_error IS NOT NULL ORDER BY id DESC LIMIT ?`),
    retryingAll: this.db.prepare(`SELECT id, key, kind, last_error, attempts, run_at FROM outbox
      WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY id DESC LIMIT ?`),
    // INDEXED BY: the partial index holds only rows with an error or note; outbox_campaign would scan every row.
    retryingCampaign: this.db.prepare(`SELECT id, key, kind, last_error, attempts, run_at FROM outbox INDEXED BY outbox_with_error
      WHERE campaign_id = ? AND state = 'pending' AND last_error IS NOT NULL ORDER BY id DESC LIMIT ?`),
    retry: this.db.prepare(`UPDATE outbox SET run_at = ?, last_error = ?, locked_at = NULL, locked_by = NULL
      WHERE id = ? AND state = 'pending'`),
    kill: this.db.prepare(`UPDATE outbox SET state = 'dead', last_error = ?, done_at = ?, locked_at = NULL, locked_by = NULL
      WHERE id = ? AND state = 'pending'`),
    revive: this.db.prepare(`UPDATE outbox SET state = 'pending', run_at = ?, done_at = NULL, attempts = 0
      WHERE id = ? AND state = 'dead'`),
    sweep: this.db.prepare(`UPDATE outbox SET locked_at = NULL, locked_by = NULL
      WHERE state = 'pending' AND locked_at IS NOT NULL AND locked_at < ?`),
    countsAll: this.db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state'),
    countsCampaign: this.db.prepare('SELECT state, count(*) AS n FROM outbox WHERE campaign_id = ? GROUP BY state'),
    oldestAll: this.db.prepare(`SELECT min(created_at) FROM outbox WHERE state = 'pending'`).pluck(),
    oldestCampaign: this.db.prepare(`SELECT min(created_at) FROM outbox WHERE campaign_id = ? AND state = 'pending'`).pluck(),
    dead: this.db.prepare(`SELECT id, key, kind, campaign_id, last_error, attempts FROM outbox
      WHERE state = 'dead' AND (@campaignId IS NULL OR campaign_id = @campaignId) ORDER BY id DESC LIMIT @limit`),
  };

  enqueue(item: NewOutboxItem): boolean {
    if (typeof item.key !== 'string' || item.key === '') throw new StoreInputError('outbox item needs a key');
    const now = this.now();
    const runAt = item.runAt ? isoTime(item.runAt, 'runAt') : now;
    return this.q.enqueue.run(item.key, item.kind, item.campaignId ?? null, toJson(item.payload), runAt, now).changes === 1;
  }

  // In-process, a prepared statement per row costs no more than one statement for all.
  enqueueMany(items: NewOutboxItem[]): number {
    for (const item of items) if (typeof item.key !== 'string' || item.key === '') throw new StoreInputError('outbox item needs a key');
    return this.db.transaction(() => items.reduce((n, item) => n + (this.enqueue(item) ? 1 : 0), 0))();
  }

  claim(limit: number, workerId: string, nowIso: string): OutboxClaim[] {
    const nowMs = Date.parse(isoTime(nowIso, 'now'));
    const rows = this.q.claim.all({
      now: new Date(nowMs).toISOString(),
      staleBefore: new Date(nowMs - this.staleMs).toISOString(),
      worker: workerId,
      limit,
    }) as ClaimRow[];
    return rows
      .map((r) => ({ id: r.id, key: r.key, kind: r.kind, campaignId: opt(r.campaign_id), payload: JSON.parse(r.payload) as unknown, attempts: r.attempts }))
      .sort((a, b) => a.id - b.id);
  }

  complete(ids: number[]): void {
    const now = this.now();
    this.db.transaction(() => {
      for (const id of ids) this.q.complete.run(now, id);
    })();
  }

  fail(id: number, error: string, retryAt: string | null): void {
    if (retryAt === null) this.q.kill.run(error, this.now(), id);
    else this.q.retry.run(isoTime(retryAt, 'retryAt'), error, id);
  }

  /** Operator action after fixing the cause (rights, deleted record): dead rows go back to pending. */
  revive(ids: number[], runAtIso: string): number {
    const runAt = isoTime(runAtIso, 'runAt');
    return this.db.transaction(() => ids.reduce((n, id) => n + this.q.revive.run(runAt, id).changes, 0))();
  }

  defer(ids: number[], runAtIso: string): void {
    const runAt = isoTime(runAtIso, 'runAt');
    this.db.transaction(() => {
      for (const id of ids) this.q.defer.run(runAt, id);
    })();
  }

  note(id: number, text: string): void {
    this.q.note.run(text.slice(0, 2000), id);
  }

  notes(limit: number, campaignId: string): Array<{ id: number; key: string; kind: string; note: string }> {
    const rows = this.q.notes.all(campaignId, limit) as Array<{ id: number; key: string; kind: string; last_error: string }>;
    return rows.map((r) => ({ id: r.id, key: r.key, kind: r.kind, note: r.last_error }));
  }

  pendingTime(key: string): { runAt: string; claimedAt?: string } | undefined {
    const staleBefore = new Date(Date.parse(this.now()) - this.staleMs).toISOString();
    const r = this.q.pendingTime.get(staleBefore, key) as { run_at: string; claimed_at: string | null } | undefined;
    return r && { runAt: r.run_at, claimedAt: opt(r.claimed_at) };
  }

  hasten(campaignId: string, kinds: readonly string[], nowIso: string): number {
    return this.q.hasten.run({ campaignId, kinds: JSON.stringify(kinds), now: isoTime(nowIso, 'now') }).changes;
  }

  states(keys: string[]): Map<string, 'pending' | 'done' | 'dead'> {
    const out = new Map<string, 'pending' | 'done' | 'dead'>();
    for (const key of new Set(keys)) {
      const state = this.q.state.get(key) as 'pending' | 'done' | 'dead' | undefined;
      if (state) out.set(key, state);
    }
    return out;
  }

  retrying(limit: number, campaignId?: string): Array<{ id: number; key: string; kind: string; lastError: string; attempts: number; runAt: string }> {
    const rows = (campaignId === undefined ? this.q.retryingAll.all(limit) : this.q.retryingCampaign.all(campaignId, limit)) as Array<{
      id: number;
      key: string;
      kind: string;
      last_error: string;
      attempts: number;
      run_at: string;
    }>;
    return rows.map((r) => ({ id: r.id, key: r.key, kind: r.kind, lastError: r.last_error, attempts: r.attempts, runAt: r.run_at }));
  }

  sweepStale(olderThanIso: string): number {
    return this.q.sweep.run(isoTime(olderThanIso, 'olderThan')).changes;
  }

  stats(campaignId?: string): OutboxStats {
    const rows = (campaignId === undefined ? this.q.countsAll.all() : this.q.countsCampaign.all(campaignId)) as Array<{ state: string; n: number }>;
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const oldest = (campaignId === undefined ? this.q.oldestAll.get() : this.q.oldestCampaign.get(campaignId)) as string | null;
    const stats: OutboxStats = { pending: by.pending ?? 0, done: by.done ?? 0, dead: by.dead ?? 0 };
    if (oldest) stats.oldestPendingAt = oldest;
    return stats;
  }

  dead(limit: number, campaignId?: string): Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }> {
    const rows = this.q.dead.all({ limit, campaignId: campaignId ?? null }) as Array<{
      id: number;
      key: string;
      kind: string;
      campaign_id: string | null;
      last_error: string | null;
      attempts: number;
    }>;
    return rows.map((r) => ({ id: r.id, key: r.key, kind: r.kind, campaignId: opt(r.campaign_id), lastError: r.last_error ?? '', attempts: r.attempts }));
  }
}
