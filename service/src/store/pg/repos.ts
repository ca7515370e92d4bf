// The PostgreSQL repositories: the same ports as the SQLite ones, answering with promises. Each takes `q`, the
// pool (one pooled connection per statement) or the transaction's connection (see db.ts).
import type {
  DeliverabilityRepo,
  EngagementEvent,
  EventRepo,
  NewEngagementEvent,
  NewOutboxItem,
  OutboxClaim,
  OutboxRepo,
  OutboxStats,
  ProviderGroup,
  RelayRepo,
  SuppressionReason,
  SuppressionRepo,
  VolumeCounts,
  VolumeDelta,
} from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { isoTime, opt, toJson } from '../values.js';
import { mergeVolumeDeltas } from '../volume-deltas.js';

export type Row = Record<string, unknown>;
/** Runs one statement: on the pool, or on the connection of the open transaction. */
export type Query = (text: string, values?: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;

const REASONS = new Set<SuppressionReason>(['unsubscribe', 'hard_bounce', 'complaint', 'soft_bounce_limit', 'manual']);

export class PgSuppressionRepo implements SuppressionRepo {
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
  ) {}

  async add(addressKey: string, email: string, reason: SuppressionReason, source?: string): Promise<boolean> {
    if (!REASONS.has(reason)) throw new StoreInputError(`unknown suppression reason: ${String(reason)}`);
    if (typeof addressKey !== 'string' || addressKey === '') throw new StoreInputError('suppression needs an address key');
    const r = await this.q(
      'INSERT INTO suppressions (address_key, email, reason, source, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address_key) DO NOTHING',
      [addressKey, email, reason, source ?? null, this.now()],
    );
    return r.rowCount === 1;
  }

  async get(addressKey: string): Promise<{ reason: SuppressionReason; at: string; email: string; source?: string } | undefined> {
    const { rows } = await this.q('SELECT reason, at, email, source FROM suppressions WHERE address_key = $1', [addressKey]);
    const r = rows[0] as { reason: SuppressionReason; at: string; email: string; source: string | null } | undefined;
    return r && { reason: r.reason, at: r.at, email: r.email, source: opt(r.source) };
  }

  async filterSuppressed(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await this.q('SELECT address_key FROM suppressions WHERE address_key = ANY($1::text[])', [keys]);
    return new Set(rows.map((r) => r.address_key as string));
  }

  async remove(addressKey: string): Promise<boolean> {
    return (await this.q('DELETE FROM suppressions WHERE address_key = $1', [addressKey])).rowCount === 1;
  }
}

export class PgEventRepo implements EventRepo {
  constructor(private readonly q: Query) {}

