// Leases and shared token buckets on SQLite: one process per file, so these are local, but they keep the ports'
// contract (store/pg/lease-repo.ts is where several processes meet).
import type { BucketRate, LeaseHolder, LeaseRepo, RateRepo, SugarSessionRepo } from '../ports/index.js';
import { checkTake, leaseTtl } from './lease-values.js';
import { SqliteRepo } from './sqlite-repo.js';

export class SqliteLeaseRepo extends SqliteRepo<number> implements LeaseRepo {
  private readonly q = {
    acquire: this.db.prepare(`INSERT INTO leases (name, owner, expires_at) VALUES (@name, @owner, @expires)
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE leases.owner = excluded.owner OR leases.expires_at <= @now`),
    renew: this.db.prepare('UPDATE leases SET expires_at = @expires WHERE name = @name AND owner = @owner'),
    release: this.db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?'),
    holder: this.db.prepare('SELECT owner, expires_at AS expiresAt FROM leases WHERE name = ? AND expires_at > ?'),
  };

  acquire(name: string, owner: string, ttlMs: number): boolean {
    const now = this.now();
    return this.q.acquire.run({ name, owner, expires: now + leaseTtl(ttlMs), now }).changes === 1;
  }

  renew(name: string, owner: string, ttlMs: number): boolean {
    return this.q.renew.run({ name, owner, expires: this.now() + leaseTtl(ttlMs) }).changes === 1;
  }

  release(name: string, owner: string): void {
    this.q.release.run(name, owner);
  }

  holder(name: string): LeaseHolder | undefined {
    return this.q.holder.get(name, this.now()) as LeaseHolder | undefined;
  }
}

// One statement: the refill, the grant and the new level from the row as it is (every SET reads the old values).
const AVAILABLE = 'min(@burst, rate_buckets.tokens + max(0, @now - rate_buckets.at_ms) * @perMs)';
const GRANTED = `min(@want, CAST(${AVAILABLE} + 1e-9 AS INTEGER))`;

export class SqliteRateRepo extends SqliteRepo<number> implements RateRepo {
  private readonly q = {
    take: this.db.prepare(`INSERT INTO rate_buckets (name, tokens, at_ms, last_granted)
        VALUES (@name, @burst - min(@want, CAST(@burst AS INTEGER)), @now, min(@want, CAST(@burst AS INTEGER)))
      ON CONFLICT (name) DO UPDATE SET last_granted = ${GRANTED}, tokens = ${AVAILABLE} - ${GRANTED}, at_ms = max(rate_buckets.at_ms, @now)
      RETURNING last_granted AS granted, tokens`),
  };

  take(name: string, want: number, rate: BucketRate): { granted: number; tokens: number } {
    checkTake(want, rate);
    return this.q.take.get({ name, want, burst: rate.burst, now: this.now(), perMs: rate.perSecond / 1000 }) as { granted: number; tokens: number };
  }
}

export class SqliteSugarSessionRepo extends SqliteRepo implements SugarSessionRepo {
  private readonly q = {
    get: this.db.prepare('SELECT sealed FROM sugar_sessions WHERE name = ?'),
    put: this.db.prepare(`INSERT INTO sugar_sessions (name, sealed, updated_at) VALUES (@name, @sealed, @now)
      ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`),
  };

  get(name: string): string | undefined {
    return (this.q.get.get(name) as { sealed: string } | undefined)?.sealed;
  }

  put(name: string, sealed: string): void {
    this.q.put.run({ name, sealed, now: this.now() });
  }
}
