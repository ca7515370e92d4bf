// Tracking through a database outage (issue 15): hits the store cannot take go to the process's spool file (fsync'd
// before the caller hears back), are replayed once the store answers, and a replay run twice (a crash between the
// commit and the file's removal) records each hit once. The store's outage is simulated by a proxy that throws the
// adapters' StoreUnavailableError; everything else is real (SQLite, files).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLE_NETWORK, type BotRules, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { type ClickRecorder, createClickRecorder } from '../../service/src/engagement/clicks.js';
import { createFactRecorder } from '../../service/src/engagement/facts.js';
import { createEngagement } from '../../service/src/engagement/index.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';
import { createOpenRecorder } from '../../service/src/engagement/opens.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { startRetention } from '../../service/src/engagement/retention.js';
import { writeOrSpill } from '../../service/src/engagement/spill.js';
import { chunks, createSpooling } from '../../service/src/engagement/spooling.js';
import { createTrackedLinks } from '../../service/src/engagement/tracked-links.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { openFileSpool, openFileSpoolWhenFree, SpoolInUseError } from '../../service/src/spool/file-spool.js';
import { outage, type Seeded, seededStore } from './helpers.js';

/** The spool's hit files (besides them, a running spool holds its folder's lock). */
const hitFiles = (d: string) => readdirSync(d).filter((f) => f.startsWith('hits-'));
const defaultRules = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK]) };
const UA = 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131';
/** One line of a spool file, as the tracking routes write it. */
const line = (key: string, rowId: number, when: string) =>
  JSON.stringify({ key, kind: 'open', rowId, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: when });
const at = new Date('2026-11-26T12:00:00Z');

