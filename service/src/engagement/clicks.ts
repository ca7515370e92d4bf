// Click redirects resolve a signed (row, link index) to the URL stored for the campaign, so the
// service can never be used as an open redirect. Bot clicks are kept and reported apart; a
// person's click also counts as an open (their client may block images).
import { type BotRules, type ClickVerdict, classifyClick, type IpMatches } from '../domain/bot-detect.js';
import { outboxItem } from '../domain/outbox.js';
import { StoreInputError, StoreUnavailableError } from '../ports/errors.js';
import type { StorePart, UnitOfWork } from '../ports/index.js';
import { truncateIp } from './ip.js';
import type { RecipientLookup, TrackedRecipient } from './recipients.js';
import { type Spill, writeOrSpill } from './spill.js';
import type { TrackedLinksCache } from './tracked-links.js';

export interface ClickHit {
  rowId: number;
  linkIndex: number;
  /** The token's person check (absent in tokens minted before it). */
  person?: string;
  method: string;
  userAgent?: string;
  ip?: string;
  /** A spooled hit's: what its full address matched before it was cut to its network. */
  ipMatched?: IpMatches;
  at: Date;
}

export interface ResolvedClick {
  url: string;
  recipient: TrackedRecipient;
  linkCount: number;
}

/** Where a click goes: from its row as stored, or (`offline`, no row) from the tracked links while the store is unreachable. */
export type RedirectTarget = ResolvedClick | { url: string; linkCount: number; recipient?: undefined; offline: StoreUnavailableError };

