// Engagement counters and facts on PostgreSQL: the same port and behaviour as store/sqlite-engagement-repo.ts.
// A hit is one upsert that returns the counters it left (one round trip on the pixel's path), and adds to what
// another process wrote meanwhile; a fact is inserted once per (recipient, fact) whichever process sees it first.
import type { EngagementCounter, EngagementRepo, EngagementSummary, RecipientFact } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { isoTime, opt } from '../values.js';
import type { Query } from './repos.js';

const FACTS = new Set<RecipientFact>(['hard_bounce', 'soft_bounce', 'block', 'complaint', 'opt_out']);

export class PgEngagementRepo implements EngagementRepo {
  constructor(private readonly q: Query) {}

  async record(e: {
    recipientRowId: number;
    campaignId: string;
    kind: 'open' | 'click';
    linkIndex?: number;
    at: string;
    human: boolean;
  }): Promise<{ firstHuman: boolean; humanHits: number; hits: number }> {
    if (e.kind !== 'open' && e.kind !== 'click') throw new StoreInputError(`engagement kind must be open or click, got ${String(e.kind)}`);
    const linkIdx = e.kind === 'open' ? -1 : e.linkIndex;
    if (!Number.isInteger(linkIdx) || (e.kind === 'click' && (linkIdx as number) < 0)) {
      throw new StoreInputError('a click needs a link index of 0 or more');
    }
    const at = isoTime(e.at, 'engagement time');
    const human = e.human ? 1 : 0;
    const { rows } = await this.q(
      `INSERT INTO engagement AS g (recipient_row_id, kind, link_idx, campaign_id, human_hits, machine_hits, first_human_at, last_human_at, last_machine_at)
        VALUES ($1, $2, $3, $4, $5, 1 - $5, $6, $6, $7)
        ON CONFLICT (recipient_row_id, kind, link_idx) DO UPDATE SET
          human_hits = g.human_hits + excluded.human_hits,
          machine_hits = g.machine_hits + excluded.machine_hits,
          first_human_at = coalesce(g.first_human_at, excluded.first_human_at),
          last_human_at = coalesce(excluded.last_human_at, g.last_human_at),
          last_machine_at = coalesce(excluded.last_machine_at, g.last_machine_at)
        RETURNING human_hits, machine_hits`,
      [e.recipientRowId, e.kind, linkIdx, e.campaignId, human, e.human ? at : null, e.human ? null : at],
    );
    const humanHits = rows[0].human_hits as number;
    return { firstHuman: e.human && humanHits === 1, humanHits, hits: humanHits + (rows[0].machine_hits as number) };
  }

  async forRecipient(recipientRowId: number): Promise<EngagementCounter[]> {
    const { rows } = await this.q(
      `SELECT kind, link_idx, human_hits, machine_hits, first_human_at, last_human_at, last_machine_at
        FROM engagement WHERE recipient_row_id = $1 ORDER BY kind DESC, link_idx`,
      [recipientRowId],
    );
    return rows.map((r) => {
      const c: EngagementCounter = {
        kind: r.kind as 'open' | 'click',
        humanHits: r.human_hits as number,
        machineHits: r.machine_hits as number,
        firstHumanAt: opt(r.first_human_at as string | null),
        lastHumanAt: opt(r.last_human_at as string | null),
        lastMachineAt: opt(r.last_machine_at as string | null),
      };
      if (r.kind === 'click') c.linkIndex = r.link_idx as number;
      return c;
    });
  }

  async countSoftBounce(addressKey: string, at: string): Promise<number> {
    const { rows } = await this.q(
      `INSERT INTO soft_bounces AS b (address_key, count, last_at) VALUES ($1, 1, $2)
        ON CONFLICT (address_key) DO UPDATE SET count = b.count + 1, last_at = excluded.last_at RETURNING count`,
      [addressKey, isoTime(at, 'bounce time')],
    );
    return rows[0].count as number;
  }

  async softBounces(addressKey: string): Promise<number> {
    const { rows } = await this.q('SELECT count FROM soft_bounces WHERE address_key = $1', [addressKey]);
    return (rows[0]?.count as number | undefined) ?? 0;
  }

  async addFact(f: { recipientRowId: number; campaignId: string; fact: RecipientFact; at: string; detail?: string }): Promise<boolean> {
    if (!FACTS.has(f.fact)) throw new StoreInputError(`unknown engagement fact: ${String(f.fact)}`);
    const at = isoTime(f.at, 'fact time');
    const r = await this.q(
      `INSERT INTO engagement_facts (recipient_row_id, fact, campaign_id, at, detail) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (recipient_row_id, fact) DO NOTHING`,
      [f.recipientRowId, f.fact, f.campaignId, at, f.detail ?? null],
    );
    return r.rowCount === 1;
  }

  /** Per recipient first, so "people" counts each recipient once across all links; one round trip per part. */
  async summary(campaignId: string): Promise<EngagementSummary> {
    const [people, links, facts] = await Promise.all([
      this.q(
        `SELECT kind, count(*) FILTER (WHERE h > 0)::int AS people, count(*) FILTER (WHERE h = 0 AND m > 0)::int AS machine_only,
            coalesce(sum(h), 0)::int AS human_hits, coalesce(sum(m), 0)::int AS machine_hits
          FROM (SELECT kind, recipient_row_id, sum(human_hits) AS h, sum(machine_hits) AS m FROM engagement
            WHERE campaign_id = $1 GROUP BY kind, recipient_row_id) per GROUP BY kind`,
        [campaignId],
      ),
      this.q(
        `SELECT link_idx, count(*) FILTER (WHERE human_hits > 0)::int AS people, sum(human_hits)::int AS human_hits,
            sum(machine_hits)::int AS machine_hits
          FROM engagement WHERE campaign_id = $1 AND kind = 'click' GROUP BY link_idx ORDER BY link_idx`,
        [campaignId],
      ),
      this.q('SELECT fact, count(*)::int AS n FROM engagement_facts WHERE campaign_id = $1 GROUP BY fact', [campaignId]),
    ]);
    const person = (kind: 'open' | 'click') => {
      const r = people.rows.find((p) => p.kind === kind);
      return r
        ? { people: r.people as number, machineOnly: r.machine_only as number, humanHits: r.human_hits as number, machineHits: r.machine_hits as number }
        : { people: 0, machineOnly: 0, humanHits: 0, machineHits: 0 };
    };
    const byFact = Object.fromEntries([...FACTS].map((f) => [f, 0])) as Record<RecipientFact, number>;
    for (const r of facts.rows) byFact[r.fact as RecipientFact] = r.n as number;
    return {
      opens: person('open'),
      clicks: person('click'),
      links: links.rows.map((r) => ({
        linkIndex: r.link_idx as number,
        people: r.people as number,
        humanHits: r.human_hits as number,
        machineHits: r.machine_hits as number,
      })),
      facts: byFact,
    };
  }
}
