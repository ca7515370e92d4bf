// Issue 17's ports on PostgreSQL (follow-ups, engagement scores, A/B tests): the same ports and answers as
// store/sqlite-follow-up-repo.ts, sqlite-score-repo.ts and sqlite-ab-test-repo.ts, which were written asynchronous.
import type { ScoredEvent } from '../../domain/engagement-score.js';
import type { TargetModule } from '../../domain/types.js';
import type {
  AbTest,
  AbTestRepo,
  FollowUpCounts,
  FollowUpCriterion,
  FollowUpRepo,
  FollowUpRow,
  MppOnlyChoice,
  NewAbTest,
  ScorePerson,
  ScoreRepo,
} from '../../ports/index.js';
import { eventsByPerson, type ScoreRow } from '../score-events.js';
import { isoTime, opt } from '../values.js';
import type { Query, Row } from './repos.js';

// A person opened: a human open or a human click (a click implies the open) on the counters, which outlive raw events.
const HUMAN_OPEN = 'EXISTS (SELECT 1 FROM engagement g WHERE g.recipient_row_id = r.row_id AND g.human_hits > 0)';
const HUMAN_CLICK = "EXISTS (SELECT 1 FROM engagement g WHERE g.recipient_row_id = r.row_id AND g.kind = 'click' AND g.human_hits > 0)";
// Apple MPP prefetches are machine opens; only the raw events keep their class.
const MPP_OPEN = "EXISTS (SELECT 1 FROM events e WHERE e.recipient_row_id = r.row_id AND e.type = 'open' AND e.data->>'class' = 'apple_mpp')";

export class PgFollowUpRepo implements FollowUpRepo {
  constructor(private readonly q: Query) {}

  async counts(campaignId: string): Promise<FollowUpCounts> {
    const { rows } = await this.q(
      `SELECT count(*)::int AS accepted, count(*) FILTER (WHERE ${HUMAN_OPEN})::int AS "humanOpeners",
          count(*) FILTER (WHERE NOT ${HUMAN_OPEN} AND ${MPP_OPEN})::int AS "mppOnly",
          count(*) FILTER (WHERE NOT ${HUMAN_OPEN} AND NOT ${MPP_OPEN})::int AS "noOpen",
          count(*) FILTER (WHERE ${HUMAN_CLICK})::int AS "humanClickers"
        FROM recipients r WHERE campaign_id = $1 AND state = 'accepted'`,
      [campaignId],
    );
    return rows[0] as unknown as FollowUpCounts;
  }

  async page(campaignId: string, which: { criterion: FollowUpCriterion; mppOnly: MppOnlyChoice }, afterRowId: number, limit: number): Promise<FollowUpRow[]> {
    const where =
      which.criterion === 'not_clicked' ? `NOT ${HUMAN_CLICK}` : which.mppOnly === 'include' ? `NOT ${HUMAN_OPEN}` : `NOT ${HUMAN_OPEN} AND NOT ${MPP_OPEN}`;
    const { rows } = await this.q(
      `SELECT row_id, module, record_id FROM recipients r
        WHERE campaign_id = $1 AND state = 'accepted' AND row_id > $2 AND ${where} ORDER BY row_id LIMIT $3`,
      [campaignId, afterRowId, limit],
    );
    return rows.map((r) => ({ rowId: Number(r.row_id), module: r.module as TargetModule, recordId: r.record_id as string }));
  }
}

export class PgScoreRepo implements ScoreRepo {
  constructor(private readonly q: Query) {}

