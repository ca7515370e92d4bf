// The send ledger on PostgreSQL: the same port and behaviour as store/sqlite-recipient-repo.ts. What several
// processes need: a claim takes due rows with FOR UPDATE SKIP LOCKED (each row to one process, none waiting for
// another's claim), an outcome changes a row only while it is still 'sending', and a batch is one statement.
import type { Creator, RecipientState } from '../../domain/types.js';
import { ANSWER_GRACE_MS } from '../../domain/uncertain.js';
import type { LedgerRecipient, Outcome, RecipientRepo, UncertainAction } from '../../ports/index.js';
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
  toRecipient as recipientOf,
  reservation,
  stateCounts,
  uncertainDecision,
} from '../ledger-values.js';
import { checkIds, isoTime } from '../values.js';
import type { Atomic, Query, Row } from './repos.js';

const toRecipient = (r: Row): LedgerRecipient => recipientOf(r as RecipientRow);
/** Rows this process claimed: its connections carry its owner id (store/pg/db.ts), as the claim trigger reads it. */
const mine = (column = 'claimed_by') => `${column} IS NOT DISTINCT FROM nullif(current_setting('leadfwd.owner', true), '')`;

export class PgRecipientRepo implements RecipientRepo {
  constructor(
    private readonly q: Query,
    private readonly atomic: Atomic,
    private readonly now: () => string,
    private readonly nowMs: () => number = () => Date.parse(now()),
    private readonly answerGraceMs = ANSWER_GRACE_MS,
  ) {}

