import type Database from 'better-sqlite3';
import type { DomainTally, ExportRow, PeopleKind, PersonRow, RecipientFact, ReportRepo } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { type DomainSqlRow, type ExportSqlRow, FACTS_OF, type PersonSqlRow, toDomainTally, toExportRow, toPerson } from './report-rows.js';
import { pageOf, toJson } from './values.js';

// A person's hits of one kind, summed over links; EXISTS-style reads use the engagement primary key.
const HITS = (kind: 'open' | 'click') => `coalesce((SELECT sum(human_hits) FROM engagement e WHERE e.recipient_row_id = r.row_id AND e.kind = '${kind}'), 0)`;
const HAS_FACT = (fact: RecipientFact) => `EXISTS (SELECT 1 FROM engagement_facts f WHERE f.recipient_row_id = r.row_id AND f.fact = '${fact}')`;

// Rows of one campaign still uncertain or decided once: the two sets each come from an index, then one join.
const UNCERTAIN_IDS = `SELECT row_id FROM recipients WHERE campaign_id = @campaignId AND state = 'uncertain'
  UNION SELECT recipient_row_id FROM uncertain_resolutions WHERE campaign_id = @campaignId`;
const LATEST_RESOLUTION = '(SELECT max(id) FROM uncertain_resolutions x WHERE x.recipient_row_id = r.row_id)';

export class SqliteReportRepo implements ReportRepo {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      // By domain and the mailbox provider extraction found from MX (rows from before issue 16 have none).
      byDomain: db.prepare(`SELECT lower(substr(r.email, instr(r.email, '@') + 1)) AS domain, r.provider AS provider, count(*) AS recipients,
          sum(r.state = 'accepted') AS accepted, sum(r.state = 'failed') AS failed, sum(r.state = 'uncertain') AS uncertain,
          sum(${HITS('open')} > 0) AS opened, sum(${HITS('click')} > 0) AS clicked,
          sum(${HAS_FACT('hard_bounce')}) AS hard, sum(${HAS_FACT('soft_bounce')}) AS soft,
          sum(${HAS_FACT('complaint')}) AS complaints, sum(${HAS_FACT('opt_out')}) AS opt_outs
        FROM recipients r WHERE r.campaign_id = ? GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`),
      facts: db.prepare(`SELECT r.row_id, r.email, r.module, r.record_id, r.fields, r.state, f.fact, f.at, f.detail,
          NULL AS action, NULL AS by_id, NULL AS by_name, NULL AS resolved_at
        FROM engagement_facts f JOIN recipients r ON r.row_id = f.recipient_row_id
        WHERE f.campaign_id = @campaignId AND f.fact IN (SELECT value FROM json_each(@facts))
          AND r.module IN (SELECT value FROM json_each(@modules))
        ORDER BY f.at DESC, r.row_id LIMIT @limit OFFSET @offset`),
      factCounts: db.prepare(`SELECT r.module IN (SELECT value FROM json_each(@modules)) AS shown, count(*) AS n
        FROM engagement_facts f JOIN recipients r ON r.row_id = f.recipient_row_id
        WHERE f.campaign_id = @campaignId AND f.fact IN (SELECT value FROM json_each(@facts)) GROUP BY 1`),
      uncertain: db.prepare(`SELECT r.row_id, r.email, r.module, r.record_id, r.fields, r.state, NULL AS fact, r.updated_at AS at,
          r.last_error AS detail, u.action, u.by_id, u.by_name, u.at AS resolved_at
        FROM (${UNCERTAIN_IDS}) ids JOIN recipients r ON r.row_id = ids.row_id
          LEFT JOIN uncertain_resolutions u ON u.id = ${LATEST_RESOLUTION}
        WHERE r.module IN (SELECT value FROM json_each(@modules))
        ORDER BY r.state = 'uncertain' DESC, r.row_id LIMIT @limit OFFSET @offset`),
      uncertainCounts: db.prepare(`SELECT r.module IN (SELECT value FROM json_each(@modules)) AS shown, count(*) AS n
        FROM (${UNCERTAIN_IDS}) ids JOIN recipients r ON r.row_id = ids.row_id GROUP BY 1`),
      exportRows: db.prepare(`SELECT r.row_id, r.email, r.module, r.record_id, r.state, r.accepted_at,
          ${HITS('open')} AS opens, ${HITS('click')} AS clicks,
          ${HAS_FACT('hard_bounce')} AS hard, ${HAS_FACT('soft_bounce')} AS soft,
          ${HAS_FACT('opt_out')} AS opted_out, ${HAS_FACT('complaint')} AS complaint
        FROM recipients r WHERE r.campaign_id = @campaignId AND r.row_id > @afterRowId
          AND r.module IN (SELECT value FROM json_each(@modules))
        ORDER BY r.row_id LIMIT @limit`),
    };
  }

  byDomain(campaignId: string): DomainTally[] {
    return (this.q.byDomain.all(campaignId) as DomainSqlRow[]).map(toDomainTally);
  }

  people(
    campaignId: string,
    kind: PeopleKind,
    opts: { modules: readonly string[]; limit: number; offset: number },
  ): { rows: PersonRow[]; total: number; hidden: number } {
    const page = pageOf(opts);
    const modules = toJson([...opts.modules]);
    let rows: PersonSqlRow[];
    let counts: Array<{ shown: number; n: number }>;
    if (kind === 'uncertain') {
      rows = this.q.uncertain.all({ campaignId, modules, ...page }) as PersonSqlRow[];
      counts = this.q.uncertainCounts.all({ campaignId, modules }) as Array<{ shown: number; n: number }>;
    } else if (kind in FACTS_OF) {
      const facts = toJson(FACTS_OF[kind]);
      rows = this.q.facts.all({ campaignId, facts, modules, ...page }) as PersonSqlRow[];
      counts = this.q.factCounts.all({ campaignId, facts, modules }) as Array<{ shown: number; n: number }>;
    } else throw new StoreInputError(`people kind must be bounced, complaint, opted_out or uncertain, got ${String(kind)}`);
    const count = (shown: number) => counts.find((c) => c.shown === shown)?.n ?? 0;
    return { rows: rows.map(toPerson), total: count(1), hidden: count(0) };
  }

  exportRows(campaignId: string, opts: { modules: readonly string[]; afterRowId: number; limit: number }): ExportRow[] {
    if (!Number.isSafeInteger(opts.afterRowId)) throw new StoreInputError('afterRowId must be a row id');
    const rows = this.q.exportRows.all({
      campaignId,
      modules: toJson([...opts.modules]),
      afterRowId: opts.afterRowId,
      limit: pageOf(opts).limit,
    }) as ExportSqlRow[];
    return rows.map(toExportRow);
  }
}
