import type Database from 'better-sqlite3';
import type { DeliverabilityRepo, ProviderGroup, VolumeCounts, VolumeDelta } from '../ports/index.js';
import { mergeVolumeDeltas } from './volume-deltas.js';

const SUMS = `coalesce(sum(accepted), 0) AS accepted, coalesce(sum(deferred), 0) AS deferred, coalesce(sum(failed), 0) AS failed,
  coalesce(sum(hard_bounces), 0) AS hardBounces, coalesce(sum(soft_bounces), 0) AS softBounces, coalesce(sum(blocks), 0) AS blocks,
  coalesce(sum(complaints), 0) AS complaints`;

export class SqliteDeliverabilityRepo implements DeliverabilityRepo {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      add: db.prepare(`INSERT INTO delivery_volume (identity_id, campaign_id, provider, day, accepted, deferred, failed, hard_bounces,
          soft_bounces, blocks, complaints)
        VALUES (@identityId, @campaignId, @provider, @day, @accepted, @deferred, @failed, @hardBounces, @softBounces, @blocks, @complaints)
        ON CONFLICT (identity_id, day, provider, campaign_id) DO UPDATE SET
          accepted = accepted + excluded.accepted, deferred = deferred + excluded.deferred, failed = failed + excluded.failed,
          hard_bounces = hard_bounces + excluded.hard_bounces, soft_bounces = soft_bounces + excluded.soft_bounces,
          blocks = blocks + excluded.blocks, complaints = complaints + excluded.complaints`),
      daily: db.prepare(`SELECT day, provider, ${SUMS} FROM delivery_volume WHERE identity_id = ? AND day >= ?
        GROUP BY day, provider ORDER BY day, provider`),
      identityTotals: db.prepare(`SELECT ${SUMS} FROM delivery_volume WHERE identity_id = ? AND day >= ?`),
      campaignTotals: db.prepare(`SELECT ${SUMS} FROM delivery_volume WHERE campaign_id = ?`),
      acceptedOn: db.prepare('SELECT provider, sum(accepted) AS n FROM delivery_volume WHERE identity_id = ? AND day = ? GROUP BY provider'),
    };
  }

  add(deltas: VolumeDelta[]): void {
    if (deltas.length === 0) return;
    const merged = mergeVolumeDeltas(deltas);
    this.db.transaction(() => {
      for (const m of merged) this.q.add.run(m);
    })();
  }

  daily(identityId: string, sinceDay: string): Array<VolumeCounts & { day: string; provider: ProviderGroup }> {
    return this.q.daily.all(identityId, sinceDay) as Array<VolumeCounts & { day: string; provider: ProviderGroup }>;
  }

  totals(scope: { identityId: string; sinceDay: string } | { campaignId: string }): VolumeCounts {
    return ('campaignId' in scope ? this.q.campaignTotals.get(scope.campaignId) : this.q.identityTotals.get(scope.identityId, scope.sinceDay)) as VolumeCounts;
  }

  acceptedOn(identityId: string, day: string): Partial<Record<ProviderGroup, number>> {
    const rows = this.q.acceptedOn.all(identityId, day) as Array<{ provider: ProviderGroup; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.provider, r.n]));
  }
}
