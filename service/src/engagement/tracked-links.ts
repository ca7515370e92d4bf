// What a click redirect needs, kept ready before an outage: a tracking process reads, at start and every `refreshMs`,
// which campaign each ledger row of the campaigns sending or sent in the last `days` belongs to (as runs of row ids)
// and those campaigns' links. A click token names only a row and a link index, and a tracked link's URL is the
// campaign's, never the recipient's (hrefs with merge fields are rendered into the message and never tracked:
// mail/href-merge.ts), so the row's campaign and the campaign's links are all a redirect needs. Recording the click
// still needs the row: the hit is spooled and its row read when it is replayed.
// A campaign's rows are read only with its links (store/tracked-links.ts), and its links are saved before its first
// message is built, so the rows held always come with their links. A campaign that may still send (not started, or
// started with its links not saved yet) is named `upcoming` by the re-read and asked after every `upcomingMs`: once one
// is tracked, the whole re-read runs again, so mail of a campaign that just started is covered within seconds, not at
// the next re-read. So is one created after the re-read (by another process too): each ask also names the campaigns
// whose links were saved since shortly before it, not held yet.
import type { StorePart, TrackedLinks } from '../ports/index.js';
import type { Log } from '../ports/log.js';

export type TrackedLinksStore = StorePart<{ campaigns: 'trackedLinks' | 'trackedAmong' | 'trackedSince' }>;

/** Saves stamped by another host's clock: asked from this long before the re-read began. */
const CLOCK_SKEW_MS = 60_000;

export interface TrackedLinksOptions {
  store: TrackedLinksStore;
  /** Sent campaigns kept this many days after they ended (sending and paused ones always). */
  days: number;
  refreshMs: number;
  /** How often the upcoming campaigns are asked after (default: `refreshMs`, at most 5 s). */
  upcomingMs?: number;
  /** Most runs of row ids held (each a few dozen bytes): the newest are kept. */
  maxSpans?: number;
  clock?: () => Date;
  logger?: Pick<Log, 'info' | 'warn'>;
  /** What an earlier run read (the data folder's snapshot), held until the first re-read succeeds. */
  initial?: { links: TrackedLinks; loadedAt: string };
  /** Each successful re-read, to be kept for a start while the database is down. */
  onRead?: (links: TrackedLinks, at: string) => void;
}

export interface TrackedLinksCache {
  /** The campaign of a row, when this process holds its run of row ids. */
  campaignOf(rowId: number): string | undefined;
  /** The URL of a row's link, or undefined when this process does not hold the row's campaign or the link. */
  url(rowId: number, linkIndex: number): { url: string; campaignId: string; linkCount: number } | undefined;
  refresh(): Promise<void>;
  stats(): { spans: number; campaigns: number; upcoming: number; loadedAt?: string };
  start(): void;
  stop(): void;
}

export function createTrackedLinks(o: TrackedLinksOptions): TrackedLinksCache {
  const now = o.clock ?? (() => new Date());
  const maxSpans = o.maxSpans ?? 200_000;
  // Sorted by first row id, in typed arrays: a few MB for the most runs, and a binary search per click.
  let firsts = new Float64Array(0);
  let lasts = new Float64Array(0);
  let owners: string[] = [];
  let links: Record<string, string[]> = {};
  let upcoming: string[] = [];
  let loadedAt: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let upcomingTimer: NodeJS.Timeout | undefined;

  function campaignOf(rowId: number): string | undefined {
    let lo = 0;
    let hi = firsts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (firsts[mid] > rowId) hi = mid - 1;
      else if (lasts[mid] < rowId) lo = mid + 1;
      else return owners[mid];
    }
    return undefined;
  }

  function hold(t: TrackedLinks, at: string): void {
    const spans = [...t.spans].sort((a, b) => a.first - b.first);
    firsts = Float64Array.from(spans, (s) => s.first);
    lasts = Float64Array.from(spans, (s) => s.last);
    owners = spans.map((s) => s.campaignId);
    links = t.links;
    upcoming = t.upcoming ?? [];
    loadedAt = at;
  }
  if (o.initial) hold(o.initial.links, o.initial.loadedAt);

  // When the last re-read began, and the campaigns saved since that already brought one on (each only once).
  let readFrom = o.initial ? Date.parse(o.initial.loadedAt) : 0;
  const asked = new Map<string, number>();

  async function refresh(): Promise<void> {
    const began = now().getTime();
    const t = await o.store.campaigns.trackedLinks(new Date(began - o.days * 86_400_000).toISOString(), maxSpans);
    hold(t, now().toISOString());
    readFrom = began;
    o.onRead?.(t, loadedAt!);
  }

  let running = false;
  const tick = async () => {
    if (running) return; // a slow read is not started again on top of itself
    running = true;
    try {
      await refresh();
    } catch (err) {
      // The last facts read stay: an outage is exactly when they are needed.
      o.logger?.warn({ err: (err as Error).message }, 'tracking.links.refresh_failed');
    } finally {
      running = false;
    }
  };

  let asking = false;
  /** A re-read as soon as one of the upcoming campaigns, or one made since the last re-read, would be tracked. */
  const askUpcoming = async () => {
    if (running || asking) return;
    asking = true;
    try {
      const since = readFrom - CLOCK_SKEW_MS;
      for (const [id, at] of asked) if (at < since) asked.delete(id);
      // Before any read there is nothing to be newer than: the timer's re-read comes first.
      const saved = readFrom ? await o.store.campaigns.trackedSince(new Date(since).toISOString()) : [];
      const fresh = saved.filter((id) => !links[id] && !asked.has(id));
      for (const id of fresh) asked.set(id, now().getTime());
      if (fresh.length || (upcoming.length && (await o.store.campaigns.trackedAmong(upcoming)).length)) await tick();
    } catch {
      // Unreachable: asked again at the next turn; the links held stay.
    } finally {
      asking = false;
    }
  };

  return {
    campaignOf,
    url(rowId, linkIndex) {
      const campaignId = campaignOf(rowId);
      const list = campaignId === undefined ? undefined : links[campaignId];
      const url = list?.[linkIndex];
      return url === undefined || campaignId === undefined ? undefined : { url, campaignId, linkCount: list!.length };
    },
    refresh,
    stats: () => ({ spans: firsts.length, campaigns: Object.keys(links).length, upcoming: upcoming.length, ...(loadedAt ? { loadedAt } : {}) }),
    start() {
      if (timer) return;
      void tick();
      timer = setInterval(() => void tick(), o.refreshMs);
      timer.unref();
      upcomingTimer = setInterval(() => void askUpcoming(), o.upcomingMs ?? Math.min(o.refreshMs, 5_000));
      upcomingTimer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (upcomingTimer) clearInterval(upcomingTimer);
      timer = undefined;
      upcomingTimer = undefined;
    },
  };
}