/** Only absolute http(s) URLs are ever redirected to. */
export function safeRedirectTarget(stored: string | undefined): string | undefined {
  if (typeof stored !== 'string' || stored.length > 8192) return undefined;
  try {
    const u = new URL(stored);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A click's counters (and an implied open), its raw events and outbox items, in one transaction. */
export type ClickTx = StorePart<{ engagement: 'forRecipient' | 'record'; events: 'add'; outbox: 'enqueue' }>;
export type ClickStore = UnitOfWork & ClickTx;

/**
 * `maxEventsPerRecipient`: raw events kept per recipient and kind (default 50); the counters count every hit.
 * `spill`: where clicks go while the database is unreachable (the reader is redirected all the same).
 * `tracked`: the links read before an outage, so a click on a row this process never read still redirects during one.
 */
export function createClickRecorder(o: {
  store: ClickStore;
  lookup: RecipientLookup;
  rules: BotRules;
  maxEventsPerRecipient?: number;
  spill?: Spill;
  tracked?: Pick<TrackedLinksCache, 'url'>;
}) {
  const { store, lookup } = o;
  const maxEvents = o.maxEventsPerRecipient ?? 50;
  type Counters = Awaited<ReturnType<ClickStore['engagement']['forRecipient']>>;

  /** The raw event of a hit, unless the recipient's counters already hold `maxEvents` hits of its kind. */
  async function keepEvent(
    tx: StorePart<{ events: 'add' }>,
    counters: Counters,
    r: TrackedRecipient,
    type: 'click' | 'open',
    at: string,
    data: Record<string, unknown>,
  ) {
    const before = counters.filter((k) => k.kind === type).reduce((n, k) => n + k.humanHits + k.machineHits, 0);
    if (before < maxEvents) await tx.events.add({ recipientRowId: r.rowId, campaignId: r.campaignId, type, at, data });
  }

  async function resolve(rowId: number, linkIndex: number, person?: string): Promise<ResolvedClick | undefined> {
    const recipient = await lookup.get(rowId, person);
    return recipient ? await target(recipient, linkIndex) : undefined;
  }

  /** Where a click on this row's link goes (the spool's replay passes the row as stored, read afresh). */
  async function target(recipient: TrackedRecipient, linkIndex: number): Promise<ResolvedClick | undefined> {
    const links = await lookup.links(recipient.campaignId, linkIndex);
    const url = safeRedirectTarget(links[linkIndex]);
    return url ? { url, recipient, linkCount: links.length } : undefined;
  }

  /** A safe target from the tracked links, when they hold the row's campaign and link. */
  function fromTracked(rowId: number, linkIndex: number, offline: StoreUnavailableError): RedirectTarget | undefined {
    const t = o.tracked?.url(rowId, linkIndex);
    const url = safeRedirectTarget(t?.url);
    return t && url ? { url, linkCount: t.linkCount, offline } : undefined;
  }

  /**
   * The redirect of a click: from the stored row and links, or while the store is unreachable (or the spool is
   * already taking hits, so no connection timeout is waited out) from the tracked links.
   */
  async function redirect(rowId: number, linkIndex: number, person?: string): Promise<RedirectTarget | undefined> {
    if (o.spill?.active()) {
      const early = fromTracked(rowId, linkIndex, new StoreUnavailableError('SPOOLING', { detail: 'hits are being spooled' }));
      if (early) return early;
    }
    try {
      return await resolve(rowId, linkIndex, person);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      const offline = fromTracked(rowId, linkIndex, err);
      if (offline) return offline;
      throw err;
    }
  }

  /** Records in the given transaction (the spool's replay takes the hit's key in the same one). */
  async function recordIn(tx: ClickTx, hit: ClickHit, c: ResolvedClick): Promise<ClickVerdict> {
    const r = c.recipient;
    // Locked: two clicks of one person at once (a scanner opening every link) must see each other.
    const counters = await tx.engagement.forRecipient(r.rowId, { lock: true });
    const earlierHits = counters
      .filter((k) => k.kind === 'click' && k.linkIndex !== undefined)
      .map((k) => ({ linkIndex: k.linkIndex!, at: new Date([k.lastHumanAt, k.lastMachineAt].filter(Boolean).sort().pop() ?? 0) }));
    const verdict = classifyClick({ ...hit, acceptedAt: r.acceptedAt, linkCount: c.linkCount, earlierHits }, o.rules);
    const at = hit.at.toISOString();
    const human = !verdict.bot;
    const { firstHuman } = await tx.engagement.record({
      recipientRowId: r.rowId,
      campaignId: r.campaignId,
      kind: 'click',
      linkIndex: hit.linkIndex,
      at,
      human,
    });
    const ua = hit.userAgent?.slice(0, 200);
    await keepEvent(tx, counters, r, 'click', at, { linkIndex: hit.linkIndex, machine: verdict.bot, reason: verdict.reason, ip: truncateIp(hit.ip), ua });
    if (firstHuman) {
      await tx.outbox.enqueue(outboxItem.click(r, hit.at, hit.linkIndex, c.url));
    }
    const opened = counters.some((k) => k.kind === 'open' && k.humanHits > 0);
    if (human && !opened) {
      await tx.engagement.record({ recipientRowId: r.rowId, campaignId: r.campaignId, kind: 'open', at, human: true });
      await keepEvent(tx, counters, r, 'open', at, { class: 'human', machine: false, reason: 'implied_by_click' });
      await tx.outbox.enqueue(outboxItem.open(r, hit.at, 'implied_by_click'));
    }
    return verdict;
  }

  /** Recorded now, or spooled (undefined: no verdict yet) while the database cannot be reached. */
  async function record(hit: ClickHit, c: RedirectTarget): Promise<ClickVerdict | undefined> {
    const entry = {
      kind: 'click' as const,
      rowId: hit.rowId,
      linkIndex: hit.linkIndex,
      person: hit.person,
      method: hit.method,
      userAgent: hit.userAgent,
      ip: hit.ip,
      at: hit.at.toISOString(),
    };
    if (!c.recipient) {
      // Resolved without its row: only the spool can take it (its replay reads the row).
      if (!o.spill) throw c.offline;
      await o.spill.keep([entry], c.offline);
      return undefined;
    }
    const resolved = c;
    return await writeOrSpill(
      o.spill,
      () => [entry],
      (commitKey) =>
        store.transaction(async (tx) => {
          // Taken already: the spool's replay recorded this click (its answer was lost); this late copy must not.
          if (commitKey && (await tx.engagement.takeSpooled([commitKey], hit.at.toISOString())).length === 0)
            throw new StoreInputError('this click was recorded from the spool already (its commit key is taken)');
          return await recordIn(tx, hit, resolved);
        }),
    );
  }

  return { resolve, target, redirect, record, recordIn };
}

export type ClickRecorder = ReturnType<typeof createClickRecorder>;