let s: Seeded;
let dir: string;
afterEach(() => {
  s?.store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function tracking(
  seeded: Seeded,
  spoolDir: string,
  { rules = defaultRules, ...o }: { maxAgeMs?: number; maxBytes?: number; clock?: () => Date; rules?: BotRules } = {},
) {
  const { store, down } = outage(seeded.store);
  const lookup = createRecipientLookup(store);
  let clicks!: ClickRecorder;
  const facts = createFactRecorder({ store, lookup, softBounceLimit: 3 });
  const spooling = createSpooling({
    spool: openFileSpool(spoolDir),
    store,
    lookup,
    rules,
    maxEventsPerRecipient: 50,
    clicks: () => clicks,
    facts: () => facts,
    retryMs: 60_000,
    ...o,
  });
  const tracked = createTrackedLinks({ store, days: 30, refreshMs: 60_000 });
  const opens = createOpenRecorder({ store, lookup, rules, spill: spooling.spill });
  clicks = createClickRecorder({ store, lookup, rules, spill: spooling.spill, tracked });
  // What the unsubscribe route calls (engagement/index.ts): recorded, or spooled while the store is down.
  const unsubscribe = (rowId: number) =>
    writeOrSpill(
      spooling.spill,
      () => [{ kind: 'optout', rowId, reason: 'one_click', method: 'POST', at: at.toISOString() }],
      () => facts.optOut(rowId, 'one_click'),
    );
  return { down, lookup, spooling, opens, clicks, tracked, unsubscribe };
}

/** A seeded store and an empty spool folder, both cleaned up after the test. */
async function seededWithSpoolDir(o: Parameters<typeof seededStore>[0]): Promise<[Seeded, string]> {
  return [await seededStore(o), mkdtempSync(join(tmpdir(), 'leadfwd-spool-'))];
}

const open = (rowId: number) => ({ rowId, method: 'GET', userAgent: UA, ip: '192.0.2.1', at });
const hits = async (seeded: Seeded, kind: 'open' | 'click') =>
  (await seeded.store.engagement.summary(seeded.campaignId))[kind === 'open' ? 'opens' : 'clicks'].humanHits;

describe('tracking spool', () => {
  it('without a spool (its folder locked by another process) still redirects from the tracked links, uncounted', async () => {
    s = await seededStore({ n: 2, links: ['https://example.test/a'] });
    const { store, down } = outage(s.store);
    const engagement = createEngagement({ store, softBounceLimit: 3, retentionDays: 30, trackedLinks: { days: 30, refreshMs: 60_000 } });
    try {
      await engagement.tracked?.refresh();
      down.now = true;
      const target = await engagement.clicks.redirect(s.rows[1].rowId, 0);
      expect(target).toMatchObject({ url: 'https://example.test/a' });
      await expect(engagement.clicks.record({ ...open(s.rows[1].rowId), linkIndex: 0 }, target!)).rejects.toThrow(StoreUnavailableError);
    } finally {
      down.now = false;
      await engagement.close();
    }
  });

  it('spools opens and clicks while the store is down, redirects from what it read before, and replays them once it is back', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 3, links: ['https://example.test/a', 'https://example.test/b'] });
    const t = tracking(s, dir);
    await t.opens.record(open(s.rows[0].rowId)); // before: read through the store, its row and links remembered
    t.down.now = true;
    await Promise.all([t.opens.record(open(s.rows[0].rowId)), t.opens.record(open(s.rows[1].rowId))]);
    const target = await t.clicks.resolve(s.rows[0].rowId, 1);
    expect(target?.url).toBe('https://example.test/b');
    expect(await t.clicks.record({ ...open(s.rows[0].rowId), linkIndex: 1, at: new Date(at.getTime() + 60_000) }, target!)).toBeUndefined();
    // A row this process never read cannot be resolved without the database.
    await expect(t.clicks.resolve(s.rows[2].rowId, 0)).rejects.toThrow(StoreUnavailableError);
    expect(t.spooling.stats()).toMatchObject({ active: true, spooled: 3, waiting: 3 });
    // On disk before the callers heard back.
    const [file] = hitFiles(dir);
    expect(readFileSync(join(dir, file), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(await hits(s, 'open')).toBe(1);

    await t.spooling.replay(); // still down: kept
    expect(t.spooling.stats()).toMatchObject({ active: true, waiting: 3 });
    t.down.now = false;
    await t.spooling.replay();
    expect(t.spooling.stats()).toMatchObject({ active: false, waiting: 0, replayed: 3 });
    expect(hitFiles(dir)).toEqual([]);
    expect(await hits(s, 'open')).toBe(3);
    expect(await hits(s, 'click')).toBe(1);
    // The click's outbox item and the second person's first open, as if recorded at the time.
    expect((await s.store.outbox.stats()).pending).toBe(3);
    // Back on the store: no spooling.
    await t.opens.record(open(s.rows[2].rowId));
    expect(await hits(s, 'open')).toBe(4);
    await t.spooling.close();
  });

  it('replays a spool file found again (a crash before its removal) without counting its hits twice, and skips a torn last line', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 2 });
    const first = tracking(s, dir);
    first.down.now = true;
    await Promise.all([first.opens.record(open(s.rows[0].rowId)), first.opens.record(open(s.rows[1].rowId))]);
    const [file] = hitFiles(dir);
    const saved = join(dir, '..', `${file}.saved`);
    copyFileSync(join(dir, file), saved);
    first.down.now = false;
    await first.spooling.replay();
    await first.spooling.close();
    expect(await hits(s, 'open')).toBe(2);

    // The file is back (the process died between the commit and the removal), cut short by a crash mid-append.
    writeFileSync(join(dir, file), `${readFileSync(saved, 'utf8')}{"key":"torn","kind":"op`);
    rmSync(saved);
    const second = tracking(s, dir);
    expect(second.spooling.stats()).toMatchObject({ active: true });
    // Hits found on disk go first: new ones queue behind them until they are replayed.
    await second.opens.record(open(s.rows[0].rowId));
    await second.spooling.replay();
    expect(second.spooling.stats()).toMatchObject({ active: false, waiting: 0 });
    expect(await hits(s, 'open')).toBe(3);
    expect(hitFiles(dir)).toEqual([]);
    await second.spooling.close();
  });

  it('drops a spooled hit that cannot be recorded (and says so) instead of holding every later hit behind it', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 2 });
    writeFileSync(
      join(dir, 'hits-0-000000000000.jsonl'),
      [line('x.0', s.rows[0].rowId, at.toISOString()), line('x.1', s.rows[1].rowId, 'not a time'), line('x.2', s.rows[1].rowId, at.toISOString()), ''].join(
        '\n',
      ),
    );
    const t = tracking(s, dir);
    await t.spooling.close(); // one process per spool folder: this test's own spool takes it over
    const dropped: unknown[] = [];
    const logged = createSpooling({
      spool: openFileSpool(dir),
      store: s.store,
      lookup: t.lookup,
      rules: defaultRules,
      maxEventsPerRecipient: 50,
      clicks: () => t.clicks,
      facts: () => createFactRecorder({ store: s.store, lookup: t.lookup, softBounceLimit: 3 }),
      retryMs: 60_000,
      logger: { info: () => undefined, warn: () => undefined, error: (o) => dropped.push(o) },
    });
    await logged.replay();
    expect(logged.stats()).toMatchObject({ active: false, waiting: 0 });
    expect(await hits(s, 'open')).toBe(2);
    expect(dropped).toEqual([expect.objectContaining({ hit: expect.objectContaining({ key: 'x.1' }) })]);
    await logged.close();
  });

  it('redirects a click on a row it never read from the links read before the outage, and records it once when replayed', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 3, links: ['https://example.test/a', 'https://example.test/b'] });
    const t = tracking(s, dir);
    await t.tracked.refresh(); // at start, before any hit: no row of this campaign has been read
    t.down.now = true;
    const target = await t.clicks.redirect(s.rows[2].rowId, 1);
    expect(target).toMatchObject({ url: 'https://example.test/b', linkCount: 2 });
    expect(target?.recipient).toBeUndefined();
    // The control: without the tracked links, the same click has nowhere to go.
    await expect(t.clicks.resolve(s.rows[2].rowId, 1)).rejects.toThrow(StoreUnavailableError);
    // A link index the campaign does not have, or a row of no campaign held, still needs the database.
    await expect(t.clicks.redirect(s.rows[2].rowId, 2)).rejects.toThrow(StoreUnavailableError);
    await expect(t.clicks.redirect(s.rows[2].rowId + 1000, 0)).rejects.toThrow(StoreUnavailableError);
    expect(await t.clicks.record({ ...open(s.rows[2].rowId), linkIndex: 1, at: new Date(at.getTime() + 60_000) }, target!)).toBeUndefined();
    expect(t.spooling.stats()).toMatchObject({ active: true, waiting: 1 });
    // While spooling, the tracked links answer first: no store call is made for a row they hold.
    expect(await t.clicks.redirect(s.rows[1].rowId, 0)).toMatchObject({ url: 'https://example.test/a' });
    t.down.now = false;
    await t.spooling.replay();
    await t.spooling.replay();
    expect(await hits(s, 'click')).toBe(1);
    expect((await s.store.engagement.summary(s.campaignId)).clicks.people).toBe(1);
    await t.spooling.close();
  });

  it('takes a one-click opt-out while the store is down and suppresses it once, at the time it was asked, when replayed', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 2 });
    const t = tracking(s, dir);
    t.down.now = true;
    expect(await t.unsubscribe(s.rows[0].rowId)).toBeUndefined();
    expect(await t.unsubscribe(s.rows[0].rowId)).toBeUndefined(); // a provider retrying
    expect(t.spooling.stats()).toMatchObject({ waiting: 2 });
    expect(await s.store.suppressions.get('person0@example.com')).toBeUndefined();
    await t.spooling.replay();
    expect(t.spooling.stats()).toMatchObject({ waiting: 2 }); // still down: kept
    t.down.now = false;
    await t.spooling.replay();
    expect(t.spooling.stats()).toMatchObject({ active: false, waiting: 0, replayed: 2 });
    expect(await s.store.suppressions.get('person0@example.com')).toMatchObject({ reason: 'unsubscribe' });
    expect(await s.store.suppressions.get('person1@example.com')).toBeUndefined();
    expect((await s.store.engagement.summary(s.campaignId)).facts.opt_out).toBe(1);
    expect(await s.store.events.list(s.campaignId, { type: 'optout', limit: 10 })).toEqual([
      expect.objectContaining({ recipientRowId: s.rows[0].rowId, at: at.toISOString(), data: { source: 'one_click' } }),
    ]);
    const optouts = (await s.store.outbox.claim(100, 'test', new Date('2030-01-01').toISOString())).filter((r) => r.kind === 'optout');
    expect(optouts).toHaveLength(1);
    await t.spooling.close();
  });

  it('drops, and says so, spooled hits older than the raw-event retention instead of replaying them', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 2 });
    writeFileSync(
      join(dir, 'hits-0-000000000000.jsonl'),
      `${[line('y.0', s.rows[0].rowId, '2026-10-01T00:00:00.000Z'), line('y.1', s.rows[1].rowId, at.toISOString())].join('\n')}\n`,
    );
    const t = tracking(s, dir, { maxAgeMs: 30 * 86_400_000, clock: () => new Date(at.getTime() + 86_400_000) });
    await t.spooling.replay();
    expect(t.spooling.stats()).toMatchObject({ active: false, waiting: 0, dropped: 1 });
    expect(await hits(s, 'open')).toBe(1);
    expect((await s.store.engagement.forRecipient(s.rows[0].rowId)).length).toBe(0);
    await t.spooling.close();
  });

  it('keeps on disk only the part of a user agent and address its replay can use, so one pixel cannot fill the disk', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 1 });
    const t = tracking(s, dir);
    t.down.now = true;
    // A client behind the local proxy sends a user agent and a forwarded "address" of nearly Node's header limit each.
    const big = { ...open(s.rows[0].rowId), userAgent: `${UA} ${'x'.repeat(15_000)}`, ip: `192.0.2.1${'9'.repeat(8000)}` };
    await Promise.all(Array.from({ length: 20 }, () => t.opens.record(big)));
    const [file] = hitFiles(dir);
    expect(readFileSync(join(dir, file), 'utf8').length).toBeLessThan(20 * 1400);
    t.down.now = false;
    await t.spooling.replay();
    expect(await hits(s, 'open')).toBe(20);
    const [event] = await s.store.events.list(s.campaignId, { type: 'open', limit: 1 });
    expect(event.data).toMatchObject({ class: 'human', ua: big.userAgent.slice(0, 200) });
    await t.spooling.close();
  });

  it('stops counting opens once the spool holds LEADFWD_SPOOL_MAX_MB, keeps opt-outs up to twice that, then refuses them', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 2 });
    const t = tracking(s, dir, { maxBytes: 2000 });
    t.down.now = true;
    // One token replayed over and over: every pixel is still answered (record resolves), only the first are kept.
    for (let i = 0; i < 40; i++) await t.opens.record(open(s.rows[0].rowId));
    const kept = t.spooling.stats().spooled;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    expect(t.spooling.stats()).toMatchObject({ refused: 40 - kept });
    const onDisk = () => hitFiles(dir).reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    expect(onDisk()).toBeLessThan(2400);
    // The person's one-click still goes in, from the reserve the opens cannot take.
    expect(await t.unsubscribe(s.rows[1].rowId)).toBeUndefined();
    let refusedAt: number | undefined;
    for (let i = 0; i < 100 && refusedAt === undefined; i++)
      await t.unsubscribe(s.rows[1].rowId).catch((err) => (refusedAt = err instanceof StoreUnavailableError ? i : -1));
    expect(refusedAt).toBeGreaterThan(0);
    expect(onDisk()).toBeLessThan(4400);
    t.down.now = false;
    await t.spooling.replay();
    expect(await hits(s, 'open')).toBe(kept);
    expect(await s.store.suppressions.get('person1@example.com')).toMatchObject({ reason: 'unsubscribe' });
    await t.spooling.close();
  });

  it('reads spool files one at a time as the replay reaches them: an attempt while the store is down reads only the oldest', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 1 });
    // A later file whose read would never end (a FIFO nobody writes to): reading the whole spool per attempt would hang.
    const fifo = join(dir, 'hits-zzzzzzzzz-000000000000.jsonl');
    execFileSync('mkfifo', [fifo]);
    const release = () => {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // a blocked reader sees the end
      } catch {} // no reader waiting on it
      rmSync(fifo, { force: true });
    };
    const t = tracking(s, dir);
    try {
      t.down.now = true;
      await t.opens.record(open(s.rows[0].rowId));
      const attempt = await Promise.race([t.spooling.replay().then(() => 'ended'), new Promise((r) => setTimeout(() => r('hung'), 2000))]);
      expect(attempt).toBe('ended');
      expect(t.spooling.stats()).toMatchObject({ active: true, waiting: 2 }); // the unread file counts one until read
    } finally {
      release();
    }
    t.down.now = false;
    await t.spooling.replay();
    expect(t.spooling.stats()).toMatchObject({ active: false, waiting: 0 });
    expect(await hits(s, 'open')).toBe(1);
    await t.spooling.close();
  });

  // Two processes on one data folder (containers scaled on one volume): the second replayed and removed the file the
  // first was still appending to, and a one-click opt-out answered 200 after that went to the removed file, lost.
  it('lets one process at a time spool into a folder, and takes over the lock of one that is gone', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 1 });
    const first = openFileSpool(dir);
    expect(() => openFileSpool(dir)).toThrow(SpoolInUseError);
    await first.append([{ kind: 'optout', rowId: s.rows[0].rowId, reason: 'one_click', method: 'POST', at: at.toISOString() }]);
    await first.close();
    const lock = join(dir, 'spool.lock');
    // A process on another host touched its lock just now: alive, as far as anyone can tell.
    writeFileSync(lock, 'other-host 4242\n');
    expect(() => openFileSpool(dir)).toThrow(SpoolInUseError);
    // One on this host whose pid is not running died (a crash, restarted at once): taken over without waiting.
    writeFileSync(lock, `${hostname()} ${spawnSync('true').pid}\n`);
    await openFileSpool(dir).close();
    // The other host's, untouched for 60 s: taken over, and the opt-out its process answered is replayed.
    writeFileSync(lock, 'other-host 4242\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const t = tracking(s, dir);
    await t.spooling.replay();
    expect(await s.store.suppressions.get('person0@example.com')).toMatchObject({ reason: 'unsubscribe' });
    await t.spooling.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  // The spool kept each reader's full address until its replay, where the store keeps only the network.
  it('spools the network of an address only, with what the whole address matched, and classes the hit as before on replay', async () => {
    [s, dir] = await seededWithSpoolDir({ n: 1 });
    const t = tracking(s, dir, { rules: { ...defaultRules, scannerIps: cidrMatcher(['198.51.100.7/32']) } });
    await t.opens.record(open(s.rows[0].rowId));
    t.down.now = true;
    await t.opens.record({ ...open(s.rows[0].rowId), ip: '198.51.100.7' }); // the scanner
    await t.opens.record({ ...open(s.rows[0].rowId), ip: '198.51.100.8' }); // its neighbour, a person
    const text = readFileSync(join(dir, hitFiles(dir)[0]), 'utf8');
    expect(text).not.toMatch(/198\.51\.100\.[78]\b/);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).ip),
    ).toEqual(['198.51.100.0/24', '198.51.100.0/24']);
    t.down.now = false;
    await t.spooling.replay();
    expect(await hits(s, 'open')).toBe(2); // the first and the neighbour; the scanner's is a machine's, as it was live
    await t.spooling.close();
  });

  // A container recreated after its process died comes back under a new host name: the lock its predecessor touched a
  // moment ago was refused, and the process ran without a spool for its whole life. It waits the lock out now.
  it('waits out a lock another host touched lately, and still refuses one a live process keeps touching', async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-spool-wait-'));
    const lock = join(dir, 'spool.lock');
    const aged = (ms: number) => {
      const t = new Date(Date.now() - ms);
      utimesSync(lock, t, t);
    };
    writeFileSync(lock, 'other-host 4242\n');
    aged(29_000); // stale in about a second
    const waits: string[] = [];
    const started = Date.now();
    const spool = await openFileSpoolWhenFree(dir, { onWait: (why) => waits.push(why), pollMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(waits[0]).toMatch(/in use by another process \(other-host 4242\)/);
    expect(readFileSync(lock, 'utf8')).toBe(`${hostname()} ${process.pid}\n`);
    await spool.close();

    // A live holder on another host keeps touching its lock: refused once the wait is over, as before.
    writeFileSync(lock, 'other-host 4243\n');
    const touching = setInterval(() => aged(0), 50);
    try {
      await expect(openFileSpoolWhenFree(dir, { waitMs: 600, pollMs: 100 })).rejects.toThrow(SpoolInUseError);
    } finally {
      clearInterval(touching);
    }
    // A folder made before, open to all, is closed to others (spooled hits hold readers' networks and user agents).
    const loose = join(dir, 'made-before');
    mkdirSync(loose, { mode: 0o777 });
    chmodSync(loose, 0o777);
    const held = await openFileSpoolWhenFree(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o700);
    // Its lock file too, as every file of the spool (an operator found it 0644).
    expect(statSync(join(loose, 'spool.lock')).mode & 0o777).toBe(0o600);
    await held.close();
    // Another failure (the folder cannot be made) is not waited for.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(openFileSpoolWhenFree(join(file, 'spool'), { waitMs: 60_000 })).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  it('has the retention job forget replayed keys a day after their hits are past the retention, and keep the others', async () => {
    s = await seededStore({ n: 1 });
    const taken = { old: '2026-08-20T00:00:00.000Z', edge: '2026-08-28T00:00:00.000Z', recent: '2026-11-20T00:00:00.000Z' };
    for (const [key, when] of Object.entries(taken)) await s.store.engagement.takeSpooled([key], when);
    const job = startRetention({ store: s.store, days: 90, clock: () => new Date('2026-11-26T12:00:00Z') });
    await job.runOnce();
    job.stop();
    // 90.5 days ago is past the retention but within the day kept to spare: still taken.
    expect(await s.store.engagement.takeSpooled(['old', 'edge', 'recent'], '2026-11-26T12:00:00.000Z')).toEqual(['old']);
  });
});

describe('replay chunks', () => {
  it("keeps a failed write's hits (one commit key) in one chunk, and cuts elsewhere near the size", () => {
    const hit = (n: number, commitKey?: string) => ({
      key: `f.${n}`,
      kind: 'open' as const,
      rowId: n,
      method: 'GET',
      at: '2026-12-06T10:00:00.000Z',
      commitKey,
    });
    const hits = [hit(0), hit(1), hit(2, 'commit:a'), hit(3, 'commit:a'), hit(4, 'commit:a'), hit(5), hit(6, 'commit:b'), hit(7, 'commit:b')];
    const sizes = (size: number) => [...chunks(hits, size)].map((c) => c.map((h) => h.rowId));
    expect(sizes(3)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7],
    ]);
    expect(sizes(2)).toEqual([
      [0, 1],
      [2, 3, 4],
      [5, 6, 7],
    ]);
    expect(sizes(100)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    expect([...chunks([], 3)]).toEqual([]);
  });
});
