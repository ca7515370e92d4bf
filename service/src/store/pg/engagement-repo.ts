// Engagement counters and facts on PostgreSQL: the same port and behaviour as store/sqlite-engagement-repo.ts.
// A hit is one upsert that returns the counters it left (one round trip on the pixel's path), and adds to what
// another process wrote meanwhile; a fact is inserted once per (recipient, fact) whichever process sees it first.
import type {
  BlockReport,
  EngagementCount,
  EngagementCounter,
  EngagementHit,
  EngagementRepo,
  EngagementSummary,
  HitWithEffects,
  RecipientFact,
} from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { BLOCK_REPORTS, type BlockRow, blockReport, hitKey, isoTime, opt, toJson } from '../values.js';
import type { Query } from './repos.js';

const FACTS = new Set<RecipientFact>(['hard_bounce', 'soft_bounce', 'block', 'complaint', 'opt_out']);

export class PgEngagementRepo implements EngagementRepo {
  constructor(
    private readonly q: Query,
    private readonly now: () => string,
  ) {}

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
    const { list, perHit } = sumHits(hits);
    if (list.length === 0) return [];
    const { rows } = await this.q(`${upsertSums(SUMS)} RETURNING recipient_row_id, kind, link_idx, human_hits, machine_hits`, [
      toJson({ s: list.map(sumRow) }),
    ]);
    const byKey = new Map(rows.map((r) => [`${Number(r.recipient_row_id)}|${r.kind}|${r.link_idx}`, r]));
    return perHit.map((h) => {
      const r = byKey.get(list[h.sum].key)!;
      return countOf(h, r.human_hits as number, r.machine_hits as number);
    });
  }

  /**
   * recordMany's upsert, the events and the outbox items as one statement with data-modifying CTEs: every part sees
   * the upsert's RETURNING, so which event is kept and which item is a person's first is decided in the server, and a
   * batch is one round trip (and its own transaction) instead of BEGIN, three statements and COMMIT.
   */
  async recordWithEffects(items: HitWithEffects[], maxEvents: number, o: { commitKey?: string } = {}): Promise<EngagementCount[]> {
    const { list, perHit } = sumHits(items.map((i) => i.hit));
    if (list.length === 0) return [];
    for (const i of items)
      if (i.firstHumanItem && (typeof i.firstHumanItem.key !== 'string' || i.firstHumanItem.key === '')) throw new StoreInputError('outbox item needs a key');
    const now = this.now();
    // Only a counter's first human hit in the batch can be its first ever: the rest need not be sent (nor serialised).
    // A field left out reads as NULL: the server parses every byte sent, so what a hit shares with its counter (the
    // event's row, campaign and type, usually), zero offsets and an absent outbox item are not sent.
    const hitRows = items.map(({ event: e, firstHumanItem }, n) => {
      const h = perHit[n];
      const counter = list[h.sum];
      const row: Record<string, unknown> = { s: h.sum + 1, ea: isoTime(e.at, 'event time'), ed: e.data };
      if (h.human) row.u = true;
      if (h.humanOffset) row.ho = h.humanOffset;
      if (h.totalOffset) row.to = h.totalOffset;
      if (e.recipientRowId !== counter.row) row.er = e.recipientRowId;
      if (e.campaignId !== counter.campaignId) row.ec = e.campaignId;
      if (e.type !== counter.kind) row.et = e.type;
      const o = h.human && h.humanOffset + counter.human === 1 ? firstHumanItem : undefined;
      if (o) Object.assign(row, { ok: o.key, okd: o.kind, oc: o.campaignId, op: o.payload, orun: o.runAt ? isoTime(o.runAt, 'runAt') : now });
      return row;
    });
    const { rows } = await this.q(
      `WITH s AS (SELECT r, k, l, c, h, m, f, lh, lm, o ${SUMS}),
        up AS (${upsertSums('s')}
          RETURNING recipient_row_id, kind, link_idx, human_hits, machine_hits),
        hit AS (SELECT x.o, coalesce(x.u, false) AS human, up.human_hits + coalesce(x.ho, 0) AS human_hits,
            up.human_hits + up.machine_hits + coalesce(x.to, 0) AS hits, coalesce(x.er, s.r) AS er, coalesce(x.ec, s.c) AS ec,
            coalesce(x.et, s.k) AS et, x.ea, x.ed, x.ok, x.okd, x.oc, x.op, x.orun
          FROM ROWS FROM (jsonb_to_recordset($1::jsonb -> 'h') AS (s int, u bool, ho int, "to" int, er bigint, ec text, et text, ea text, ed jsonb,
              ok text, okd text, oc text, op jsonb, orun text))
            WITH ORDINALITY AS x (s, u, ho, "to", er, ec, et, ea, ed, ok, okd, oc, op, orun, o)
          JOIN s ON s.o = x.s
          JOIN up ON up.recipient_row_id = s.r AND up.kind = s.k AND up.link_idx = s.l),
        ev AS (INSERT INTO events (recipient_row_id, campaign_id, type, at, data)
          SELECT er, ec, et, ea, ed FROM hit WHERE hits <= $2 ORDER BY o),
        ob AS (INSERT INTO outbox (key, kind, campaign_id, payload, run_at, created_at)
          SELECT ok, okd, oc, coalesce(op, 'null'), orun, $3
            FROM (SELECT DISTINCT ON (ok) * FROM hit WHERE human AND human_hits = 1 AND ok IS NOT NULL ORDER BY ok, o) firsts
            ORDER BY o
          ON CONFLICT (key) DO NOTHING),
        ck AS (INSERT INTO spooled_hits (key, at) SELECT $4::text, $3 WHERE $4::text IS NOT NULL)
      SELECT o, human_hits, hits FROM hit ORDER BY o`,
      [toJson({ s: list.map(sumRow), h: hitRows }), maxEvents, now, o.commitKey ?? null],
    );
    return rows.map((r, i) => ({ firstHuman: perHit[i].human && (r.human_hits as number) === 1, humanHits: r.human_hits as number, hits: r.hits as number }));
  }

  async takeSpooled(keys: string[], at: string): Promise<string[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.q(
      'INSERT INTO spooled_hits (key, at) SELECT k, $2 FROM unnest($1::text[]) AS u (k) ON CONFLICT (key) DO NOTHING RETURNING key',
      [[...new Set(keys)], isoTime(at, 'spool time')],
    );
    const fresh = new Set(rows.map((r) => r.key as string));
    return keys.filter((k) => fresh.delete(k));
  }

  async takenSpooled(keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.q('SELECT key FROM spooled_hits WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
    const taken = new Set(rows.map((r) => r.key as string));
    return keys.filter((k) => taken.has(k));
  }

  async pruneSpooled(iso: string): Promise<number> {
    return (await this.q('DELETE FROM spooled_hits WHERE at < $1', [isoTime(iso, 'prune time')])).rowCount ?? 0;
  }

  async forRecipient(recipientRowId: number, o: { lock?: boolean } = {}): Promise<EngagementCounter[]> {
    // The ledger row stands for the person (their counters may not exist yet). A statement of its own: the counters'
    // read must take its snapshot after the wait, to see what the hit that held the lock committed.
    if (o.lock) await this.q('SELECT FROM recipients WHERE row_id = $1 FOR NO KEY UPDATE', [recipientRowId]);
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

  async blockReports(q: { since: string; identityId: string; isDefault: boolean; provider: string; limit: number }): Promise<BlockReport[]> {
    const { rows } = await this.q(
      BLOCK_REPORTS((n) => `$${n}`),
      [isoTime(q.since, 'blocks since'), q.identityId, q.isDefault ? 1 : 0, q.provider, q.limit],
    );
    return (rows as unknown as BlockRow[]).map(blockReport);
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

// The summed counters, one row each, `o` their order: the batch goes as one JSON parameter ($1, its `s`), which
// JSON.stringify builds natively, where node-postgres would turn each of a dozen arrays into a literal element by
// element (escaping every string, and every event's JSON once more).
const SUMS = `FROM ROWS FROM (jsonb_to_recordset($1::jsonb -> 's') AS (r bigint, k text, l int, c text, h int, m int, f text, lh text, lm text))
    WITH ORDINALITY AS u (r, k, l, c, h, m, f, lh, lm, o)`;

const upsertSums = (
  from: string,
) => `INSERT INTO engagement AS g (recipient_row_id, kind, link_idx, campaign_id, human_hits, machine_hits, first_human_at, last_human_at, last_machine_at)
    SELECT r, k, l, c, h, m, f, lh, lm ${from.startsWith('FROM') ? from : `FROM ${from}`} ORDER BY o
    ON CONFLICT (recipient_row_id, kind, link_idx) DO UPDATE SET
      human_hits = g.human_hits + excluded.human_hits,
      machine_hits = g.machine_hits + excluded.machine_hits,
      first_human_at = coalesce(g.first_human_at, excluded.first_human_at),
      last_human_at = coalesce(excluded.last_human_at, g.last_human_at),
      last_machine_at = coalesce(excluded.last_machine_at, g.last_machine_at)`;

interface Sum {
  key: string;
  row: number;
  kind: string;
  link: number;
  campaignId: string;
  human: number;
  machine: number;
  firstHumanAt: string | null;
  lastHumanAt: string | null;
  lastMachineAt: string | null;
}
/** A hit's place in its counter's sum: its counts are the counter's totals after the upsert plus these offsets. */
interface HitPlace {
  sum: number;
  human: boolean;
  humanOffset: number;
  totalOffset: number;
}

/** Hits summed per counter, in key order (the lock order), and where each hit falls in its counter's sum. */
function sumHits(hits: EngagementHit[]): { list: Sum[]; perHit: HitPlace[] } {
  const sums = new Map<string, Sum>();
  const seen: Array<{ s: Sum; human: number; total: number; isHuman: boolean }> = [];
  for (const e of hits) {
    const { linkIdx: link, at } = hitKey(e);
    const key = `${e.recipientRowId}|${e.kind}|${link}`;
    let s = sums.get(key);
    if (!s) {
      s = {
        key,
        row: e.recipientRowId,
        kind: e.kind,
        link,
        campaignId: e.campaignId,
        human: 0,
        machine: 0,
        firstHumanAt: null,
        lastHumanAt: null,
        lastMachineAt: null,
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
    seen.push({ s, human: s.human, total: s.human + s.machine, isHuman: e.human });
  }
  const list = [...sums.values()].sort((a, b) => a.row - b.row || a.kind.localeCompare(b.kind) || a.link - b.link);
  const index = new Map(list.map((s, i) => [s, i]));
  const perHit = seen.map(({ s, human, total, isHuman }) => ({
    sum: index.get(s)!,
    human: isHuman,
    humanOffset: human - s.human,
    totalOffset: total - s.human - s.machine,
  }));
  return { list, perHit };
}

/** A sum as a row of SUMS. */
function sumRow(s: Sum) {
  return { r: s.row, k: s.kind, l: s.link, c: s.campaignId, h: s.human, m: s.machine, f: s.firstHumanAt, lh: s.lastHumanAt, lm: s.lastMachineAt };
}

function countOf(h: HitPlace, humanAfter: number, machineAfter: number): EngagementCount {
  const humanHits = humanAfter + h.humanOffset;
  return { firstHuman: h.human && humanHits === 1, humanHits, hits: humanAfter + machineAfter + h.totalOffset };
}
