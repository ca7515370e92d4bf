// The campaign report's read model on PostgreSQL: the same port and answers as store/sqlite-report-repo.ts.
import type { DomainTally, ExportRow, PeopleKind, PersonRow, RecipientFact, ReportRepo } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { type DomainSqlRow, type ExportSqlRow, FACTS_OF, type PersonSqlRow, toDomainTally, toExportRow, toPerson } from '../report-rows.js';
import { pageOf } from '../values.js';
import type { Query, Row } from './repos.js';

// A person's hits of one kind, summed over links; fact checks read the engagement_facts primary key.
const HITS = (kind: 'open' | 'click') =>
  `coalesce((SELECT sum(human_hits) FROM engagement e WHERE e.recipient_row_id = r.row_id AND e.kind = '${kind}'), 0)::int`;
const HAS_FACT = (fact: RecipientFact) => `EXISTS (SELECT 1 FROM engagement_facts f WHERE f.recipient_row_id = r.row_id AND f.fact = '${fact}')`;
// Rows of one campaign still uncertain or decided once.
const UNCERTAIN_IDS = `SELECT row_id FROM recipients WHERE campaign_id = $1 AND state = 'uncertain'
  UNION SELECT recipient_row_id FROM uncertain_resolutions WHERE campaign_id = $1`;
const LATEST_RESOLUTION = '(SELECT max(id) FROM uncertain_resolutions x WHERE x.recipient_row_id = r.row_id)';

export class PgReportRepo implements ReportRepo {
  constructor(private readonly q: Query) {}

  async byDomain(campaignId: string): Promise<DomainTally[]> {
    const n = (cond: string) => `count(*) FILTER (WHERE ${cond})::int`;
    const { rows } = await this.q(
      `SELECT lower(substr(r.email, strpos(r.email, '@') + 1)) AS domain, r.provider AS provider, count(*)::int AS recipients,
          ${n("r.state = 'accepted'")} AS accepted, ${n("r.state = 'failed'")} AS failed, ${n("r.state = 'uncertain'")} AS uncertain,
          ${n(`${HITS('open')} > 0`)} AS opened, ${n(`${HITS('click')} > 0`)} AS clicked,
          ${n(HAS_FACT('hard_bounce'))} AS hard, ${n(HAS_FACT('soft_bounce'))} AS soft,
          ${n(HAS_FACT('complaint'))} AS complaints, ${n(HAS_FACT('opt_out'))} AS opt_outs
        FROM recipients r WHERE r.campaign_id = $1 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 NULLS FIRST`,
      [campaignId],
    );
    return rows.map((r) => toDomainTally(r as DomainSqlRow));
  }

  async people(
    campaignId: string,
    kind: PeopleKind,
    opts: { modules: readonly string[]; limit: number; offset: number },
  ): Promise<{ rows: PersonRow[]; total: number; hidden: number }> {
    const page = pageOf(opts);
    const modules = [...opts.modules];
    let rows: Row[];
    let counts: Row[];
    if (kind === 'uncertain') {
      [{ rows }, { rows: counts }] = await Promise.all([
        this.q(
          `SELECT r.row_id, r.email, r.module, r.record_id, r.fields, r.state, NULL AS fact, r.updated_at AS at,
              r.last_error AS detail, u.action, u.by_id, u.by_name, u.at AS resolved_at
            FROM (${UNCERTAIN_IDS}) ids JOIN recipients r ON r.row_id = ids.row_id
              LEFT JOIN uncertain_resolutions u ON u.id = ${LATEST_RESOLUTION}
            WHERE r.module = ANY($2::text[])
            ORDER BY r.state = 'uncertain' DESC, r.row_id LIMIT $3 OFFSET $4`,
          [campaignId, modules, page.limit, page.offset],
        ),
        this.q(
          `SELECT r.module = ANY($2::text[]) AS shown, count(*)::int AS n FROM (${UNCERTAIN_IDS}) ids JOIN recipients r ON r.row_id = ids.row_id GROUP BY 1`,
          [campaignId, modules],
        ),
      ]);
    } else if (kind in FACTS_OF) {
      const facts = FACTS_OF[kind];
      [{ rows }, { rows: counts }] = await Promise.all([
        this.q(
          `SELECT r.row_id, r.email, r.module, r.record_id, r.fields, r.state, f.fact, f.at, f.detail,
              NULL AS action, NULL AS by_id, NULL AS by_name, NULL AS resolved_at
            FROM engagement_facts f JOIN recipients r ON r.row_id = f.recipient_row_id
            WHERE f.campaign_id = $1 AND f.fact = ANY($2::text[]) AND r.module = ANY($3::text[])
            ORDER BY f.at DESC, r.row_id LIMIT $4 OFFSET $5`,
          [campaignId, facts, modules, page.limit, page.offset],
        ),
        this.q(
          `SELECT r.module = ANY($3::text[]) AS shown, count(*)::int AS n
            FROM engagement_facts f JOIN recipients r ON r.row_id = f.recipient_row_id
            WHERE f.campaign_id = $1 AND f.fact = ANY($2::text[]) GROUP BY 1`,
          [campaignId, facts, modules],
        ),
      ]);
    } else throw new StoreInputError(`people kind must be bounced, complaint, opted_out or uncertain, got ${String(kind)}`);
    const count = (shown: boolean) => (counts.find((c) => c.shown === shown)?.n as number | undefined) ?? 0;
    return { rows: rows.map((r) => toPerson(r as PersonSqlRow)), total: count(true), hidden: count(false) };
  }

  async exportRows(campaignId: string, opts: { modules: readonly string[]; afterRowId: number; limit: number }): Promise<ExportRow[]> {
    if (!Number.isSafeInteger(opts.afterRowId)) throw new StoreInputError('afterRowId must be a row id');
    const { rows } = await this.q(
      `SELECT r.row_id, r.email, r.module, r.record_id, r.state, r.accepted_at,
          ${HITS('open')} AS opens, ${HITS('click')} AS clicks,
          ${HAS_FACT('hard_bounce')} AS hard, ${HAS_FACT('soft_bounce')} AS soft,
          ${HAS_FACT('opt_out')} AS opted_out, ${HAS_FACT('complaint')} AS complaint
        FROM recipients r WHERE r.campaign_id = $1 AND r.row_id > $2 AND r.module = ANY($3::text[])
        ORDER BY r.row_id LIMIT $4`,
      [campaignId, opts.afterRowId, [...opts.modules], pageOf(opts).limit],
    );
    return rows.map((r) => toExportRow(r as ExportSqlRow));
  }
}
