import type Database from 'better-sqlite3';
import type {
  BlockReport,
  EngagementCount,
  EngagementCounter,
  EngagementHit,
  EngagementRepo,
  EngagementSummary,
  EventRepo,
  HitWithEffects,
  OutboxRepo,
  RecipientFact,
} from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { BLOCK_REPORTS, type BlockRow, blockReport, hitKey, isoTime, opt } from './values.js';

interface CounterRow {
  kind: 'open' | 'click';
  link_idx: number;
  human_hits: number;
  machine_hits: number;
  first_human_at: string | null;
  last_human_at: string | null;
  last_machine_at: string | null;
}

export class SqliteEngagementRepo implements EngagementRepo {
  private readonly q;

  /** `effects`: where recordWithEffects writes events and outbox items (the same connection's repositories). */
  constructor(
    private readonly db: Database.Database,
    private readonly effects: { events: Pick<EventRepo, 'addMany'>; outbox: Pick<OutboxRepo, 'enqueueMany'> },
  ) {
    this.q = {
      // Upsert then read back: RETURNING on an upsert costs several times more in SQLite, and this is the pixel's hot path.
      bump: db.prepare(`INSERT INTO engagement (recipient_row_id, kind, link_idx, campaign_id, human_hits, machine_hits,
          first_human_at, last_human_at, last_machine_at)
        VALUES (?, ?, ?, ?, ?, 1 - ?, ?, ?, ?)
        ON CONFLICT (recipient_row_id, kind, link_idx) DO UPDATE SET
          human_hits = human_hits + excluded.human_hits,
          machine_hits = machine_hits + excluded.machine_hits,
          first_human_at = coalesce(first_human_at, excluded.first_human_at),
          last_human_at = coalesce(excluded.last_human_at, last_human_at),
          last_machine_at = coalesce(excluded.last_machine_at, last_machine_at)`),
      hits: db.prepare('SELECT human_hits, machine_hits FROM engagement WHERE recipient_row_id = ? AND kind = ? AND link_idx = ?'),
      forRecipient: db.prepare(`SELECT kind, link_idx, human_hits, machine_hits, first_human_at, last_human_at, last_machine_at
        FROM engagement WHERE recipient_row_id = ? ORDER BY kind DESC, link_idx`),
      softBounce: db
        .prepare(`INSERT INTO soft_bounces (address_key, count, last_at) VALUES (?, 1, ?)
        ON CONFLICT (address_key) DO UPDATE SET count = count + 1, last_at = excluded.last_at RETURNING count`)
        .pluck(),
      softBounces: db.prepare('SELECT count FROM soft_bounces WHERE address_key = ?').pluck(),
      blockReports: db.prepare(BLOCK_REPORTS(() => '?')),
      addFact: db.prepare(`INSERT INTO engagement_facts (recipient_row_id, fact, campaign_id, at, detail)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (recipient_row_id, fact) DO NOTHING`),
      // Per recipient first, so "people" counts each recipient once across all links.
      perPerson: db.prepare(`SELECT coalesce(sum(h > 0), 0) AS people, coalesce(sum(h = 0 AND m > 0), 0) AS machine_only,
          coalesce(sum(h), 0) AS human_hits, coalesce(sum(m), 0) AS machine_hits
        FROM (SELECT sum(human_hits) AS h, sum(machine_hits) AS m FROM engagement
          WHERE campaign_id = ? AND kind = ? GROUP BY recipient_row_id)`),
      links: db.prepare(`SELECT link_idx, sum(human_hits > 0) AS people, sum(human_hits) AS human_hits, sum(machine_hits) AS machine_hits
        FROM engagement WHERE campaign_id = ? AND kind = 'click' GROUP BY link_idx ORDER BY link_idx`),
      facts: db.prepare('SELECT fact, count(*) AS n FROM engagement_facts WHERE campaign_id = ? GROUP BY fact'),
      takeSpooled: db.prepare('INSERT INTO spooled_hits (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      pruneSpooled: db.prepare('DELETE FROM spooled_hits WHERE at < ?'),
      spooledTaken: db.prepare('SELECT 1 FROM spooled_hits WHERE key = ?'),
    };
  }

  record(e: EngagementHit): { firstHuman: boolean; humanHits: number; hits: number } {
    const { linkIdx, at } = hitKey(e);
    const human = e.human ? 1 : 0;
    this.q.bump.run(e.recipientRowId, e.kind, linkIdx, e.campaignId, human, human, e.human ? at : null, e.human ? at : null, e.human ? null : at);
    const row = this.q.hits.get(e.recipientRowId, e.kind, linkIdx) as { human_hits: number; machine_hits: number };
    const humanHits = row.human_hits;
    return { firstHuman: e.human && humanHits === 1, humanHits, hits: humanHits + row.machine_hits };
  }

  recordMany(hits: EngagementHit[]): EngagementCount[] {
    return this.db.transaction(() => hits.map((h) => this.record(h)))();
  }

  // In-process, three calls in one transaction cost what one statement would.
  recordWithEffects(items: HitWithEffects[], maxEvents: number, o: { commitKey?: string } = {}): EngagementCount[] {
    return this.db.transaction(() => {
      // Kept as long as the batch's hits would be (pruned by their time).
      if (o.commitKey && items.length && this.q.takeSpooled.run(o.commitKey, isoTime(items[0].hit.at, 'hit time')).changes === 0)
        throw new StoreInputError('this batch was recorded from the spool already (its commit key is taken)');
      const counts = this.recordMany(items.map((i) => i.hit));
      this.effects.events.addMany(items.filter((_, i) => counts[i].hits <= maxEvents).map((i) => i.event));
      this.effects.outbox.enqueueMany(items.flatMap((item, i) => (counts[i].firstHuman && item.firstHumanItem ? [item.firstHumanItem] : [])));
      return counts;
    })();
  }

  takeSpooled(keys: string[], at: string): string[] {
    const when = isoTime(at, 'spool time');
    return this.db.transaction(() => keys.filter((k) => this.q.takeSpooled.run(k, when).changes === 1))();
  }

  takenSpooled(keys: string[]): string[] {
    return keys.filter((k) => this.q.spooledTaken.get(k) !== undefined);
  }

  pruneSpooled(iso: string): number {
    return this.q.pruneSpooled.run(isoTime(iso, 'prune time')).changes;
  }

  forRecipient(recipientRowId: number): EngagementCounter[] {
    return (this.q.forRecipient.all(recipientRowId) as CounterRow[]).map((r) => {
      const c: EngagementCounter = {
        kind: r.kind,
        humanHits: r.human_hits,
        machineHits: r.machine_hits,
        firstHumanAt: opt(r.first_human_at),
        lastHumanAt: opt(r.last_human_at),
        lastMachineAt: opt(r.last_machine_at),
      };
      if (r.kind === 'click') c.linkIndex = r.link_idx;
      return c;
    });
  }

  countSoftBounce(addressKey: string, at: string): number {
    return this.q.softBounce.get(addressKey, isoTime(at, 'bounce time')) as number;
  }

  softBounces(addressKey: string): number {
    return (this.q.softBounces.get(addressKey) as number | undefined) ?? 0;
  }

  blockReports(q: { since: string; identityId: string; isDefault: boolean; provider: string; limit: number }): BlockReport[] {
    const rows = this.q.blockReports.all(isoTime(q.since, 'blocks since'), q.identityId, q.isDefault ? 1 : 0, q.provider, q.limit) as BlockRow[];
    return rows.map(blockReport);
  }

  addFact(f: { recipientRowId: number; campaignId: string; fact: RecipientFact; at: string; detail?: string }): boolean {
    if (!FACTS.has(f.fact)) throw new StoreInputError(`unknown engagement fact: ${String(f.fact)}`);
    const at = isoTime(f.at, 'fact time');
    return this.q.addFact.run(f.recipientRowId, f.fact, f.campaignId, at, f.detail ?? null).changes === 1;
  }

  summary(campaignId: string): EngagementSummary {
    type PersonRow = { people: number; machine_only: number; human_hits: number; machine_hits: number };
    const person = (kind: 'open' | 'click') => {
      const r = this.q.perPerson.get(campaignId, kind) as PersonRow;
      return { people: r.people, machineOnly: r.machine_only, humanHits: r.human_hits, machineHits: r.machine_hits };
    };
    const facts = Object.fromEntries([...FACTS].map((f) => [f, 0])) as Record<RecipientFact, number>;
    for (const r of this.q.facts.all(campaignId) as Array<{ fact: RecipientFact; n: number }>) facts[r.fact] = r.n;
    const links = (this.q.links.all(campaignId) as Array<{ link_idx: number; people: number; human_hits: number; machine_hits: number }>).map((r) => ({
      linkIndex: r.link_idx,
      people: r.people,
      humanHits: r.human_hits,
      machineHits: r.machine_hits,
    }));
    return { opens: person('open'), clicks: person('click'), links, facts };
  }
}

const FACTS = new Set<RecipientFact>(['hard_bounce', 'soft_bounce', 'block', 'complaint', 'opt_out']);
