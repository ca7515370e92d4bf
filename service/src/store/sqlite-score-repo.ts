import type Database from 'better-sqlite3';
import type { ScoredEvent } from '../domain/engagement-score.js';
import type { ScorePerson, ScoreRepo } from '../ports/index.js';
import { eventsByPerson, type ScoreRow } from './score-events.js';

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
    const ids = JSON.stringify([...new Set(people.map((p) => p.recordId))]);
    return Promise.resolve(
      eventsByPerson(
        people,
        this.q.engagement.all({ ids }) as Array<ScoreRow & { kind: 'open' | 'click' }>,
        this.q.facts.all({ ids }) as Array<ScoreRow & { fact: string }>,
      ),
    );
  }
}
