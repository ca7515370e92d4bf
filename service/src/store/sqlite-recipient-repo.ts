import type Database from 'better-sqlite3';
import type { Creator, RecipientState } from '../domain/types.js';
import { ANSWER_GRACE_MS } from '../domain/uncertain.js';
import type { LedgerRecipient, Outcome, RecipientRepo, UncertainAction } from '../ports/index.js';
import {
  answeredLate,
  COLUMNS,
  checkLimit,
  checkOutcomes,
  claimerAlive,
  INTERRUPTED,
  type LedgerTarget,
  ledgerValues,
  NOT_FINISHED,
  type RecipientRow,
  reservation,
  stateCounts,
  toRecipient,
  uncertainDecision,
} from './ledger-values.js';
import { checkIds, isoTime, toJson } from './values.js';

// One statement, so two workers (or two processes) can never both take the same row. The inner
// select reads only the partial index recipients_claim (exported so a test can check the plan).
export const CLAIM_SQL = `UPDATE recipients SET state = 'sending', attempts = attempts + 1, updated_at = @now, claimed_by = @owner, data_end_at = @now
  WHERE row_id IN (SELECT row_id FROM recipients
    WHERE campaign_id = @campaignId AND state = 'queued' AND retry_at <= @now
    ORDER BY retry_at, row_id LIMIT @limit)
  RETURNING ${COLUMNS}`;

// As the claim, but the rows stay 'queued': only reserved (retry_at = the reservation's end keeps them out of every
// other claim, through the same index) until markSending takes them right before hand-off.
const RESERVE_SQL = `UPDATE recipients SET reserved_by = @holder, retry_at = @until, updated_at = @now, claimed_by = @owner
  WHERE row_id IN (SELECT row_id FROM recipients
    WHERE campaign_id = @campaignId AND state = 'queued' AND retry_at <= @now
      AND (@except IS NULL OR coalesce(provider, '') NOT IN (SELECT value FROM json_each(@except)))
    ORDER BY retry_at, row_id LIMIT @limit)
  RETURNING ${COLUMNS}`;