  async add(e: { recipientRowId: number; campaignId: string; type: string; at: string; data?: Record<string, unknown> }): Promise<number> {
    const { rows } = await this.q('INSERT INTO events (recipient_row_id, campaign_id, type, at, data) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
      e.recipientRowId,
      e.campaignId,
      e.type,
      isoTime(e.at, 'event time'),
      e.data === undefined ? null : toJson(e.data),
    ]);
    return Number(rows[0].id);
  }

  async addMany(events: NewEngagementEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.q(
      `INSERT INTO events (recipient_row_id, campaign_id, type, at, data)
        SELECT r, c, t, a, d::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u (r, c, t, a, d, o) ORDER BY o`,
      [
        events.map((e) => e.recipientRowId),
        events.map((e) => e.campaignId),
        events.map((e) => e.type),
        events.map((e) => isoTime(e.at, 'event time')),
        events.map((e) => (e.data === undefined ? null : toJson(e.data))),
      ],
    );
  }

  async list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): Promise<EngagementEvent[]> {
    const { rows } = await this.q(
      `SELECT id, recipient_row_id, campaign_id, type, at, data FROM events
        WHERE campaign_id = $1 AND ($2::text IS NULL OR type = $2) AND id > $3 ORDER BY id LIMIT $4`,
      [campaignId, opts.type ?? null, opts.afterId ?? 0, opts.limit],
    );
    return rows.map((r) => {
      const e: EngagementEvent = {
        id: Number(r.id),
        recipientRowId: Number(r.recipient_row_id),
        campaignId: r.campaign_id as string,
        type: r.type as string,
        at: r.at as string,
      };
      if (r.data !== null) e.data = r.data as Record<string, unknown>;
      return e;
    });
  }

  async pruneOlderThan(iso: string): Promise<number> {
    return (await this.q('DELETE FROM events WHERE at < $1', [isoTime(iso, 'prune time')])).rowCount ?? 0;
  }

  async countByHour(campaignId: string): Promise<Array<{ hour: string; type: string; machine: boolean; count: number }>> {
    const { rows } = await this.q(
      `SELECT substr(at, 1, 13) AS hour, type, coalesce((data->>'machine')::boolean, false) AS machine, count(*)::int AS n
        FROM events WHERE campaign_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [campaignId],
    );
    return rows.map((r) => ({ hour: r.hour as string, type: r.type as string, machine: r.machine === true, count: r.n as number }));
  }
}

export class PgOutboxRepo implements OutboxRepo {
  /** `staleMs`: a claim older than this is presumed lost with its worker (process) and may be claimed again. */
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
    private readonly staleMs: number,
  ) {}

  async enqueue(item: NewOutboxItem): Promise<boolean> {
    if (typeof item.key !== 'string' || item.key === '') throw new StoreInputError('outbox item needs a key');
    const now = this.now();
    const runAt = item.runAt ? isoTime(item.runAt, 'runAt') : now;
    const r = await this.q(
      `INSERT INTO outbox (key, kind, campaign_id, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
      [item.key, item.kind, item.campaignId ?? null, toJson(item.payload), runAt, now],
    );
    return r.rowCount === 1;
  }

  // One round trip for a batch: per row, a batch of 300 deliveries cost 300 round trips inside the outcome transaction.
  async enqueueMany(items: NewOutboxItem[]): Promise<number> {
    if (items.length === 0) return 0;
    for (const item of items) if (typeof item.key !== 'string' || item.key === '') throw new StoreInputError('outbox item needs a key');
    const now = this.now();
    // A key twice in one batch: the first wins, as with enqueue one by one (ON CONFLICT cannot see rows of its own statement).
    const seen = new Set<string>();
    const unique = items.filter((i) => !seen.has(i.key) && seen.add(i.key));
    const r = await this.q(
      `INSERT INTO outbox (key, kind, campaign_id, payload, run_at, created_at)
        SELECT k, kd, c, p::jsonb, r, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u (k, kd, c, p, r, o)
        ORDER BY o ON CONFLICT (key) DO NOTHING`,
      [
        unique.map((i) => i.key),
        unique.map((i) => i.kind),
        unique.map((i) => i.campaignId ?? null),
        unique.map((i) => toJson(i.payload)),
        unique.map((i) => (i.runAt ? isoTime(i.runAt, 'runAt') : now)),
        now,
      ],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Several processes claim at once: FOR UPDATE SKIP LOCKED hands each due row to one of them; a row another
   * process is claiming right now is skipped, not waited for (graphile-worker's queue, issue 15).
   */
  async claim(limit: number, workerId: string, nowIso: string): Promise<OutboxClaim[]> {
    const nowMs = Date.parse(isoTime(nowIso, 'now'));
    const { rows } = await this.q(
      `UPDATE outbox SET locked_at = $1, locked_by = $2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND run_at <= $1 AND (locked_at IS NULL OR locked_at < $3)
          ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING id, key, kind, campaign_id, payload, attempts`,
      [new Date(nowMs).toISOString(), workerId, new Date(nowMs - this.staleMs).toISOString(), limit],
    );
    return rows
      .map((r) => ({
        id: Number(r.id),
        key: r.key as string,
        kind: r.kind as string,
        campaignId: opt(r.campaign_id as string | null),
        payload: r.payload,
        attempts: r.attempts as number,
      }))
      .sort((a, b) => a.id - b.id);
  }

  async complete(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.q(
      `UPDATE outbox SET state = 'done', done_at = $1, last_error = NULL, locked_at = NULL, locked_by = NULL WHERE id = ANY($2::bigint[]) AND state = 'pending'`,
      [this.now(), ids],
    );
  }

  async fail(id: number, error: string, retryAt: string | null): Promise<void> {
    if (retryAt === null)
      await this.q(`UPDATE outbox SET state = 'dead', last_error = $1, done_at = $2, locked_at = NULL, locked_by = NULL WHERE id = $3 AND state = 'pending'`, [
        error,
        this.now(),
        id,
      ]);
    else
      await this.q(`UPDATE outbox SET run_at = $1, last_error = $2, locked_at = NULL, locked_by = NULL WHERE id = $3 AND state = 'pending'`, [
        isoTime(retryAt, 'retryAt'),
        error,
        id,
      ]);
  }

  async revive(ids: number[], runAtIso: string): Promise<number> {
    const runAt = isoTime(runAtIso, 'runAt');
    if (!ids.length) return 0;
    const r = await this.q(`UPDATE outbox SET state = 'pending', run_at = $1, done_at = NULL, attempts = 0 WHERE id = ANY($2::bigint[]) AND state = 'dead'`, [
      runAt,
      ids,
    ]);
    return r.rowCount ?? 0;
  }

  async defer(ids: number[], runAtIso: string): Promise<void> {
    const runAt = isoTime(runAtIso, 'runAt');
    if (!ids.length) return;
    await this.q(
      `UPDATE outbox SET run_at = $1, attempts = greatest(attempts - 1, 0), locked_at = NULL, locked_by = NULL WHERE id = ANY($2::bigint[]) AND state = 'pending'`,
      [runAt, ids],
    );
  }

  async note(id: number, text: string): Promise<void> {
    await this.q('UPDATE outbox SET last_error = $1 WHERE id = $2', [text.slice(0, 2000), id]);
  }

  async notes(limit: number, campaignId: string): Promise<Array<{ id: number; key: string; kind: string; note: string }>> {
    const { rows } = await this.q(
      `SELECT id, key, kind, last_error FROM outbox WHERE campaign_id = $1 AND state = 'done' AND last_error IS NOT NULL ORDER BY id DESC LIMIT $2`,
      [campaignId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), key: r.key as string, kind: r.kind as string, note: r.last_error as string }));
  }

  async pendingTime(key: string): Promise<{ runAt: string; claimedAt?: string } | undefined> {
    const staleBefore = new Date(Date.parse(this.now()) - this.staleMs).toISOString();
    const { rows } = await this.q(
      `SELECT run_at, CASE WHEN locked_at >= $2 THEN locked_at END AS claimed_at FROM outbox WHERE key = $1 AND state = 'pending'`,
      [key, staleBefore],
    );
    return rows[0] && { runAt: rows[0].run_at as string, claimedAt: opt(rows[0].claimed_at as string | null) };
  }

  async hasten(campaignId: string, kinds: readonly string[], nowIso: string): Promise<number> {
    const r = await this.q(
      `UPDATE outbox SET run_at = $3 WHERE campaign_id = $1 AND state = 'pending' AND kind = ANY($2::text[]) AND locked_at IS NULL
        AND attempts = 0 AND run_at > $3`,
      [campaignId, [...kinds], isoTime(nowIso, 'now')],
    );
    return r.rowCount ?? 0;
  }

  async states(keys: string[]): Promise<Map<string, 'pending' | 'done' | 'dead'>> {
    const out = new Map<string, 'pending' | 'done' | 'dead'>();
    if (!keys.length) return out;
    const { rows } = await this.q('SELECT key, state FROM outbox WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
    for (const r of rows) out.set(r.key as string, r.state as 'pending' | 'done' | 'dead');
    return out;
  }

  async retrying(
    limit: number,
    campaignId?: string,
  ): Promise<Array<{ id: number; key: string; kind: string; lastError: string; attempts: number; runAt: string }>> {
    const { rows } = await this.q(
      `SELECT id, key, kind, last_error, attempts, run_at FROM outbox
        WHERE state = 'pending' AND last_error IS NOT NULL AND ($1::text IS NULL OR campaign_id = $1) ORDER BY id DESC LIMIT $2`,
      [campaignId ?? null, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      key: r.key as string,
      kind: r.kind as string,
      lastError: r.last_error as string,
      attempts: r.attempts as number,
      runAt: r.run_at as string,
    }));
  }

  async sweepStale(olderThanIso: string): Promise<number> {
    const r = await this.q(`UPDATE outbox SET locked_at = NULL, locked_by = NULL WHERE state = 'pending' AND locked_at IS NOT NULL AND locked_at < $1`, [
      isoTime(olderThanIso, 'olderThan'),
    ]);
    return r.rowCount ?? 0;
  }

  async stats(campaignId?: string): Promise<OutboxStats> {
    const { rows } = await this.q(
      `SELECT state, count(*)::int AS n, min(created_at) FILTER (WHERE state = 'pending') AS oldest FROM outbox
        WHERE ($1::text IS NULL OR campaign_id = $1) GROUP BY state`,
      [campaignId ?? null],
    );
    const by = Object.fromEntries(rows.map((r) => [r.state as string, r.n as number]));
    const stats: OutboxStats = { pending: by.pending ?? 0, done: by.done ?? 0, dead: by.dead ?? 0 };
    const oldest = rows.find((r) => r.state === 'pending')?.oldest as string | undefined;
    if (oldest) stats.oldestPendingAt = oldest;
    return stats;
  }

  async dead(
    limit: number,
    campaignId?: string,
  ): Promise<Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }>> {
    const { rows } = await this.q(
      `SELECT id, key, kind, campaign_id, last_error, attempts FROM outbox
        WHERE state = 'dead' AND ($1::text IS NULL OR campaign_id = $1) ORDER BY id DESC LIMIT $2`,
      [campaignId ?? null, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      key: r.key as string,
      kind: r.kind as string,
      campaignId: opt(r.campaign_id as string | null),
      lastError: (r.last_error as string | null) ?? '',
      attempts: r.attempts as number,
    }));
  }
}

