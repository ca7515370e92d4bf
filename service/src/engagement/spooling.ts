// Tracking through a database outage. When a write of an open or a click finds the store unreachable, the hit goes
// to the process's spool (fsync'd before the reader is answered) and every later hit follows it there, so the pixel
// and the redirects answer at once instead of each waiting out a connection timeout. Every `retryMs` the spool is
// replayed into the store: its hits, oldest first, a chunk per transaction, each chunk taking its hits' keys
// (engagement.takeSpooled) in the transaction that records them, so a replay cut short and run again records each
// hit once. Once the spool is empty, hits go to the store again. One-click opt-outs take the same way: an RFC 8058
// POST is answered 200 once its opt-out is on disk, and its replay suppresses and queues it for Sugar as usual.
// A hit older than `maxAgeMs` (the raw-event retention) is dropped, not replayed: the spool keeps personal data no
// longer than the store does, and a taken key older than that can be pruned (engagement/retention.ts).
// A spooled hit carries what the process knew of its row (campaign, address hash) and is recorded only on a row that
// still matches it: after a lossy failover a row id may name another person, who must never be counted or suppressed.
import { createHash } from 'node:crypto';
import { type BotRules, ipMatches } from '../domain/bot-detect.js';
import { StoreUnavailableError } from '../ports/errors.js';
import type { HitSpool, SpooledHit, StorePart, UnitOfWork } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import type { ClickRecorder, ClickTx } from './clicks.js';
import type { FactRecorder, OptOutTx } from './facts.js';
import { truncateIp } from './ip.js';
import { openEffects } from './opens.js';
import { type RecipientLookup, type TrackedRecipient, toTracked } from './recipients.js';
import type { Spill } from './spill.js';
import type { TrackedLinksCache } from './tracked-links.js';

export type SpoolingStore = UnitOfWork &
  StorePart<{ engagement: 'takeSpooled' | 'takenSpooled' | 'recordWithEffects'; recipients: 'getMany' }> &
  ClickTx &
  OptOutTx;

/** Enough to tell two addresses apart, too little to read one back from the spool file. */
export const addressHash = (addressKey: string): string => createHash('sha256').update(addressKey).digest('base64url').slice(0, 16);

/** Whether a spooled hit may be recorded on the row the database holds now under its row id. */
function matchesRow(h: SpooledHit, r: TrackedRecipient, lookup: Pick<RecipientLookup, 'isPerson'>): boolean {
  return (
    (h.campaignId === undefined || h.campaignId === r.campaignId) &&
    (h.addressHash === undefined || h.addressHash === addressHash(r.addressKey)) &&
    lookup.isPerson(h.person, r)
  );
}