export class SqliteRecipientRepo implements RecipientRepo {
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => string,
    private readonly owner: string | null = null,
    private readonly nowMs: () => number = () => Date.parse(now()),
    private readonly answerGraceMs = ANSWER_GRACE_MS,
  ) {
    this.q = {
      insert: db.prepare(`INSERT INTO recipients (campaign_id, address_key, module, record_id, list_id, email,
          email_address_id, fields, tracking_consent, provider, sender, retry_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, address_key) DO NOTHING`),
      claim: db.prepare(CLAIM_SQL),
      reserve: db.prepare(RESERVE_SQL),
      // Ungated, the dot may go at any moment from now: marked at once, so a crash leaves the row uncertain as before.
      markSending: db.prepare(`UPDATE recipients SET state = 'sending', attempts = attempts + 1, reserved_by = NULL, retry_at = '', updated_at = @now,
          claimed_by = @owner, data_end_at = CASE WHEN @gated = 1 THEN NULL ELSE @now END
        WHERE row_id IN (SELECT value FROM json_each(@ids)) AND state = 'queued' AND reserved_by = @holder
          AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = recipients.campaign_id AND c.status = 'sending')
        RETURNING row_id`),
      // Idempotent (a retry after a lost reply marks again and keeps the first time).
      markDataEnd: db.prepare(`UPDATE recipients SET data_end_at = coalesce(data_end_at, @now)
        WHERE row_id IN (SELECT value FROM json_each(@ids)) AND state = 'sending' AND claimed_by IS @owner
        RETURNING row_id`),
      unreserve: db.prepare(`UPDATE recipients SET reserved_by = NULL, retry_at = @at, updated_at = @now, last_error = coalesce(@reason, last_error)
        WHERE row_id IN (SELECT value FROM json_each(@ids)) AND state = 'queued' AND reserved_by = @holder`),
      releaseHolder: db.prepare(`UPDATE recipients SET reserved_by = NULL, retry_at = '', updated_at = ?
        WHERE campaign_id = ? AND state = 'queued' AND reserved_by = ?`),
      unreserveAll: db.prepare(`UPDATE recipients SET reserved_by = NULL, retry_at = '', updated_at = ? WHERE reserved_by IS NOT NULL AND state = 'queued'`),
      outcome: db.prepare(`UPDATE recipients SET state = @state, message_id = coalesce(@messageId, message_id),
          last_error = @error, retry_at = @retryAt, updated_at = @now,
          accepted_at = CASE WHEN @state <> 'accepted' THEN accepted_at WHEN state = 'uncertain' THEN coalesce(nullif(data_end_at, ''), @now) ELSE @now END
        WHERE row_id = @rowId AND (state = 'sending' OR (state = 'uncertain' AND last_error = @interrupted AND @state NOT IN ('queued', 'uncertain'))) AND claimed_by IS @owner`),
      answeredLate: db.prepare(`UPDATE recipients SET last_error = @text, updated_at = @now
        WHERE row_id = @rowId AND state = 'uncertain' AND last_error = @interrupted AND claimed_by IS @owner`),
      release: db.prepare(`UPDATE recipients SET state = 'queued', attempts = max(attempts - 1, 0), updated_at = ?
        WHERE row_id = ? AND state = 'sending' AND claimed_by IS ?`),
      defer: db.prepare(`UPDATE recipients SET state = 'queued', attempts = max(attempts - 1, 0), retry_at = ?, updated_at = ?,
          last_error = coalesce(?, last_error) WHERE row_id = ? AND state = 'sending' AND claimed_by IS ?`),
      // Reads the claim index (campaign, retry_at) up to `until`: only rows that would otherwise be claimed first.
      deferQueued: db.prepare(`UPDATE recipients SET retry_at = @until, updated_at = @now, last_error = coalesce(@reason, last_error)
        WHERE campaign_id = @campaignId AND state = 'queued' AND reserved_by IS NULL AND retry_at < @until AND (@provider IS NULL OR coalesce(provider, '') = @provider)
          AND (@notIn IS NULL OR coalesce(provider, '') NOT IN (SELECT value FROM json_each(@notIn)))`),
      queuedByProvider: db.prepare(`SELECT coalesce(provider, '') AS provider, count(*) AS n FROM recipients
        WHERE campaign_id = ? AND state = 'queued' GROUP BY 1`),
      nextDue: db.prepare(`SELECT min(retry_at) FROM recipients WHERE campaign_id = ? AND state = 'queued'`).pluck(),
      requeueUnfinished: db.prepare(`UPDATE recipients SET state = 'queued', attempts = max(attempts - 1, 0), retry_at = '', last_error = ?, updated_at = ?
        WHERE state = 'sending' AND data_end_at IS NULL`),
      recover: db.prepare(`UPDATE recipients SET state = 'uncertain', last_error = ?, updated_at = ? WHERE state = 'sending'`),
      requeueOrphaned: db.prepare(`UPDATE recipients SET state = 'queued', attempts = max(attempts - 1, 0), retry_at = '', last_error = ?, updated_at = ?
        WHERE state = 'sending' AND data_end_at IS NULL
        AND NOT ${claimerAlive('recipients', '?')}`),
      recoverOrphaned: db.prepare(`UPDATE recipients SET state = 'uncertain', last_error = ?, updated_at = ? WHERE state = 'sending'
        AND NOT ${claimerAlive('recipients', '?')}`),
      releaseOrphaned: db.prepare(`UPDATE recipients SET reserved_by = NULL, retry_at = '', updated_at = ? WHERE state = 'queued' AND reserved_by IS NOT NULL
        AND NOT ${claimerAlive('recipients', '?')}`),
      get: db.prepare(`SELECT ${COLUMNS} FROM recipients WHERE row_id = ?`),
      getMany: db.prepare(`SELECT ${COLUMNS} FROM recipients WHERE row_id IN (SELECT value FROM json_each(?))`),
      counts: db.prepare('SELECT state, count(*) AS n FROM recipients WHERE campaign_id = ? GROUP BY state'),
      uncertainIds: db.prepare("SELECT row_id FROM recipients WHERE campaign_id = ? AND state = 'uncertain' ORDER BY row_id").pluck(),
      arrived: db
        .prepare(`SELECT row_id FROM recipients r WHERE campaign_id = @campaignId AND state = 'uncertain'
          AND (@ids IS NULL OR row_id IN (SELECT value FROM json_each(@ids)))
          AND EXISTS (SELECT 1 FROM engagement e WHERE e.recipient_row_id = r.row_id) ORDER BY row_id`)
        .pluck(),
      // Accepted when its final dot was allowed (else when it ended uncertain), not when a restart found it, so
      // engagement timing reads the real send time.
      accept: db.prepare(`UPDATE recipients SET state = 'accepted', accepted_at = coalesce(accepted_at, nullif(data_end_at, ''), updated_at), updated_at = @now
        WHERE row_id = @rowId AND campaign_id = @campaignId AND state = 'uncertain'`),
      requeue: db.prepare(`UPDATE recipients SET state = 'queued', attempts = 0, retry_at = '', last_error = @reason, updated_at = @now
        WHERE row_id = @rowId AND campaign_id = @campaignId AND state = 'uncertain' AND NOT (last_error = @interrupted
          AND ${claimerAlive('recipients', '@seenSince')})`),
      resolution: db.prepare(`INSERT INTO uncertain_resolutions (recipient_row_id, campaign_id, action, by_id, by_name, at)
        VALUES (@rowId, @campaignId, @action, @byId, @byName, @at)`),
      list: db.prepare(`SELECT ${COLUMNS} FROM recipients WHERE campaign_id = @campaignId
        AND (@state IS NULL OR state = @state) AND (@modules IS NULL OR module IN (SELECT value FROM json_each(@modules)))
        ORDER BY row_id LIMIT @limit OFFSET @offset`),
      moduleCounts: db.prepare('SELECT module, count(*) AS n FROM recipients WHERE campaign_id = ? GROUP BY module'),
    };
  }

  insertMany(campaignId: string, targets: LedgerTarget[]): number {
    const now = this.now();
    return this.db.transaction(() => {
      let inserted = 0;
      for (const t of targets) {
        inserted += this.q.insert.run(campaignId, ...ledgerValues(t), now).changes;
      }
      return inserted;
    })();
  }

  /** SQLite plans the ledger's statements without statistics (none are ever gathered): nothing to refresh. */
  refreshStatistics(): void {}

  claim(campaignId: string, limit: number, nowIso: string): LedgerRecipient[] {
    checkLimit('claim', limit);
    const rows = this.q.claim.all({ campaignId, limit, now: isoTime(nowIso, 'now'), owner: this.owner }) as RecipientRow[];
    return rows.map(toRecipient).sort((a, b) => a.rowId - b.rowId);
  }

  reserve(campaignId: string, limit: number, nowIso: string, holder: string, untilIso: string, exceptProviders?: readonly string[]): LedgerRecipient[] {
    const { now, until } = reservation(limit, nowIso, holder, untilIso);
    const except = exceptProviders?.length ? toJson([...exceptProviders]) : null;
    const rows = this.q.reserve.all({ campaignId, limit, now, until, holder, owner: this.owner, except }) as RecipientRow[];
    return rows.map(toRecipient).sort((a, b) => a.rowId - b.rowId);
  }

  markSending(rowIds: number[], holder: string, nowIso: string, opts: { dataEndMark?: boolean } = {}): number[] {
    checkIds(rowIds);
    if (rowIds.length === 0) return [];
    const gated = opts.dataEndMark ? 1 : 0;
    const rows = this.q.markSending.all({ ids: toJson(rowIds), holder, now: isoTime(nowIso, 'now'), owner: this.owner, gated }) as Array<{ row_id: number }>;
    const changed = new Set(rows.map((r) => r.row_id));
    return rowIds.filter((id) => changed.has(id));
  }

  markDataEnd(rowIds: number[], nowIso: string): number[] {
    checkIds(rowIds);
    if (rowIds.length === 0) return [];
    const rows = this.q.markDataEnd.all({ ids: toJson(rowIds), now: isoTime(nowIso, 'now'), owner: this.owner }) as Array<{ row_id: number }>;
    const changed = new Set(rows.map((r) => r.row_id));
    return rowIds.filter((id) => changed.has(id));
  }

  unreserve(rowIds: number[], holder: string, retryAtIso: string, reason?: string): number {
    checkIds(rowIds);
    if (rowIds.length === 0) return 0;
    const at = retryAtIso === '' ? '' : isoTime(retryAtIso, 'retryAt');
    return this.q.unreserve.run({ ids: toJson(rowIds), holder, at, now: this.now(), reason: reason ?? null }).changes;
  }

  releaseHolder(campaignId: string, holder: string): number {
    return this.q.releaseHolder.run(this.now(), campaignId, holder).changes;
  }

  markOutcomes(batch: Outcome[]): number {
    return this.applyOutcomes(batch).length;
  }

  applyOutcomes(batch: Outcome[]): number[] {
    checkOutcomes(batch);
    const now = this.now();
    return this.db.transaction(() => {
      const changed: number[] = [];
      for (const o of batch) {
        const n = this.q.outcome.run({
          rowId: o.rowId,
          state: o.state,
          messageId: o.messageId ?? null,
          error: o.error ?? null,
          now,
          retryAt: o.state === 'queued' && o.retryAt ? isoTime(o.retryAt, 'retryAt') : '',
          owner: this.owner,
          interrupted: INTERRUPTED,
        }).changes;
        if (n === 1) changed.push(o.rowId);
        else if (o.state === 'queued' || o.state === 'uncertain')
          this.q.answeredLate.run({ rowId: o.rowId, text: answeredLate(o.error), now, interrupted: INTERRUPTED, owner: this.owner });
      }
      return changed;
    })();
  }

  release(rowIds: number[]): number {
    const now = this.now();
    return this.db.transaction(() => rowIds.reduce((n, id) => n + this.q.release.run(now, id, this.owner).changes, 0))();
  }

  defer(rowIds: number[], retryAtIso: string, reason?: string): number {
    const now = this.now();
    const at = isoTime(retryAtIso, 'retryAt');
    return this.db.transaction(() => rowIds.reduce((n, id) => n + this.q.defer.run(at, now, reason ?? null, id, this.owner).changes, 0))();
  }

  deferQueued(campaignId: string, which: { provider?: string; notIn?: string[] }, untilIso: string, reason?: string): number {
    return this.q.deferQueued.run({
      reason: reason ?? null,
      campaignId,
      provider: which.provider ?? null,
      notIn: which.notIn ? toJson(which.notIn) : null,
      until: isoTime(untilIso, 'until'),
      now: this.now(),
    }).changes;
  }

  queuedByProvider(campaignId: string): Record<string, number> {
    const rows = this.q.queuedByProvider.all(campaignId) as Array<{ provider: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.provider, r.n]));
  }

  nextDue(campaignId: string): string | undefined {
    const v = this.q.nextDue.get(campaignId) as string | null;
    return v === null ? undefined : v;
  }

  recoverInFlight(): number {
    const now = this.now();
    return this.db.transaction(() => {
      this.q.unreserveAll.run(now);
      this.q.requeueUnfinished.run(NOT_FINISHED, now);
      return this.q.recover.run(INTERRUPTED, now).changes;
    })();
  }

  recoverOrphaned(): number {
    return this.db.transaction(() => {
      this.q.releaseOrphaned.run(this.now(), this.nowMs());
      this.q.requeueOrphaned.run(NOT_FINISHED, this.now(), this.nowMs());
      return this.q.recoverOrphaned.run(INTERRUPTED, this.now(), this.nowMs()).changes;
    })();
  }

  get(rowId: number): LedgerRecipient | undefined {
    const r = this.q.get.get(rowId) as RecipientRow | undefined;
    return r && toRecipient(r);
  }

  getMany(rowIds: number[]): LedgerRecipient[] {
    if (rowIds.length === 0) return [];
    return (this.q.getMany.all(JSON.stringify(rowIds)) as RecipientRow[]).map(toRecipient);
  }

  counts(campaignId: string): Record<RecipientState, number> {
    return stateCounts(this.q.counts.all(campaignId) as Array<{ state: RecipientState; n: number }>);
  }

  resolveUncertain(campaignId: string, rowIds: number[] | 'all', action: UncertainAction, by: Creator | undefined, atIso: string): number[] {
    const { at, reason } = uncertainDecision(rowIds, action, by, atIso);
    const now = this.now();
    return this.db.transaction(() => {
      const ids = rowIds === 'all' ? (this.q.uncertainIds.all(campaignId) as number[]) : [...new Set(rowIds)];
      const changed: number[] = [];
      for (const rowId of ids) {
        const n =
          action === 'accepted'
            ? this.q.accept.run({ rowId, campaignId, now }).changes
            : this.q.requeue.run({ rowId, campaignId, now, reason, interrupted: INTERRUPTED, seenSince: this.nowMs() - this.answerGraceMs }).changes;
        if (n !== 1) continue;
        this.q.resolution.run({ rowId, campaignId, action, byId: by?.id ?? null, byName: by?.userName ?? null, at });
        changed.push(rowId);
      }
      return changed;
    })();
  }

  arrivedUncertain(campaignId: string, rowIds: number[] | 'all'): number[] {
    if (rowIds !== 'all') checkIds(rowIds);
    return this.q.arrived.all({ campaignId, ids: rowIds === 'all' ? null : JSON.stringify(rowIds) }) as number[];
  }

  moduleCounts(campaignId: string): Record<string, number> {
    return Object.fromEntries((this.q.moduleCounts.all(campaignId) as Array<{ module: string; n: number }>).map((r) => [r.module, r.n]));
  }

  list(campaignId: string, opts: { state?: RecipientState; modules?: readonly string[]; limit: number; offset: number }): LedgerRecipient[] {
    const modules = opts.modules ? JSON.stringify(opts.modules) : null;
    const rows = this.q.list.all({ campaignId, state: opts.state ?? null, modules, limit: opts.limit, offset: opts.offset }) as RecipientRow[];
    return rows.map(toRecipient);
  }
}
