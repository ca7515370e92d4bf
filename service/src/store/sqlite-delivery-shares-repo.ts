// Provider throttles, day allowances and provider slots on SQLite (ports/delivery-shares.ts): one process per file, so these are
// local, but they keep the ports' contract (store/pg/delivery-shares-repo.ts is where several processes meet).
import { type OtherHolder, slotsToHold } from '../domain/provider-slots.js';
import type { DayAllowanceRepo, ProviderSlotRepo, ProviderThrottleRepo, SharedThrottle, SlotLease } from '../ports/index.js';
import { leaseTtl } from './lease-values.js';
import { SqliteRepo } from './sqlite-repo.js';
import { neverStruck, THROTTLE_COLUMNS, type ThrottleRow, throttleOfRow, throttleValues } from './throttle-rows.js';

export class SqliteProviderThrottleRepo extends SqliteRepo implements ProviderThrottleRepo {
  private readonly q = {
    list: this.db.prepare(`SELECT ${THROTTLE_COLUMNS} FROM provider_throttles WHERE identity_id = ? ORDER BY provider`),
    get: this.db.prepare(`SELECT ${THROTTLE_COLUMNS} FROM provider_throttles WHERE identity_id = ? AND provider = ?`),
    put: this.db.prepare(`INSERT INTO provider_throttles (identity_id, ${THROTTLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (identity_id, provider) DO UPDATE SET level = excluded.level, rate_factor = excluded.rate_factor, resume_at = excluded.resume_at,
        strikes = excluded.strikes, reason = excluded.reason, epoch = excluded.epoch, accepted = excluded.accepted`),
    reset: this.db.prepare(
      "UPDATE provider_throttles SET level = 'normal', rate_factor = 1, resume_at = NULL, strikes = 0, reason = NULL, accepted = 0 WHERE identity_id = ?",
    ),
  };

  list(identityId: string): SharedThrottle[] {
    return (this.q.list.all(identityId) as ThrottleRow[]).map(throttleOfRow);
  }

  change(identityId: string, provider: string, change: (current: SharedThrottle) => SharedThrottle | undefined): SharedThrottle {
    const row = this.q.get.get(identityId, provider) as ThrottleRow | undefined;
    const current = row ? throttleOfRow(row) : neverStruck(provider);
    const next = change(current);
    if (!next) return current;
    this.q.put.run(identityId, provider, ...throttleValues(next));
    return { ...next, provider };
  }

  reset(identityId: string): void {
    this.q.reset.run(identityId);
  }
}

const LEFT = 'max(0, @limit - day_allowances.taken)';

export class SqliteDayAllowanceRepo extends SqliteRepo implements DayAllowanceRepo {
  private readonly q = {
    take: this.db.prepare(`INSERT INTO day_allowances (identity_id, day, grp, taken, last_granted)
        SELECT @id, @day, @grp, n + min(@want, max(0, @limit - n)), min(@want, max(0, @limit - n))
          FROM (SELECT coalesce(sum(accepted), 0) AS n FROM delivery_volume WHERE identity_id = @id AND day = @day AND (@grp = '*' OR provider = @grp)) WHERE true
      ON CONFLICT (identity_id, day, grp) DO UPDATE SET last_granted = min(@want, ${LEFT}), taken = day_allowances.taken + min(@want, ${LEFT})
      RETURNING last_granted`),
  };

  take(identityId: string, day: string, group: string, want: number, limit: number): number {
    return (this.q.take.get({ id: identityId, day, grp: group, want, limit }) as { last_granted: number }).last_granted;
  }
}

export class SqliteProviderSlotRepo extends SqliteRepo<number> implements ProviderSlotRepo {
  private readonly q = {
    others: this.db.prepare(
      'SELECT held, wanted FROM provider_slots WHERE identity_id = @id AND provider = @provider AND owner <> @owner AND expires_at > @now',
    ),
    put: this.db.prepare(`INSERT INTO provider_slots (identity_id, provider, owner, held, wanted, expires_at) VALUES (@id, @provider, @owner, @held, @want, @expires)
      ON CONFLICT (identity_id, provider, owner) DO UPDATE SET held = excluded.held, wanted = excluded.wanted, expires_at = excluded.expires_at`),
    drop: this.db.prepare('DELETE FROM provider_slots WHERE identity_id = @id AND provider = @provider AND (owner = @owner OR expires_at <= @now)'),
    release: this.db.prepare('DELETE FROM provider_slots WHERE owner = ?'),
  };

  hold(owner: string, identityId: string, provider: string, ask: SlotLease): number {
    const now = this.now();
    const key = { id: identityId, provider, owner, now };
    const { grant, held } = slotsToHold(ask, this.q.others.all(key) as OtherHolder[]);
    if (held === 0 && ask.want === 0) this.q.drop.run(key);
    else this.q.put.run({ ...key, held, want: ask.want, expires: now + leaseTtl(ask.ttlMs) });
    return grant;
  }

  release(owner: string): void {
    this.q.release.run(owner);
  }
}