  /** One INSERT … SELECT over unnest() arrays; the first of duplicate keys in a batch wins, as in SQLite. */
  async insertMany(campaignId: string, targets: LedgerTarget[]): Promise<number> {
    if (targets.length === 0) return 0;
    const now = this.now();
    const cols: unknown[][] = Array.from({ length: 11 }, () => []);
    for (const t of targets) ledgerValues(t).forEach((v, i) => cols[i].push(v));
    const r = await this.q(
      `INSERT INTO recipients (campaign_id, address_key, module, record_id, list_id, email, email_address_id, fields,
          tracking_consent, provider, sender, retry_at, updated_at)
        SELECT $1, k, m, rid, l, e, ea, f, tc, p, s, ra, $13
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[],
          $11::text[], $12::text[]) WITH ORDINALITY AS t(k, m, rid, l, e, ea, f, tc, p, s, ra, n)
        ORDER BY n
        ON CONFLICT (campaign_id, address_key) DO NOTHING`,
      [campaignId, ...cols, now],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Until autovacuum analyses the table (up to a minute by default), the planner took a fresh campaign's thousands of
   * queued rows for one: each reservation sorted all of them (24 ms at 21,000 rows against under 1 ms).
   */
  async refreshStatistics(): Promise<void> {
    await this.q('ANALYZE recipients');
  }

  async claim(campaignId: string, limit: number, nowIso: string): Promise<LedgerRecipient[]> {
    checkLimit('claim', limit);
    const now = isoTime(nowIso, 'now');
    const { rows } = await this.q(
      `UPDATE recipients SET state = 'sending', attempts = attempts + 1, updated_at = $1, data_end_at = $1
        WHERE row_id IN (SELECT row_id FROM recipients WHERE campaign_id = $2 AND state = 'queued' AND retry_at <= $1
          ORDER BY retry_at, row_id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [now, campaignId, limit],
    );
    return rows.map(toRecipient).sort((a, b) => a.rowId - b.rowId);
  }

  /** As the claim, but the rows stay 'queued', reserved: retry_at = the reservation's end keeps them out of every other claim. */
  async reserve(
    campaignId: string,
    limit: number,
    nowIso: string,
    holder: string,
    untilIso: string,
    exceptProviders?: readonly string[],
  ): Promise<LedgerRecipient[]> {
    const { now, until } = reservation(limit, nowIso, holder, untilIso);
    // The exclusion as a statement text of its own: the usual reservation keeps its prepared plan as it is.
    const except = exceptProviders?.length ? "AND coalesce(provider, '') <> ALL($6::text[])" : '';
    const { rows } = await this.q(
      `UPDATE recipients SET reserved_by = $4, retry_at = $5, updated_at = $1
        WHERE row_id IN (SELECT row_id FROM recipients WHERE campaign_id = $2 AND state = 'queued' AND retry_at <= $1 ${except}
          ORDER BY retry_at, row_id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      except ? [now, campaignId, limit, holder, until, [...exceptProviders!]] : [now, campaignId, limit, holder, until],
    );
    return rows.map(toRecipient).sort((a, b) => a.rowId - b.rowId);
  }

  async markSending(rowIds: number[], holder: string, nowIso: string, opts: { dataEndMark?: boolean } = {}): Promise<number[]> {
    checkIds(rowIds);
    if (rowIds.length === 0) return [];
    // Ungated, the dot may go at any moment from now: marked at once, so a crash leaves the row uncertain as before.
    // The campaign's status is a scalar subquery, looked up per row: as EXISTS the planner turned it into a join
    // driven by the campaign and walked every queued row of it to find the batch's few (13,764 rows read for 36).
    const { rows } = await this.q(
      `UPDATE recipients SET state = 'sending', attempts = attempts + 1, reserved_by = NULL, retry_at = '', updated_at = $3,
          data_end_at = CASE WHEN $4::boolean THEN NULL ELSE $3 END
        WHERE row_id = ANY($1::bigint[]) AND state = 'queued' AND reserved_by = $2
          AND (SELECT c.status FROM campaigns c WHERE c.id = recipients.campaign_id) = 'sending' RETURNING row_id`,
      [rowIds, holder, isoTime(nowIso, 'now'), opts.dataEndMark === true],
    );
    const changed = new Set(rows.map((r) => Number(r.row_id)));
    return rowIds.filter((id) => changed.has(id));
  }

  /**
   * Only rows this process handed over (claimed_by is the connection's leadfwd.owner, as the claim trigger set it);
   * idempotent, so a retry after a lost reply marks again and keeps the first time.
   */
  async markDataEnd(rowIds: number[], nowIso: string): Promise<number[]> {
    checkIds(rowIds);
    if (rowIds.length === 0) return [];
    const { rows } = await this.q(
      `UPDATE recipients SET data_end_at = coalesce(data_end_at, $2)
        WHERE row_id = ANY($1::bigint[]) AND state = 'sending'
          AND ${mine()}
        RETURNING row_id`,
      [rowIds, isoTime(nowIso, 'now')],
    );
    const changed = new Set(rows.map((r) => Number(r.row_id)));
    return rowIds.filter((id) => changed.has(id));
  }

  async unreserve(rowIds: number[], holder: string, retryAtIso: string, reason?: string): Promise<number> {
    checkIds(rowIds);
    if (rowIds.length === 0) return 0;
    const at = retryAtIso === '' ? '' : isoTime(retryAtIso, 'retryAt');
    const r = await this.q(
      `UPDATE recipients SET reserved_by = NULL, retry_at = $3, updated_at = $4, last_error = coalesce($5, last_error)
        WHERE row_id = ANY($1::bigint[]) AND state = 'queued' AND reserved_by = $2`,
      [rowIds, holder, at, this.now(), reason ?? null],
    );
    return r.rowCount ?? 0;
  }

  async releaseHolder(campaignId: string, holder: string): Promise<number> {
    const r = await this.q(
      `UPDATE recipients SET reserved_by = NULL, retry_at = '', updated_at = $3 WHERE campaign_id = $1 AND state = 'queued' AND reserved_by = $2`,
      [campaignId, holder, this.now()],
    );
    return r.rowCount ?? 0;
  }

  async markOutcomes(batch: Outcome[]): Promise<number> {
    return (await this.applyOutcomes(batch)).length;
  }

  /** One UPDATE … FROM unnest(): only rows still in 'sending' change. */
  async applyOutcomes(all: Outcome[]): Promise<number[]> {
    checkOutcomes(all);
    // A row twice: the first outcome counts, as in SQLite's one UPDATE per outcome (one UPDATE … FROM would apply either).
    const seen = new Set<number>();
    const batch = all.filter((o) => !seen.has(o.rowId) && seen.add(o.rowId));
    if (batch.length === 0) return [];
    const now = this.now();
    const { rows } = await this.q(
      `UPDATE recipients r SET state = o.state, message_id = coalesce(o.message_id, r.message_id), last_error = o.error,
          retry_at = o.retry_at, updated_at = $6, accepted_at = CASE WHEN o.state <> 'accepted' THEN r.accepted_at
            WHEN r.state = 'uncertain' THEN coalesce(nullif(r.data_end_at, ''), $6) ELSE $6 END
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS o(row_id, state, message_id, error, retry_at)
        WHERE r.row_id = o.row_id AND (r.state = 'sending' OR (r.state = 'uncertain' AND r.last_error = $7 AND o.state NOT IN ('queued', 'uncertain'))) AND ${mine('r.claimed_by')}
        RETURNING r.row_id`,
      [
        batch.map((o) => o.rowId),
        batch.map((o) => o.state),
        batch.map((o) => o.messageId ?? null),
        batch.map((o) => o.error ?? null),
        batch.map((o) => (o.state === 'queued' && o.retryAt ? isoTime(o.retryAt, 'retryAt') : '')),
        now,
        INTERRUPTED,
      ],
    );
    const changed = new Set(rows.map((r) => Number(r.row_id)));
    const late = batch.filter((o) => !changed.has(o.rowId) && (o.state === 'queued' || o.state === 'uncertain'));
    if (late.length)
      await this.q(
        `UPDATE recipients r SET last_error = o.text, updated_at = $3 FROM unnest($1::bigint[], $2::text[]) AS o(row_id, text)
          WHERE r.row_id = o.row_id AND r.state = 'uncertain' AND r.last_error = $4 AND ${mine('r.claimed_by')}`,
        [late.map((o) => o.rowId), late.map((o) => answeredLate(o.error)), now, INTERRUPTED],
      );
    return batch.map((o) => o.rowId).filter((id) => changed.has(id));
  }

  async release(rowIds: number[]): Promise<number> {
    if (rowIds.length === 0) return 0;
    const r = await this.q(
      `UPDATE recipients SET state = 'queued', attempts = greatest(attempts - 1, 0), updated_at = $1 WHERE row_id = ANY($2::bigint[]) AND state = 'sending' AND ${mine()}`,
      [this.now(), rowIds],
    );
    return r.rowCount ?? 0;
  }

  async defer(rowIds: number[], retryAtIso: string, reason?: string): Promise<number> {
    const at = isoTime(retryAtIso, 'retryAt');
    if (rowIds.length === 0) return 0;
    const r = await this.q(
      `UPDATE recipients SET state = 'queued', attempts = greatest(attempts - 1, 0), retry_at = $1, updated_at = $2,
          last_error = coalesce($3, last_error) WHERE row_id = ANY($4::bigint[]) AND state = 'sending' AND ${mine()}`,
      [at, this.now(), reason ?? null, rowIds],
    );
    return r.rowCount ?? 0;
  }

  async deferQueued(campaignId: string, which: { provider?: string; notIn?: string[] }, untilIso: string, reason?: string): Promise<number> {
    const r = await this.q(
      `UPDATE recipients SET retry_at = $1, updated_at = $2, last_error = coalesce($3, last_error)
        WHERE campaign_id = $4 AND state = 'queued' AND reserved_by IS NULL AND retry_at < $1 AND ($5::text IS NULL OR coalesce(provider, '') = $5)
          AND ($6::text[] IS NULL OR NOT (coalesce(provider, '') = ANY($6::text[])))`,
      [isoTime(untilIso, 'until'), this.now(), reason ?? null, campaignId, which.provider ?? null, which.notIn ?? null],
    );
    return r.rowCount ?? 0;
  }

  async queuedByProvider(campaignId: string): Promise<Record<string, number>> {
    const { rows } = await this.q(
      `SELECT coalesce(provider, '') AS provider, count(*)::int AS n FROM recipients WHERE campaign_id = $1 AND state = 'queued' GROUP BY 1`,
      [campaignId],
    );
    return Object.fromEntries(rows.map((r) => [r.provider as string, r.n as number]));
  }

  async nextDue(campaignId: string): Promise<string | undefined> {
    const { rows } = await this.q(`SELECT min(retry_at) AS due FROM recipients WHERE campaign_id = $1 AND state = 'queued'`, [campaignId]);
    const v = rows[0]?.due as string | null | undefined;
    return v === null || v === undefined ? undefined : v;
  }

  async recoverInFlight(): Promise<number> {
    const now = this.now();
    return this.atomic(async (q) => {
      await q(`UPDATE recipients SET reserved_by = NULL, retry_at = '', updated_at = $1 WHERE reserved_by IS NOT NULL AND state = 'queued'`, [now]);
      await q(
        `UPDATE recipients SET state = 'queued', attempts = greatest(attempts - 1, 0), retry_at = '', last_error = $2, updated_at = $1
          WHERE state = 'sending' AND data_end_at IS NULL`,
        [now, NOT_FINISHED],
      );
      const r = await q(`UPDATE recipients SET state = 'uncertain', last_error = $1, updated_at = $2 WHERE state = 'sending'`, [INTERRUPTED, now]);
      return r.rowCount ?? 0;
    });
  }

  /**
   * The rows in flight go back in one statement, queued or uncertain by their end of DATA mark, read in one snapshot:
   * as two (even in one READ COMMITTED transaction, each statement reads afresh), a row that a process whose lease had
   * just run out marked 'sending' between them skipped the first and was made uncertain without its mark by the
   * second, its dot then refused: never sent, waiting for an operator.
   */
  async recoverOrphaned(): Promise<number> {
    const dead = `NOT ${claimerAlive('r', '$1')}`;
    const [nowMs, now] = [this.nowMs(), this.now()];
    // Rows a dead process only reserved were never handed over: due again now, not when the reservation runs out.
    await this.q(`UPDATE recipients r SET reserved_by = NULL, retry_at = '', updated_at = $2 WHERE state = 'queued' AND reserved_by IS NOT NULL AND ${dead}`, [
      nowMs,
      now,
    ]);
    const { rows } = await this.q(
      `UPDATE recipients r SET state = CASE WHEN data_end_at IS NULL THEN 'queued' ELSE 'uncertain' END,
          attempts = CASE WHEN data_end_at IS NULL THEN greatest(attempts - 1, 0) ELSE attempts END,
          retry_at = CASE WHEN data_end_at IS NULL THEN '' ELSE retry_at END,
          last_error = CASE WHEN data_end_at IS NULL THEN $3 ELSE $4 END, updated_at = $2
        WHERE state = 'sending' AND ${dead} RETURNING state`,
      [nowMs, now, NOT_FINISHED, INTERRUPTED],
    );
    return rows.filter((r) => r.state === 'uncertain').length;
  }

  async get(rowId: number): Promise<LedgerRecipient | undefined> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM recipients WHERE row_id = $1`, [rowId]);
    return rows[0] && toRecipient(rows[0]);
  }

  async getMany(rowIds: number[]): Promise<LedgerRecipient[]> {
    if (rowIds.length === 0) return [];
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM recipients WHERE row_id = ANY($1::bigint[])`, [rowIds]);
    return rows.map(toRecipient);
  }

  async counts(campaignId: string): Promise<Record<RecipientState, number>> {
    const { rows } = await this.q('SELECT state, count(*)::int AS n FROM recipients WHERE campaign_id = $1 GROUP BY state', [campaignId]);
    return stateCounts(rows as Array<{ state: RecipientState; n: number }>);
  }

  async resolveUncertain(campaignId: string, rowIds: number[] | 'all', action: UncertainAction, by: Creator | undefined, atIso: string): Promise<number[]> {
    const { at, reason } = uncertainDecision(rowIds, action, by, atIso);
    const now = this.now();
    const ids = rowIds === 'all' ? null : [...new Set(rowIds)];
    // The change and its audit line in one statement: a row another process decided meanwhile is no longer uncertain.
    const set = `state = CASE WHEN $4::text = 'accepted' THEN 'accepted' ELSE 'queued' END,
      accepted_at = CASE WHEN $4 = 'accepted' THEN coalesce(accepted_at, nullif(data_end_at, ''), updated_at) ELSE accepted_at END,
      retry_at = CASE WHEN $4 = 'accepted' THEN retry_at ELSE '' END, attempts = CASE WHEN $4 = 'accepted' THEN attempts ELSE 0 END,
      last_error = CASE WHEN $4 = 'accepted' THEN last_error ELSE $6::text END, updated_at = $3`;
    return this.atomic(async (q) => {
      const { rows } = await q(
        `WITH changed AS (
            UPDATE recipients SET ${set} WHERE campaign_id = $1 AND state = 'uncertain' AND ($2::bigint[] IS NULL OR row_id = ANY($2::bigint[]))
              AND NOT ($4 = 'resend' AND last_error = $9 AND ${claimerAlive('recipients', '$10')})
            RETURNING row_id)
          INSERT INTO uncertain_resolutions (recipient_row_id, campaign_id, action, by_id, by_name, at)
          SELECT row_id, $1, $4, $5, $7, $8 FROM changed ORDER BY row_id RETURNING recipient_row_id`,
        [
          campaignId,
          ids,
          now,
          action,
          by?.id ?? null,
          action === 'resend' ? reason : null,
          by?.userName ?? null,
          at,
          INTERRUPTED,
          this.nowMs() - this.answerGraceMs,
        ],
      );
      const changed = new Set(rows.map((r) => Number(r.recipient_row_id)));
      return (ids ?? [...changed].sort((a, b) => a - b)).filter((id) => changed.has(id));
    });
  }

  async arrivedUncertain(campaignId: string, rowIds: number[] | 'all'): Promise<number[]> {
    if (rowIds !== 'all') checkIds(rowIds);
    const { rows } = await this.q(
      `SELECT row_id FROM recipients r WHERE campaign_id = $1 AND state = 'uncertain' AND ($2::bigint[] IS NULL OR row_id = ANY($2::bigint[]))
        AND EXISTS (SELECT 1 FROM engagement e WHERE e.recipient_row_id = r.row_id) ORDER BY row_id`,
      [campaignId, rowIds === 'all' ? null : rowIds],
    );
    return rows.map((r) => Number(r.row_id));
  }

  async moduleCounts(campaignId: string): Promise<Record<string, number>> {
    const { rows } = await this.q('SELECT module, count(*)::int AS n FROM recipients WHERE campaign_id = $1 GROUP BY module', [campaignId]);
    return Object.fromEntries(rows.map((r) => [r.module as string, r.n as number]));
  }

  async list(campaignId: string, opts: { state?: RecipientState; modules?: readonly string[]; limit: number; offset: number }): Promise<LedgerRecipient[]> {
    const { rows } = await this.q(
      `SELECT ${COLUMNS} FROM recipients WHERE campaign_id = $1 AND ($2::text IS NULL OR state = $2)
        AND ($5::text[] IS NULL OR module = ANY($5::text[])) ORDER BY row_id LIMIT $3 OFFSET $4`,
      [campaignId, opts.state ?? null, opts.limit, opts.offset, opts.modules ? [...opts.modules] : null],
    );
    return rows.map(toRecipient);
  }
}