/** Runs fn on one connection inside a transaction (the open one when there is one). */
export type Atomic = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

/** What a repository that writes several rows together works with: statements, atomic blocks and the clock. */
export abstract class PgAtomicRepo {
  constructor(
    protected readonly q: Query,
    protected readonly atomic: Atomic,
    protected readonly now: () => string,
  ) {}
}

export class PgRelayRepo implements RelayRepo {
  constructor(
    private readonly q: Query,
    private readonly atomic: Atomic,
  ) {}

  async pairing() {
    const { rows } = await this.q('SELECT secret_sealed AS "secretSealed", sugar_url AS "sugarUrl", paired_at AS "pairedAt" FROM relay_pairing WHERE id = 1');
    return rows[0] as { secretSealed: string; sugarUrl: string | null; pairedAt: string } | undefined;
  }

  async pair(secretSealed: string, sugarUrl: string | undefined, atIso: string): Promise<void> {
    await this.q(
      `INSERT INTO relay_pairing (id, secret_sealed, sugar_url, paired_at) VALUES (1, $1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET secret_sealed = excluded.secret_sealed, sugar_url = excluded.sugar_url, paired_at = excluded.paired_at`,
      [secretSealed, sugarUrl ?? null, atIso],
    );
  }

  async pairingCode() {
    const { rows } = await this.q(
      'SELECT code_hash AS "codeHash", expires_at AS "expiresAt", failures, used_at AS "usedAt" FROM relay_pairing_code WHERE id = 1',
    );
    return rows[0] as { codeHash: string; expiresAt: string; failures: number; usedAt: string | null } | undefined;
  }