  async eventsOf(people: ScorePerson[]): Promise<Map<string, ScoredEvent[]>> {
    const ids = [...new Set(people.map((p) => p.recordId))];
    // One open and one click at most per campaign (the first human one), whatever the number of hits or links.
    const [engagement, facts] = await Promise.all([
      this.q(
        `SELECT r.module, r.record_id AS "recordId", g.kind, min(g.first_human_at) AS at
          FROM recipients r JOIN engagement g ON g.recipient_row_id = r.row_id
          WHERE r.record_id = ANY($1::text[]) AND g.human_hits > 0 AND g.first_human_at IS NOT NULL
          GROUP BY r.campaign_id, r.module, r.record_id, g.kind ORDER BY min(r.row_id), g.kind DESC`,
        [ids],
      ),
      this.q(
        `SELECT r.module, r.record_id AS "recordId", f.fact, f.at FROM recipients r JOIN engagement_facts f ON f.recipient_row_id = r.row_id
          WHERE r.record_id = ANY($1::text[]) AND f.fact IN ('hard_bounce', 'complaint', 'opt_out') ORDER BY r.row_id, f.fact`,
        [ids],
      ),
    ]);
    return eventsByPerson(
      people,
      engagement.rows as unknown as Array<ScoreRow & { kind: 'open' | 'click' }>,
      facts.rows as unknown as Array<ScoreRow & { fact: string }>,
    );
  }
}

const toTest = (r: Row): AbTest => ({
  id: r.id as string,
  name: r.name as string,
  metric: r.metric as 'opens' | 'clicks',
  testShare: r.test_share as number,
  decideAt: r.decide_at as string,
  variantCampaignIds: (r.variant_campaign_ids as string[] | null) ?? [],
  ...(r.winner === null ? {} : { winner: r.winner as number }),
  ...(r.decided_by ? { decidedBy: r.decided_by as string } : {}),
  ...(r.decided_at ? { decidedAt: r.decided_at as string } : {}),
  ...(r.rest_campaign_id ? { restCampaignId: r.rest_campaign_id as string } : {}),
  ...(opt(r.undecided_reason as string | null) ? { undecidedReason: r.undecided_reason as string } : {}),
  createdAt: r.created_at as string,
});

export class PgAbTestRepo implements AbTestRepo {
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
  ) {}

  async create(t: NewAbTest): Promise<AbTest> {
    const { rows } = await this.q(
      `INSERT INTO ab_tests (id, name, metric, test_share, decide_at, variant_campaign_ids, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [t.id, t.name, t.metric, t.testShare, isoTime(t.decideAt, 'decideAt'), JSON.stringify(t.variantCampaignIds), this.now()],
    );
    return toTest(rows[0]);
  }

  async get(id: string): Promise<AbTest | undefined> {
    const { rows } = await this.q('SELECT * FROM ab_tests WHERE id = $1', [id]);
    return rows[0] && toTest(rows[0]);
  }

  async ofCampaign(campaignId: string): Promise<AbTest | undefined> {
    const { rows } = await this.q('SELECT * FROM ab_tests WHERE rest_campaign_id = $1 OR variant_campaign_ids ? $1 LIMIT 1', [campaignId]);
    return rows[0] && toTest(rows[0]);
  }

  async due(nowIso: string): Promise<AbTest[]> {
    const { rows } = await this.q('SELECT * FROM ab_tests WHERE winner IS NULL AND decide_at <= $1 ORDER BY decide_at, id', [isoTime(nowIso, 'now')]);
    return rows.map(toTest);
  }

  async withoutRest(): Promise<AbTest[]> {
    const { rows } = await this.q('SELECT * FROM ab_tests WHERE winner IS NOT NULL AND rest_campaign_id IS NULL ORDER BY id');
    return rows.map(toTest);
  }

  /** Compare-and-set: of two processes deciding at once, one wins. */
  async decide(id: string, d: { winner: number; by: string; at: string }): Promise<boolean> {
    const r = await this.q('UPDATE ab_tests SET winner = $1, decided_by = $2, decided_at = $3, undecided_reason = NULL WHERE id = $4 AND winner IS NULL', [
      d.winner,
      d.by,
      isoTime(d.at, 'at'),
      id,
    ]);
    return r.rowCount === 1;
  }

  async setRestCampaign(id: string, campaignId: string): Promise<void> {
    await this.q('UPDATE ab_tests SET rest_campaign_id = $1 WHERE id = $2', [campaignId, id]);
  }

  async noteUndecided(id: string, reason: string | null): Promise<void> {
    await this.q('UPDATE ab_tests SET undecided_reason = $1 WHERE id = $2 AND winner IS NULL', [reason, id]);
  }
}
