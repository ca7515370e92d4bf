import type Database from 'better-sqlite3';
import type { ScoredEvent } from '../domain/engagement-score.js';
import type { ScorePerson, ScoreRepo } from '../ports/index.js';

const FACT_KIND: Record<string, ScoredEvent['kind']> = { hard_bounce: 'hardBounce', complaint: 'complaint', opt_out: 'optOut' };

export class SqliteScoreRepo implements ScoreRepo {
  private readonly q;

  constructor(db: Database.Database) {
    // One open and one click at most per campaign (the first human one), whatever the number of hits or links.
    this.q = {
      engagement: db.prepare(`SELECT r.module, r.record_id AS recordId, g.kind, min(g.first_human_at) AS at
        FROM recipients r JOIN engagement g ON g.recipient_row_id = r.row_id
        WHERE r.record_id IN (SELECT value FROM json_each(@ids)) AND g.human_hits > 0 AND g.first_human_at IS NOT NULL
        GROUP BY r.campaign_id, r.module, r.record_id, g.kind`),
      facts: db.prepare(`SELECT r.module, r.record_id AS recordId, f.fact, f.at
        FROM recipients r JOIN engagement_facts f ON f.recipient_row_id = r.row_id
        WHERE r.record_id IN (SELECT value FROM json_each(@ids)) AND f.fact IN ('hard_bounce', 'complaint', 'opt_out')`),
    };
  }

  eventsOf(people: ScorePerson[]): Promise<Map<string, ScoredEvent[]>> {
    const wanted = new Set(people.map((p) => `${p.module}:${p.recordId}`));
    const ids = JSON.stringify([...new Set(people.map((p) => p.recordId))]);
    const out = new Map<string, ScoredEvent[]>();
    const add = (module: string, recordId: string, e: ScoredEvent) => {
      const key = `${module}:${recordId}`;
      if (!wanted.has(key)) return;
      const list = out.get(key);
      if (list) list.push(e);
      else out.set(key, [e]);
    };
    for (const r of this.q.engagement.all({ ids }) as Array<{ module: string; recordId: string; kind: 'open' | 'click'; at: string }>)
      add(r.module, r.recordId, { kind: r.kind, at: r.at });
    for (const r of this.q.facts.all({ ids }) as Array<{ module: string; recordId: string; fact: string; at: string }>)
      add(r.module, r.recordId, { kind: FACT_KIND[r.fact], at: r.at });
    return Promise.resolve(out);
  }
}