  async newPairingCode(codeHash: string, expiresAtIso: string): Promise<void> {
    await this.q(
      `INSERT INTO relay_pairing_code (id, code_hash, expires_at, failures, used_at) VALUES (1, $1, $2, 0, NULL)
        ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, failures = 0, used_at = NULL`,
      [codeHash, expiresAtIso],
    );
  }

  async pairingCodeFailed(): Promise<void> {
    await this.q('UPDATE relay_pairing_code SET failures = failures + 1 WHERE id = 1');
  }

  async usePairingCode(codeHash: string, atIso: string, maxFailures: number): Promise<boolean> {
    const r = await this.q(
      'UPDATE relay_pairing_code SET used_at = $1 WHERE id = 1 AND used_at IS NULL AND code_hash = $2 AND expires_at > $1 AND failures < $3',
      [atIso, codeHash, maxFailures],
    );
    return r.rowCount === 1;
  }

  /** One insert decides, whichever process sees the nonce first: a replay through another process is refused too. */
  async seeNonce(nonce: string, expiresAtIso: string, nowIso: string): Promise<boolean> {
    await this.q('DELETE FROM relay_nonces WHERE expires_at < $1', [nowIso]);
    return (await this.q('INSERT INTO relay_nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING', [nonce, expiresAtIso])).rowCount === 1;
  }

