// Provider throttles and day allowances on PostgreSQL (ports/delivery-shares.ts): a throttle changes under its row's
// lock, read and written in one transaction, so two processes striking at once strike once (the second sees the
// first's epoch); an allowance is taken in one upsert statement, whose SET reads the row's latest version; the slots
// of one (identity, provider) change under one transaction-scoped advisory lock, so two processes never both count
// the same free slot.
import { type OtherHolder, slotsToHold } from '../../domain/provider-slots.js';
import type { DayAllowanceRepo, ProviderSlotRepo, ProviderThrottleRepo, SharedThrottle, SlotLease } from '../../ports/index.js';
import { leaseTtl } from '../lease-values.js';
import { neverStruck, THROTTLE_COLUMNS, type ThrottleRow, throttleOfRow, throttleValues } from '../throttle-rows.js';
import type { Atomic, Query } from './repos.js';

export class PgProviderThrottleRepo implements ProviderThrottleRepo {
  constructor(
    private readonly q: Query,
    private readonly atomic: Atomic,
  ) {}

  async list(identityId: string): Promise<SharedThrottle[]> {
    const { rows } = await this.q(`SELECT ${THROTTLE_COLUMNS} FROM provider_throttles WHERE identity_id = $1 ORDER BY provider`, [identityId]);
    return rows.map((r) => throttleOfRow(r as unknown as ThrottleRow));
  }

  async change(identityId: string, provider: string, change: (current: SharedThrottle) => SharedThrottle | undefined): Promise<SharedThrottle> {
    return await this.atomic(async (q) => {
      const fresh = neverStruck(provider);
      // The row exists before it is locked, so two first strikes queue on one lock instead of both inserting.
      await q(`INSERT INTO provider_throttles (identity_id, ${THROTTLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`, [
        identityId,
        provider,
        ...throttleValues(fresh),
      ]);
      const { rows } = await q(`SELECT ${THROTTLE_COLUMNS} FROM provider_throttles WHERE identity_id = $1 AND provider = $2 FOR UPDATE`, [
        identityId,
        provider,
      ]);
      const current = throttleOfRow(rows[0] as unknown as ThrottleRow);
      const next = change(current);
      if (!next) return current;
      await q(
        `UPDATE provider_throttles SET level = $3, rate_factor = $4, resume_at = $5, strikes = $6, reason = $7, epoch = $8, accepted = $9
          WHERE identity_id = $1 AND provider = $2`,
        [identityId, provider, ...throttleValues(next)],
      );
      return { ...next, provider };
    });
  }

  async reset(identityId: string): Promise<void> {
    await this.q(
      "UPDATE provider_throttles SET level = 'normal', rate_factor = 1, resume_at = NULL, strikes = 0, reason = NULL, accepted = 0 WHERE identity_id = $1",
      [identityId],
    );
  }
}

const LEFT = 'greatest(0, $5::int - a.taken)';

export class PgDayAllowanceRepo implements DayAllowanceRepo {
  constructor(private readonly q: Query) {}

  async take(identityId: string, day: string, group: string, want: number, limit: number): Promise<number> {
    const { rows } = await this.q(
      `WITH seed AS (SELECT coalesce(sum(accepted), 0)::int AS n FROM delivery_volume WHERE identity_id = $1 AND day = $2 AND ($3 = '*' OR provider = $3))
       INSERT INTO day_allowances AS a (identity_id, day, grp, taken, last_granted)
         SELECT $1, $2, $3, n + least($4::int, greatest(0, $5::int - n)), least($4::int, greatest(0, $5::int - n)) FROM seed
       ON CONFLICT (identity_id, day, grp) DO UPDATE SET last_granted = least($4::int, ${LEFT}), taken = a.taken + least($4::int, ${LEFT})
       RETURNING last_granted`,
      [identityId, day, group, want, limit],
    );
    return Number(rows[0].last_granted);
  }
}

export class PgProviderSlotRepo implements ProviderSlotRepo {
  constructor(
    private readonly q: Query,
    private readonly atomic: Atomic,
    private readonly nowMs: () => number,
  ) {}

  async hold(owner: string, identityId: string, provider: string, ask: SlotLease): Promise<number> {
    const ttlMs = leaseTtl(ask.ttlMs);
    return await this.atomic(async (q) => {
      // Rows of a key not yet written cannot be locked with FOR UPDATE; an advisory lock on the key can.
      await q('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`provider_slots/${identityId}/${provider}`]);
      const now = this.nowMs();
      const { rows } = await q('SELECT held, wanted FROM provider_slots WHERE identity_id = $1 AND provider = $2 AND owner <> $3 AND expires_at > $4', [
        identityId,
        provider,
        owner,
        now,
      ]);
      const { grant, held } = slotsToHold(ask, rows as unknown as OtherHolder[]);
      if (held === 0 && ask.want === 0) {
        await q('DELETE FROM provider_slots WHERE identity_id = $1 AND provider = $2 AND (owner = $3 OR expires_at <= $4)', [identityId, provider, owner, now]);
      } else {
        await q(
          `INSERT INTO provider_slots (identity_id, provider, owner, held, wanted, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (identity_id, provider, owner) DO UPDATE SET held = excluded.held, wanted = excluded.wanted, expires_at = excluded.expires_at`,
          [identityId, provider, owner, held, ask.want, now + ttlMs],
        );
      }
      return grant;
    });
  }

  async release(owner: string): Promise<void> {
    await this.q('DELETE FROM provider_slots WHERE owner = $1', [owner]);
  }
}
