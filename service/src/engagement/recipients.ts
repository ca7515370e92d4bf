// Ledger look-ups for the tracking hot path. A pixel burst hits the same few thousand rows again
// and again, so rows are cached (bounded) instead of read per hit; a row without an acceptance time
// yet is read again next time, because that time decides whether a hit came "too soon".
// While the store is unreachable a cached row or link list answers even when it would be read again: a click
// on a link this process has resolved before still redirects through a database outage.
// Only a signed token reaches a look-up, but one valid token with a link index its campaign does not have (or a row
// gone with its campaign) can be replayed at line rate: a row found missing stays so until it is pushed out, and a
// link list too short for the index asked is read again only after `SHORT_LINKS_MS`, so such a flood costs a read
// per campaign every few seconds, not one per request. A campaign's links are saved before its first message is
// built (mail/compile-cache.ts), so a list read short is never short for a real link's click.
import type { OutboxTarget } from '../domain/outbox.js';
import { StoreUnavailableError } from '../ports/errors.js';
import type { LedgerRecipient, StorePart } from '../ports/index.js';

/** A ledger row as tracking needs it: the target an outbox item names, and what proves a report is about it. */
export interface TrackedRecipient extends OutboxTarget {
  addressKey: string;
  /** Its mailbox provider (from the ledger), for delivery volume and provider throttling. */
  provider?: string;
  messageId?: string;
  acceptedAt?: Date;
}

export interface RecipientLookup {
  /**
   * `person`: the check a token carried (domain/tokens.ts); a row it does not name is answered as no row at all, so
   * a hit after a failover that gave its row id to someone else is nobody's.
   */
  get(rowId: number, person?: string): Promise<TrackedRecipient | undefined>;
  /** Whether a token's person check names this row (true for a token without one). */
  isPerson(person: string | undefined, r: TrackedRecipient): boolean;
  /** Campaign links, index = link index in click tokens. */
  links(campaignId: string, atLeast: number): Promise<string[]>;
  /** The row as this process last read it, without any I/O (what a spooled hit carries for its replay to check). */
  cached?(rowId: number): TrackedRecipient | undefined;
  /**
   * Drops the rows read so far: after an outage the database that answers may be a standby promoted without the last
   * commits, where a row id read before can name someone else.
   */
  forgetRows?(): void;
}

export function toTracked(r: LedgerRecipient): TrackedRecipient {
  const t: TrackedRecipient = { rowId: r.rowId, campaignId: r.campaignId, module: r.module, recordId: r.id, email: r.email, addressKey: r.addressKey };
  if (r.emailAddressId) t.emailAddressId = r.emailAddressId;
  if (r.provider) t.provider = r.provider;
  if (r.messageId) t.messageId = r.messageId;
  if (r.acceptedAt) t.acceptedAt = new Date(r.acceptedAt);
  return t;
}

export type LookupStore = StorePart<{ recipients: 'get'; campaigns: 'links' }>;

/** How long a link list read too short for a click's index answers for it before it is read again. */
export const SHORT_LINKS_MS = 5_000;

export interface LookupOptions {
  maxEntries?: number;
  clock?: () => number;
  /** The token keys' check (tokens.isPerson); without, every check passes. */
  isPerson?: (person: string, r: TrackedRecipient) => boolean;
  /** A signed token whose row names someone else: only after a failover lost the last commits. */
  onMismatch?: (rowId: number) => void;
}

export function createRecipientLookup(store: LookupStore, o: LookupOptions = {}): RecipientLookup {
  const { maxEntries = 100_000, clock = Date.now } = o;
  const rows = new Map<number, TrackedRecipient | null>();
  // The check a row passed last: a person's hits all carry the same one, so the hot path hashes once per row read.
  const passed = new WeakMap<TrackedRecipient, string>();
  const isPerson = (person: string | undefined, r: TrackedRecipient): boolean => {
    if (person === undefined || !o.isPerson || passed.get(r) === person) return true;
    if (!o.isPerson(person, r)) return false;
    passed.set(r, person);
    return true;
  };
  const links = new Map<string, { urls: string[]; readAt: number }>();
  const remember = <K, V>(map: Map<K, V>, key: K, value: V) => {
    if (map.size >= maxEntries) map.delete(map.keys().next().value as K); // oldest first: Map keeps insertion order
    map.set(key, value);
  };
  const prefetching = new Set<string>();
  const checked = (r: TrackedRecipient | undefined, person: string | undefined): TrackedRecipient | undefined => {
    if (!r || isPerson(person, r)) return r;
    o.onMismatch?.(r.rowId);
    return undefined;
  };
  async function read(rowId: number): Promise<TrackedRecipient | undefined> {
    const cached = rows.get(rowId);
    if (cached === null) return undefined;
    if (cached?.acceptedAt && cached.messageId) return cached;
    let row: LedgerRecipient | undefined;
    try {
      row = await store.recipients.get(rowId);
    } catch (err) {
      if (cached && err instanceof StoreUnavailableError) return cached;
      throw err;
    }
    const tracked = row ? toTracked(row) : null;
    remember(rows, rowId, tracked);
    // A campaign's links, read once when this process first sees one of its rows (an open, mostly): a later
    // click redirects even if the database is gone by then.
    const campaignId = tracked?.campaignId;
    if (campaignId !== undefined && !links.has(campaignId) && !prefetching.has(campaignId)) {
      prefetching.add(campaignId);
      void lookup
        .links(campaignId, -1)
        .catch(() => undefined)
        .finally(() => prefetching.delete(campaignId));
    }
    return tracked ?? undefined;
  }
  const lookup: RecipientLookup = {
    isPerson,
    get: async (rowId, person) => checked(await read(rowId), person),
    async links(campaignId, atLeast) {
      const cached = links.get(campaignId);
      // Links only ever grow (CampaignRepo.saveLinks appends), so a cached list is stale only when short.
      if (cached && (cached.urls.length > atLeast || clock() - cached.readAt < SHORT_LINKS_MS)) return cached.urls;
      let fresh: string[];
      try {
        fresh = await store.campaigns.links(campaignId);
      } catch (err) {
        if (cached && err instanceof StoreUnavailableError) return cached.urls;
        throw err;
      }
      remember(links, campaignId, { urls: fresh, readAt: clock() });
      return fresh;
    },
    cached: (rowId) => rows.get(rowId) ?? undefined,
    forgetRows: () => rows.clear(),
  };
  return lookup;
}
