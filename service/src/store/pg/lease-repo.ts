// Leases and shared token buckets on PostgreSQL (the same ports as store/sqlite-lease-repo.ts): each operation is one
// statement, atomic under concurrent processes (an upsert locks the row it changes, and its SET reads that row's
// latest version).
import type { BucketRate, LeaseHolder, LeaseRepo, RateRepo, SugarSessionRepo } from '../../ports/index.js';
import { checkTake, leaseTtl } from '../lease-values.js';
import type { Query } from './repos.js';

export class PgLeaseRepo implements LeaseRepo {
  constructor(
    private readonly q: Query,
    private readonly nowMs: () => number,
  ) {}

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.nowMs();
    const r = await this.q(
      `INSERT INTO leases AS l (name, owner, expires_at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE l.owner = excluded.owner OR l.expires_at <= $4`,
      [name, owner, now + leaseTtl(ttlMs), now],
    );
    return r.rowCount === 1;
  }

  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const r = await this.q('UPDATE leases SET expires_at = $3 WHERE name = $1 AND owner = $2', [name, owner, this.nowMs() + leaseTtl(ttlMs)]);
    return r.rowCount === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.q('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
  }

  async holder(name: string): Promise<LeaseHolder | undefined> {
    const { rows } = await this.q('SELECT owner, expires_at FROM leases WHERE name = $1 AND expires_at > $2', [name, this.nowMs()]);
    return rows[0] && { owner: rows[0].owner as string, expiresAt: Number(rows[0].expires_at) };
  }
}

const AVAILABLE = 'least($2::float8, b.tokens + greatest(0, $4::bigint - b.at_ms) * $5::float8)';
const GRANTED = `least($3::int, floor(${AVAILABLE} + 1e-9)::int)`;

export class PgRateRepo implements RateRepo {
  constructor(
    private readonly q: Query,
    private readonly nowMs: () => number,
  ) {}

  async take(name: string, want: number, rate: BucketRate): Promise<{ granted: number; tokens: number }> {
    checkTake(want, rate);
    const { rows } = await this.q(
      `INSERT INTO rate_buckets AS b (name, tokens, at_ms, last_granted)
          VALUES ($1, $2::float8 - least($3::int, floor($2::float8)::int), $4::bigint, least($3::int, floor($2::float8)::int))
        ON CONFLICT (name) DO UPDATE SET last_granted = ${GRANTED}, tokens = ${AVAILABLE} - ${GRANTED}, at_ms = greatest(b.at_ms, $4::bigint)
        RETURNING last_granted AS granted, tokens`,
      [name, rate.burst, want, this.nowMs(), rate.perSecond / 1000],
    );
    return { granted: Number(rows[0].granted), tokens: Number(rows[0].tokens) };
  }
}

export class PgSugarSessionRepo implements SugarSessionRepo {
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const { rows } = await this.q('SELECT sealed FROM sugar_sessions WHERE name = $1', [name]);
    return rows[0]?.sealed as string | undefined;
  }

  async put(name: string, sealed: string): Promise<void> {
    await this.q(
      `INSERT INTO sugar_sessions (name, sealed, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
      [name, sealed, this.now()],
    );
  }
}