  /** Count and take under a lock per actor, so processes answering the same actor at once cannot both take the last one. */
  async takeTestSend(actor: string, sinceIso: string, max: number, nowIso: string): Promise<boolean> {
    return await this.atomic(async (q) => {
      await q("SELECT pg_advisory_xact_lock(hashtext('leadfwd.test_send'), hashtext($1))", [actor]);
      await q('DELETE FROM test_sends WHERE at < $1', [sinceIso]);
      const { rows } = await q('SELECT count(*)::int AS n FROM test_sends WHERE actor = $1 AND at >= $2', [actor, sinceIso]);
      if ((rows[0].n as number) >= max) return false;
      await q('INSERT INTO test_sends (actor, at) VALUES ($1, $2)', [actor, nowIso]);
      return true;
    });
  }
}

const SUMS = `coalesce(sum(accepted), 0)::int AS accepted, coalesce(sum(deferred), 0)::int AS deferred, coalesce(sum(failed), 0)::int AS failed,
  coalesce(sum(hard_bounces), 0)::int AS "hardBounces", coalesce(sum(soft_bounces), 0)::int AS "softBounces",
  coalesce(sum(blocks), 0)::int AS blocks, coalesce(sum(complaints), 0)::int AS complaints`;

export class PgDeliverabilityRepo implements DeliverabilityRepo {
  constructor(private readonly q: Query) {}

  /** Summed in memory first, then one upsert statement for the batch (counters add up across processes). */
  async add(deltas: VolumeDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const rows = mergeVolumeDeltas(deltas);
    const col = <K extends keyof (VolumeDelta & VolumeCounts)>(k: K) => rows.map((r) => r[k]);
    await this.q(
      `INSERT INTO delivery_volume (identity_id, campaign_id, provider, day, accepted, deferred, failed, hard_bounces, soft_bounces, blocks, complaints, slot)
        SELECT *, coalesce(current_setting('leadfwd.owner', true), '')
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[])
        ON CONFLICT (identity_id, day, provider, campaign_id, slot) DO UPDATE SET
          accepted = delivery_volume.accepted + excluded.accepted, deferred = delivery_volume.deferred + excluded.deferred,
          failed = delivery_volume.failed + excluded.failed, hard_bounces = delivery_volume.hard_bounces + excluded.hard_bounces,
          soft_bounces = delivery_volume.soft_bounces + excluded.soft_bounces, blocks = delivery_volume.blocks + excluded.blocks,
          complaints = delivery_volume.complaints + excluded.complaints`,
      [
        col('identityId'),
        col('campaignId'),
        col('provider'),
        col('day'),
        col('accepted'),
        col('deferred'),
        col('failed'),
        col('hardBounces'),
        col('softBounces'),
        col('blocks'),
        col('complaints'),
      ],
    );
  }

  async daily(identityId: string, sinceDay: string): Promise<Array<VolumeCounts & { day: string; provider: ProviderGroup }>> {
    const { rows } = await this.q(
      `SELECT day, provider, ${SUMS} FROM delivery_volume WHERE identity_id = $1 AND day >= $2 GROUP BY day, provider ORDER BY day, provider`,
      [identityId, sinceDay],
    );
    return rows as unknown as Array<VolumeCounts & { day: string; provider: ProviderGroup }>;
  }

  async totals(scope: { identityId: string; sinceDay: string } | { campaignId: string }): Promise<VolumeCounts> {
    const { rows } =
      'campaignId' in scope
        ? await this.q(`SELECT ${SUMS} FROM delivery_volume WHERE campaign_id = $1`, [scope.campaignId])
        : await this.q(`SELECT ${SUMS} FROM delivery_volume WHERE identity_id = $1 AND day >= $2`, [scope.identityId, scope.sinceDay]);
    return rows[0] as unknown as VolumeCounts;
  }

  async acceptedOn(identityId: string, day: string): Promise<Partial<Record<ProviderGroup, number>>> {
    const { rows } = await this.q('SELECT provider, sum(accepted)::int AS n FROM delivery_volume WHERE identity_id = $1 AND day = $2 GROUP BY provider', [
      identityId,
      day,
    ]);
    return Object.fromEntries(rows.map((r) => [r.provider as ProviderGroup, r.n as number]));
  }
}
