import type { AbTest, AbTestRepo, NewAbTest } from '../ports/index.js';
import { SqliteRepo } from './sqlite-repo.js';
import { fromJson, isoTime, opt, toJson } from './values.js';

interface Row {
  id: string;
  name: string;
  metric: 'opens' | 'clicks';
  test_share: number;
  decide_at: string;
  variant_campaign_ids: string;
  winner: number | null;
  decided_by: string | null;
  decided_at: string | null;
  rest_campaign_id: string | null;
  undecided_reason: string | null;
  created_at: string;
}

const toTest = (r: Row): AbTest => ({
  id: r.id,
  name: r.name,
  metric: r.metric,
  testShare: r.test_share,
  decideAt: r.decide_at,
  variantCampaignIds: fromJson(r.variant_campaign_ids, []),
  ...(r.winner === null ? {} : { winner: r.winner }),
  ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
  ...(r.decided_at ? { decidedAt: r.decided_at } : {}),
  ...(r.rest_campaign_id ? { restCampaignId: r.rest_campaign_id } : {}),
  ...(opt(r.undecided_reason) ? { undecidedReason: r.undecided_reason! } : {}),
  createdAt: r.created_at,
});

export class SqliteAbTestRepo extends SqliteRepo implements AbTestRepo {
  private readonly q = {
    insert: this.db.prepare(`INSERT INTO ab_tests (id, name, metric, test_share, decide_at, variant_campaign_ids, created_at)
      VALUES (@id, @name, @metric, @testShare, @decideAt, @variants, @now)`),
    get: this.db.prepare('SELECT * FROM ab_tests WHERE id = ?'),
    ofCampaign: this.db.prepare(`SELECT * FROM ab_tests WHERE rest_campaign_id = @id
      OR EXISTS (SELECT 1 FROM json_each(variant_campaign_ids) WHERE value = @id)`),
    due: this.db.prepare('SELECT * FROM ab_tests WHERE winner IS NULL AND decide_at <= ? ORDER BY decide_at, id'),
    withoutRest: this.db.prepare('SELECT * FROM ab_tests WHERE winner IS NOT NULL AND rest_campaign_id IS NULL ORDER BY id'),
    decide: this.db.prepare('UPDATE ab_tests SET winner = ?, decided_by = ?, decided_at = ?, undecided_reason = NULL WHERE id = ? AND winner IS NULL'),
    setRest: this.db.prepare('UPDATE ab_tests SET rest_campaign_id = ? WHERE id = ?'),
    note: this.db.prepare('UPDATE ab_tests SET undecided_reason = ? WHERE id = ? AND winner IS NULL'),
  };

  create(t: NewAbTest): Promise<AbTest> {
    this.q.insert.run({
      id: t.id,
      name: t.name,
      metric: t.metric,
      testShare: t.testShare,
      decideAt: isoTime(t.decideAt, 'decideAt'),
      variants: toJson(t.variantCampaignIds),
      now: this.now(),
    });
    return Promise.resolve(toTest(this.q.get.get(t.id) as Row));
  }

  get(id: string): Promise<AbTest | undefined> {
    const r = this.q.get.get(id) as Row | undefined;
    return Promise.resolve(r && toTest(r));
  }

  ofCampaign(campaignId: string): Promise<AbTest | undefined> {
    const r = this.q.ofCampaign.get({ id: campaignId }) as Row | undefined;
    return Promise.resolve(r && toTest(r));
  }

  due(nowIso: string): Promise<AbTest[]> {
    return Promise.resolve((this.q.due.all(isoTime(nowIso, 'now')) as Row[]).map(toTest));
  }

  withoutRest(): Promise<AbTest[]> {
    return Promise.resolve((this.q.withoutRest.all() as Row[]).map(toTest));
  }

  decide(id: string, d: { winner: number; by: string; at: string }): Promise<boolean> {
    return Promise.resolve(this.q.decide.run(d.winner, d.by, isoTime(d.at, 'at'), id).changes === 1);
  }

  setRestCampaign(id: string, campaignId: string): Promise<void> {
    this.q.setRest.run(campaignId, id);
    return Promise.resolve();
  }

  noteUndecided(id: string, reason: string | null): Promise<void> {
    this.q.note.run(reason, id);
    return Promise.resolve();
  }
}
