import type Database from 'better-sqlite3';
import type { EngagementEvent, EventRepo, NewEngagementEvent } from '../ports/index.js';
import { isoTime, toJson } from './values.js';

export class SqliteEventRepo implements EventRepo {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      add: db.prepare('INSERT INTO events (recipient_row_id, campaign_id, type, at, data) VALUES (?, ?, ?, ?, ?)'),
      list: db.prepare(`SELECT id, recipient_row_id, campaign_id, type, at, data FROM events
        WHERE campaign_id = @campaignId AND (@type IS NULL OR type = @type) AND id > @afterId ORDER BY id LIMIT @limit`),
      prune: db.prepare('DELETE FROM events WHERE at < ?'),
      byHour: db.prepare(`SELECT substr(at, 1, 13) AS hour, type, coalesce(json_extract(data, '$.machine'), 0) AS machine,
          count(*) AS n FROM events WHERE campaign_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
    };
  }

  add(e: { recipientRowId: number; campaignId: string; type: string; at: string; data?: Record<string, unknown> }): number {
    const data = e.data === undefined ? null : toJson(e.data);
    return Number(this.q.add.run(e.recipientRowId, e.campaignId, e.type, isoTime(e.at, 'event time'), data).lastInsertRowid);
  }

  addMany(events: NewEngagementEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.add(e);
    })();
  }

  list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): EngagementEvent[] {
    const rows = this.q.list.all({ campaignId, type: opts.type ?? null, afterId: opts.afterId ?? 0, limit: opts.limit }) as Array<{
      id: number;
      recipient_row_id: number;
      campaign_id: string;
      type: string;
      at: string;
      data: string | null;
    }>;
    return rows.map((r) => {
      const e: EngagementEvent = { id: r.id, recipientRowId: r.recipient_row_id, campaignId: r.campaign_id, type: r.type, at: r.at };
      if (r.data !== null) e.data = JSON.parse(r.data) as Record<string, unknown>;
      return e;
    });
  }

  pruneOlderThan(iso: string): number {
    return this.q.prune.run(isoTime(iso, 'prune time')).changes;
  }

  countByHour(campaignId: string): Array<{ hour: string; type: string; machine: boolean; count: number }> {
    const rows = this.q.byHour.all(campaignId) as Array<{ hour: string; type: string; machine: number; n: number }>;
    return rows.map((r) => ({ hour: r.hour, type: r.type, machine: r.machine === 1, count: r.n }));
  }
}