export interface SpoolingOptions {
  spool: HitSpool;
  store: SpoolingStore;
  lookup: RecipientLookup;
  rules: BotRules;
  maxEventsPerRecipient: number;
  /** The click recorder, once it exists (it records through this spill too). */
  clicks: () => Pick<ClickRecorder, 'target' | 'recordIn'>;
  /** The fact recorder (opt-outs replay through it). */
  facts: () => Pick<FactRecorder, 'optOutIn'>;
  /**
   * Opens and clicks are no longer spooled (counted as refused) once the spool holds this many bytes (default: no
   * limit); one-click opt-outs still are up to twice as many, then refused as the database is (the reader retries).
   */
  maxBytes?: number;
  /**
   * The tracked links: the campaign of a row this process never read. With them, a one-click opt-out on a row of a
   * campaign this process knows nothing of is refused as the database is (the reader retries), never spooled unchecked.
   */
  tracked?: Pick<TrackedLinksCache, 'campaignOf'>;
  /**
   * Every hit goes to the spool and nothing is replayed until `release()`: a process started while the database was
   * down records nothing before its start-up checks (schema version, secret) have passed against it.
   */
  held?: boolean;
  /** Hits older than this are dropped instead of replayed (default: never). */
  maxAgeMs?: number;
  retryMs?: number;
  /** Hits per replay transaction (default 500). */
  chunk?: number;
  clock?: () => Date;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

export function createSpooling(o: SpoolingOptions) {
  const retryMs = o.retryMs ?? 1000;
  const chunk = o.chunk ?? 500;
  const now = o.clock ?? (() => new Date());
  // Hits left on disk by an earlier run are replayed first: until then, new hits queue behind them.
  let held = o.held ?? false;
  let active = held || o.spool.size() > 0;
  let since: Date | undefined = active ? now() : undefined;
  let timer: NodeJS.Timeout | undefined;
  let replaying: Promise<void> | undefined;
  let closed = false;
  let spooled = 0;
  let replayed = 0;
  let dropped = 0;
  let refused = 0;
  let mismatched = 0;
  const readThisReplay = new Map<number, TrackedRecipient>();
  let warnedFullAt = Number.NEGATIVE_INFINITY;

  const schedule = () => {
    if (!timer && !closed && !held) timer = setTimeout(() => void replay(), retryMs);
  };

  /** What this process knows of a row now, without I/O: the row it read, else its campaign from the tracked links. */
  function knownOf(rowId: number): Pick<SpooledHit, 'campaignId' | 'addressHash'> {
    const r = o.lookup.cached?.(rowId);
    if (r) return { campaignId: r.campaignId, addressHash: addressHash(r.addressKey) };
    const campaignId = o.tracked?.campaignOf(rowId);
    return campaignId === undefined ? {} : { campaignId };
  }

  /**
   * Whether the failed write of commit key `key` committed after all (its answer lost with the connection): its key is
   * taken here, as the write would have (one still committing is waited for; one coming later finds it taken and
   * fails). Taken already, the write committed, unless a replay took it before (marked `#replay` with it, in its
   * transaction): a replay cut short, or a write's hits replayed one by one after a bad line, goes on with the rest.
   */
  async function committedBefore(tx: Pick<SpoolingStore, 'engagement'>, key: string, decided: Map<string, boolean>): Promise<boolean> {
    let committed = decided.get(key);
    if (committed === undefined) {
      const at = now().toISOString();
      const claimed = (await tx.engagement.takeSpooled([key], at)).length === 1;
      if (claimed) await tx.engagement.takeSpooled([`${key}#replay`], at);
      committed = !claimed && (await tx.engagement.takenSpooled([`${key}#replay`])).length === 0;
      decided.set(key, committed);
    }
    return committed;
  }

  async function replayChunk(all: SpooledHit[]): Promise<void> {
    const cutoff = o.maxAgeMs === undefined ? '' : new Date(now().getTime() - o.maxAgeMs).toISOString();
    const hits = all.filter((h) => !(h.at < cutoff));
    if (hits.length < all.length) {
      dropped += all.length - hits.length;
      o.logger?.warn({ dropped: all.length - hits.length, olderThan: cutoff }, 'tracking.spool.expired');
    }
    // Each row as the database holds it now, read afresh (once per replay): the lookup's cache holds it as read
    // before the outage, which is what the hit claims, not what it must be checked against. Outside the transaction
    // (on SQLite an outside call waits for the transaction).
    const rows = new Map<number, TrackedRecipient | undefined>();
    const unread: number[] = [];
    for (const id of new Set(hits.map((h) => h.rowId))) {
      const known = readThisReplay.get(id);
      if (known) rows.set(id, known);
      else unread.push(id);
    }
    for (const row of unread.length ? await o.store.recipients.getMany(unread) : []) {
      const r = toTracked(row);
      rows.set(r.rowId, r);
      // A row not yet accepted is read again: its acceptance time decides whether a hit came too soon.
      if (r.acceptedAt && r.messageId) {
        if (readThisReplay.size >= 100_000) readThisReplay.clear();
        readThisReplay.set(r.rowId, r);
      }
    }
    const wrong = new Set(
      hits.filter((h) => {
        const r = rows.get(h.rowId);
        return r !== undefined && !matchesRow(h, r, o.lookup);
      }),
    );
    const right = hits.filter((h) => !wrong.has(h));
    // Checked above, person included.
    const stored: RecipientLookup = { get: async (id) => rows.get(id), isPerson: () => true, links: (id, atLeast) => o.lookup.links(id, atLeast) };
    const opens = await openEffects(
      stored,
      o.rules,
      right.filter((h) => h.kind === 'open').map((h) => ({ ...h, at: new Date(h.at) })),
    );
    const clicks = await Promise.all(
      right
        .filter((h) => h.kind === 'click' && h.linkIndex !== undefined && rows.get(h.rowId))
        .map(async (h) => ({ h, target: await o.clicks().target(rows.get(h.rowId)!, h.linkIndex!) })),
    );
    const optOuts = right.filter((h) => h.kind === 'optout').map((h) => ({ h, r: rows.get(h.rowId) }));
    const fresh = await o.store.transaction(async (tx) => {
      // Every hit's key, a mismatched one's too: it is judged once, never retried against another row.
      const fresh = new Set(
        await tx.engagement.takeSpooled(
          hits.map((h) => h.key),
          now().toISOString(),
        ),
      );
      const decided = new Map<string, boolean>();
      for (const h of hits) if (h.commitKey && (await committedBefore(tx, h.commitKey, decided))) fresh.delete(h.key);
      const items = opens.filter((x) => fresh.has(x.hit.key)).map((x) => x.item);
      if (items.length) await tx.engagement.recordWithEffects(items, o.maxEventsPerRecipient);
      for (const { h, target } of clicks) {
        if (!target || !fresh.has(h.key)) continue;
        const hit = { rowId: h.rowId, linkIndex: h.linkIndex!, method: h.method, userAgent: h.userAgent, ip: h.ip, ipMatched: h.ipMatched, at: new Date(h.at) };
        await o.clicks().recordIn(tx, hit, target);
      }
      // A row gone meanwhile (its campaign deleted) has no one left to suppress for.
      for (const { h, r } of optOuts) if (r && fresh.has(h.key)) await o.facts().optOutIn(tx, r, new Date(h.at), h.reason ?? 'one_click');
      return fresh;
    });
    for (const h of wrong) {
      if (!fresh.has(h.key)) continue;
      mismatched++;
      const r = rows.get(h.rowId)!;
      o.logger?.warn(
        {
          key: h.key,
          kind: h.kind,
          rowId: h.rowId,
          spooledFor: h.campaignId,
          rowCampaignId: r.campaignId,
          addressDiffers: h.addressHash !== undefined && h.addressHash !== addressHash(r.addressKey),
          personDiffers: !o.lookup.isPerson(h.person, r),
        },
        'tracking.spool.mismatch',
      );
    }
    replayed += hits.length;
  }

  /**
   * A chunk that fails for any reason but the store being unreachable (a line the store refuses, or cannot be read as
   * a hit) is replayed hit by hit and the failing hit dropped, logged whole: otherwise one bad line would hold every
   * later hit in the spool, and the process in spooling, for ever.
   */
  async function replayOrDrop(hits: SpooledHit[]): Promise<void> {
    try {
      await replayChunk(hits);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      if (hits.length === 1) {
        o.logger?.error({ err, hit: hits[0] }, 'tracking.spool.dropped');
        return;
      }
      for (const hit of hits) await replayOrDrop([hit]);
    }
  }

  async function drain(): Promise<void> {
    readThisReplay.clear();
    for (;;) {
      const files = await o.spool.ended();
      if (files.length === 0 && o.spool.size() > 0) return schedule();
      for (const file of files) {
        const hits = await file.hits();
        for (const part of chunks(hits, chunk)) await replayOrDrop(part);
        await file.done();
      }
      // Nothing appended meanwhile: from here on hits go to the store. (An append counts before its write starts.)
      if (o.spool.size() === 0) {
        o.logger?.info({ replayed, downForMs: since ? now().getTime() - since.getTime() : 0 }, 'tracking.spool.replayed');
        o.lookup.forgetRows?.();
        active = false;
        since = undefined;
        return;
      }
    }
  }

  function replay(): Promise<void> {
    timer = undefined;
    if (held) return Promise.resolve();
    replaying ??= drain()
      .catch((err: unknown) => {
        if (!(err instanceof StoreUnavailableError)) o.logger?.error({ err }, 'tracking.spool.replay_failed');
        schedule();
      })
      .finally(() => {
        replaying = undefined;
      });
    return replaying;
  }

  if (active) schedule();

  const spill: Spill = {
    active: () => active,
    async keep(hits, cause) {
      if (!active) {
        active = true;
        since = now();
        o.logger?.warn({ err: cause?.message }, 'tracking.spool.started');
      }
      schedule();
      // An outage can last longer than a disk: one valid token replayed at line rate fills it. Past the limit a pixel
      // is still answered and a click still redirected, only not counted; an opt-out has a reserve of its own.
      const limit = o.maxBytes === undefined ? Number.POSITIVE_INFINITY : o.maxBytes * (hits.some((h) => h.kind === 'optout') ? 2 : 1);
      if (o.spool.bytes() >= limit) {
        if (now().getTime() - warnedFullAt >= 60_000) {
          warnedFullAt = now().getTime();
          o.logger?.warn({ bytes: o.spool.bytes(), maxBytes: o.maxBytes, refused: refused + hits.length }, 'tracking.spool.full');
        }
        refused += hits.length;
        if (hits.some((h) => h.kind === 'optout')) throw cause ?? new StoreUnavailableError('SPOOL_FULL', { detail: 'the spool is full' });
        return;
      }
      const known = hits.map((h) => ({ ...bounded(h, o.rules), ...knownOf(h.rowId) }));
      // An opt-out suppresses an address: on a row this process cannot vouch for (nor its token: one minted before
      // tokens checked their person), the reader is asked to come back.
      if (o.tracked && known.some((h) => h.kind === 'optout' && h.campaignId === undefined && h.person === undefined))
        throw new StoreUnavailableError('UNVERIFIABLE', {
          detail: 'an opt-out on a campaign this process does not hold cannot be kept until the database answers',
        });
      await o.spool.append(known);
      spooled += hits.length;
    },
  };

  return {
    spill,
    /** Replays now (tests, and shutdown with the database back); resolves when this attempt ends. */
    replay,
    /** The start-up checks passed: replay what waits, then record in the store again. */
    release(): Promise<void> {
      held = false;
      return replay();
    },
    stats: () => ({
      active,
      held,
      since: since?.toISOString(),
      spooled,
      replayed,
      dropped,
      refused,
      mismatched,
      waiting: o.spool.size(),
      oldest: o.spool.oldest()?.toISOString(),
    }),
    async close(): Promise<void> {
      closed = true;
      if (timer) clearTimeout(timer);
      await replaying;
      await o.spool.close();
    },
  };
}

export type Spooling = ReturnType<typeof createSpooling>;

/**
 * A hit cut to what its replay can use: bot rules read a user agent's first 512 characters and events keep 200. A
 * reader holding one real pixel could otherwise write 15 KB of user agent to the disk per request, about 20 MB a
 * second from one client, for as long as the outage lasts. The address is personal data: the disk gets its network,
 * as the store does, and what the whole of it matched of the bot rules' networks (one may be narrower than a /24).
 */
function bounded<T extends { userAgent?: string; ip?: string }>(h: T, rules: BotRules): T {
  return { ...h, userAgent: h.userAgent?.slice(0, 1024), ip: truncateIp(h.ip), ...(h.ip ? { ipMatched: ipMatches(h.ip, rules) } : {}) };
}

/** About `size` hits a chunk, the hits of one failed write (one commit key, appended together) never split. */
export function* chunks(hits: SpooledHit[], size: number): Generator<SpooledHit[]> {
  let start = 0;
  for (let i = size; i < hits.length; i++) {
    if (i - start >= size && (!hits[i].commitKey || hits[i].commitKey !== hits[i - 1].commitKey)) {
      yield hits.slice(start, i);
      start = i;
    }
  }
  if (start < hits.length) yield hits.slice(start);
}
