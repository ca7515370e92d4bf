// The tracked links against a campaign's start (issue 15): a re-read that runs after a campaign started sending but
// before its links were saved must not hold its rows without its links (a click on them during an outage, or from the
// snapshot that re-read wrote, would have nowhere to go). On real SQLite (its outage simulated: SQLite cannot be
// unreachable) and on a real PostgreSQL, stopped and started again, over real HTTP: the re-read is forced between the
// start and the save; with the database answering the click redirects and records; the campaign is tracked within
// moments of its links being saved (not at the next re-read); and during an outage its clicks redirect from there.
// And a flood of clicks on bogus ids (a bad signature, a row no one has, a link index its campaign lacks) answers 404
// without a database read per request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../service/src/domain/tokens.js';
import type { Store, TrackedLinks } from '../../service/src/ports/index.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { openStore } from '../../service/src/store/db.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { newCampaign, targets, toSending } from '../store/helpers.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';
import { outage, SECRET, tamper } from './helpers.js';
import { rawGet, startTrackingServer, type TrackingServer } from './http-support.js';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const click = (rowId: number, l: number) => `/t/c/${signToken(SECRET, { k: 'c', r: rowId, l })}`;
const LINKS = ['https://race.example.test/a', 'https://race.example.test/b'];

/** How the database goes away and comes back on each adapter. */
interface Adapter {
  name: string;
  open(): Promise<{ store: Store; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> }>;
}

let pg: PgServer | undefined;
const sqlite: Adapter = {
  name: 'sqlite',
  async open() {
    const real = openStore(':memory:');
    const { store, down } = outage(real);
    return { store, down: async () => void (down.now = true), up: async () => void (down.now = false), close: async () => real.close() };
  },
};
let schemas = 0;
const postgres: Adapter = {
  name: 'postgres',
  async open() {
    pg ??= await startPostgres();
    const server = pg;
    const store: PgStore = await openPgStore(server.url, { schema: `race${++schemas}`, poolSize: 2 });
    return { store: store as unknown as Store, down: () => server.stop('immediate'), up: () => server.start(), close: () => store.close() };
  },
};
afterAll(async () => {
  await pg?.destroy();
});

