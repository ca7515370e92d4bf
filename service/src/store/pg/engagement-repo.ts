// Engagement counters and facts on PostgreSQL: the same port and behaviour as store/sqlite-engagement-repo.ts.
// A hit is one upsert that returns the counters it left (one round trip on the pixel's path), and adds to what
// another process wrote meanwhile; a fact is inserted once per (recipient, fact) whichever process sees it first.
import type { EngagementCount, EngagementCounter, EngagementHit, EngagementRepo, EngagementSummary, RecipientFact } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { hitKey, isoTime, opt } from '../values.js';
import type { Query } from './repos.js';

const FACTS = new Set<RecipientFact>(['hard_bounce', 'soft_bounce', 'block', 'complaint', 'opt_out']);

export class PgEngagementRepo implements EngagementRepo {
  constructor(private readonly q: Query) {}

  async record(e: EngagementHit): Promise<{ firstHuman: boolean; humanHits: number; hits: number }> {
    const { linkIdx, at } = hitKey(e);
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

  /**
   * One upsert for the batch: hits of one counter are summed first (a statement may not update a row twice), then
   * each hit's answer is worked out from the totals, as if recorded one after the other. Counters are locked in key
   * order, so two batches at once cannot deadlock.
   */
  async recordMany(hits: EngagementHit[]): Promise<EngagementCount[]> {
    type Sum = {
      row: number;
      kind: string;
      link: number;
      campaignId: string;
      human: number;
      machine: number;
      firstHumanAt: string | null;
      lastHumanAt: string | null;
      lastMachineAt: string | null;
      hits: Array<{ i: number; human: boolean }>;
    };
    const sums = new Map<string, Sum>();
    for (const [i, e] of hits.entries()) {
      const { linkIdx: link, at } = hitKey(e);
      const key = `${e.recipientRowId}|${e.kind}|${link}`;
      let s = sums.get(key);
      if (!s) {
        s = {
          row: e.recipientRowId,
          kind: e.kind,
          link: link as number,
          campaignId: e.campaignId,
          human: 0,
          machine: 0,
          firstHumanAt: null,
          lastHumanAt: null,
          lastMachineAt: null,
          hits: [],
        };
        sums.set(key, s);
      }
      if (e.human) {
        s.human++;
        s.firstHumanAt ??= at;
        s.lastHumanAt = at;
      } else {
        s.machine++;
        s.lastMachineAt = at;
      }
      s.hits.push({ i, human: e.human });
    }
    if (sums.size === 0) return [];
    const list = [...sums.values()].sort((a, b) => a.row - b.row || a.kind.localeCompare(b.kind) || a.link - b.link);
    const { rows } = await this.q(
      `INSERT INTO engagement AS g (recipient_row_id, kind, link_idx, campaign_id, human_hits, machine_hits, first_human_at, last_human_at, last_machine_at)
        SELECT r, k, l, c, h, m, f, lh, lm
          FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS u (r, k, l, c, h, m, f, lh, lm, o)
          ORDER BY o
        ON CONFLICT (recipient_row_id, kind, link_idx) DO UPDATE SET
          human_hits = g.human_hits + excluded.human_hits,
          machine_hits = g.machine_hits + excluded.machine_hits,
          first_human_at = coalesce(g.first_human_at, excluded.first_human_at),
          last_human_at = coalesce(excluded.last_human_at, g.last_human_at),
          last_machine_at = coalesce(excluded.last_machine_at, g.last_machine_at)
        RETURNING recipient_row_id, kind, link_idx, human_hits, machine_hits`,
      [
        list.map((s) => s.row),
        list.map((s) => s.kind),
        list.map((s) => s.link),
        list.map((s) => s.campaignId),
        list.map((s) => s.human),
        list.map((s) => s.machine),
        list.map((s) => s.firstHumanAt),
        list.map((s) => s.lastHumanAt),
        list.map((s) => s.lastMachineAt),
      ],
    );
    const out: EngagementCount[] = new Array(hits.length);
    for (const r of rows) {
      const s = sums.get(`${Number(r.recipient_row_id)}|${r.kind}|${r.link_idx}`)!;
      let human = (r.human_hits as number) - s.human;
      let total = human + (r.machine_hits as number) - s.machine;
      for (const h of s.hits) {
        if (h.human) human++;
        total++;
        out[h.i] = { firstHuman: h.human && human === 1, humanHits: human, hits: total };
      }
    }
    return out;
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