describe.each(debianPgBin() ? [sqlite, postgres] : [sqlite])('tracked links and a campaign starting ($name)', (adapter) => {
  let db: Awaited<ReturnType<Adapter['open']>> | undefined;
  let srv: TrackingServer | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    db = await adapter.open();
  }, 60_000);
  afterEach(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('never holds the rows of a campaign without its links, tracks it once they are saved, and redirects its clicks through an outage', async () => {
    const { store } = db!;
    // The campaign has started sending; its links are not saved yet (the send loop is compiling it).
    await store.campaigns.create(newCampaign({ html: `<p><a href="${LINKS[0]}">a</a> <a href="${LINKS[1]}">b</a></p>` }), 'race');
    await store.recipients.insertMany('race', targets(3));
    await toSending(store, 'race');

    dir = mkdtempSync(join(tmpdir(), 'leadfwd-race-'));
    const saved: TrackedLinks[] = [];
    srv = await startTrackingServer(store, {
      engagement: {
        clickTooSoonMs: 0,
        spool: openFileSpool(dir),
        spoolRetryMs: 600_000, // replayed when the test says
        // Re-read at start and then only when an upcoming campaign is tracked: the 10-minute timer never fires here.
        trackedLinks: { days: 30, refreshMs: 600_000, upcomingMs: 50, onRead: (t) => saved.push(t) },
      },
    });
    const { engagement } = srv;
    const tracked = engagement.tracked!;
    // The re-read between the campaign's start and its links being saved, as the snapshot file would keep it.
    engagement.start();
    await waitFor(() => saved.length > 0 || undefined, 'the first re-read', 10_000);
    expect(saved[0]).toEqual({ spans: [], links: {}, upcoming: ['race'] });
    expect(tracked.stats()).toMatchObject({ spans: 0, campaigns: 0, upcoming: 1 });

    // What the send loop does next: the links saved, then the messages handed over and accepted.
    await store.campaigns.saveLinks('race', LINKS);
    const rows = await store.recipients.claim('race', 3, new Date().toISOString());
    await store.recipients.markOutcomes(rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<m${r.rowId}@race.test>` })));
    const [r0, r1] = rows.map((r) => r.rowId).sort((a, b) => a - b);

    // With the database answering, a click redirects and is recorded, whatever the tracked links hold.
    const first = await rawGet(srv.url, click(r0, 1), 'GET', { 'user-agent': CHROME });
    expect([first.status, first.headers.location]).toEqual([302, LINKS[1]]);
    expect(await store.engagement.forRecipient(r0)).toContainEqual(expect.objectContaining({ kind: 'click', linkIndex: 1, humanHits: 1 }));

    // Tracked within moments of the links being saved, rows and links together, and so kept for the next start.
    await waitFor(() => tracked.campaignOf(r1) ?? undefined, 'the campaign tracked', 10_000);
    expect(tracked.url(r1, 0)).toEqual({ url: LINKS[0], campaignId: 'race', linkCount: 2 });
    for (const t of saved) for (const s of t.spans) expect(t.links[s.campaignId]).toBeDefined();
    expect(saved.at(-1)?.links).toEqual({ race: LINKS });
    expect(tracked.stats()).toMatchObject({ campaigns: 1, upcoming: 0 });

    // An outage: a click on a row this process never read redirects from the tracked links and is spooled.
    await db!.down();
    try {
      const during = await rawGet(srv.url, click(r1, 0), 'GET', { 'user-agent': CHROME });
      expect([during.status, during.headers.location]).toEqual([302, LINKS[0]]);
      // A row of no campaign tracked still cannot be answered without the database.
      expect((await rawGet(srv.url, click(r1 + 1000, 0), 'GET', { 'user-agent': CHROME })).status).toBe(503);
      expect(engagement.spooling?.stats()).toMatchObject({ active: true, waiting: 1 });
    } finally {
      await db!.up();
    }
    await waitFor(
      async () => {
        await engagement.spooling?.replay();
        return engagement.spooling?.stats().active === false || undefined;
      },
      'the spool replayed',
      30_000,
    );
    expect(await store.engagement.forRecipient(r1)).toContainEqual(expect.objectContaining({ kind: 'click', linkIndex: 0, humanHits: 1 }));
  }, 90_000);

  it('answers a flood of bogus ids with 404, without a database read per request', async () => {
    const { store } = db!;
    await store.campaigns.create(newCampaign(), 'flood');
    await store.recipients.insertMany('flood', targets(1, 100));
    await toSending(store, 'flood');
    await store.campaigns.saveLinks('flood', LINKS);
    const [row] = await store.recipients.claim('flood', 1, new Date().toISOString());
    await store.recipients.markOutcomes([{ rowId: row.rowId, state: 'accepted', messageId: '<flood@race.test>' }]);
    // Every read the click path makes, counted.
    const reads = { rows: 0, links: 0 };
    // Empty targets: a proxy may not answer other values than a frozen repository holds.
    const counting = <T extends object>(repo: T, method: string, count: () => void): T =>
      new Proxy({} as T, {
        get(_, key) {
          const v = Reflect.get(repo, key);
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (key === method) count();
            return v.apply(repo, args);
          };
        },
      });
    const recipients = counting(store.recipients, 'get', () => reads.rows++);
    const campaigns = counting(store.campaigns, 'links', () => reads.links++);
    const counted = new Proxy({} as Store, {
      get(_, key) {
        if (key === 'recipients') return recipients;
        if (key === 'campaigns') return campaigns;
        const v = Reflect.get(store, key);
        return typeof v === 'function' ? v.bind(store) : v;
      },
    });
    srv = await startTrackingServer(counted, { engagement: { clickTooSoonMs: 0 } });
    const flood = async (path: string, n = 40) => {
      const statuses = new Set<number>();
      for (let i = 0; i < n; i++) statuses.add((await rawGet(srv!.url, path, 'GET', { 'user-agent': CHROME })).status);
      return [...statuses];
    };
    const good = click(row.rowId, 1);
    expect(await flood(tamper(good))).toEqual([404]); // a bad signature: checked first
    expect(reads).toEqual({ rows: 0, links: 0 });
    expect(await flood(click(row.rowId + 5000, 0))).toEqual([404]); // a row no one has
    expect(reads).toEqual({ rows: 1, links: 0 });
    expect(await flood(click(row.rowId, 7))).toEqual([404]); // a link index the campaign lacks
    // The row once, the links at most twice (the row's first read also fetches them, perhaps alongside).
    expect(reads.rows).toBe(2);
    expect(reads.links).toBeLessThanOrEqual(2);
    // The real link still redirects.
    expect((await rawGet(srv.url, good, 'GET', { 'user-agent': CHROME })).headers.location).toBe(LINKS[1]);
  });
});
