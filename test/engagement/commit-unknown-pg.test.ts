// An open or a click whose write committed but whose answer the connection lost was taken for "the database is away"
// and spooled; the replay then recorded it a second time (counters, raw events, the report, Sugar's hits). Each write
// now takes a commit key in its own transaction and the spooled hits carry it: the replay skips hits whose key is
// taken. Found by a review of PostgreSQL failure modes, 2026-12-06.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngagement } from '../../service/src/engagement/index.js';
import type { Store } from '../../service/src/ports/index.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { type CutProxy, startCutProxy } from '../support/pg-cut.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { type Seeded, seededStore } from './helpers.js';

const UA = 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131';

describe.skipIf(!debianPgBin())('a tracking write whose commit answer is lost', () => {
  let pg: PgServer;
  let proxy: CutProxy;
  let s: Seeded;
  let store: PgStore;
  let direct: PgStore; // another connection to the server, not through the proxy
  let dir: string;
  beforeAll(async () => {
    pg = await startPostgres();
    proxy = await startCutProxy(pg.port);
    // Statement texts on the wire (the proxy matches them): no named prepared statements.
    s = await seededStore({
      n: 2,
      links: ['https://example.test/a'],
      open: async ({ clock }) => (store = await openPgStore(proxy.url, { clock, prepared: false })) as unknown as Store,
    });
    direct = await openPgStore(pg.url, { owner: 'other' });
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-cut-'));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await direct?.close();
    await proxy?.close();
    await pg?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sql = (text: string) => pg.psql(text, 'leadfwd');
  const start = () =>
    createEngagement({
      store: s.store,
      softBounceLimit: 3,
      retentionDays: 30,
      spool: openFileSpool(mkdtempSync(join(dir, 'spool-'))),
      spoolRetryMs: 600_000, // replayed when the test says
    });
  const hit = (rowId: number) => ({ rowId, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: new Date() });

  it('counts one pixel fetch once', async () => {
    const e = start();
    const [r0] = s.rows.map((r) => r.rowId);
    await e.lookup.get(r0);
    // The pixel batch is one statement (its own transaction): committed, its answer lost.
    const cut = proxy.cutAfter(/INSERT INTO engagement AS g/);
    await e.opens.record(hit(r0));
    await cut;
    expect(sql(`SELECT human_hits + machine_hits FROM engagement WHERE recipient_row_id = ${r0} AND kind = 'open'`)).toBe('1');
    await e.spooling!.replay();
    expect(e.spooling!.stats()).toMatchObject({ active: false, waiting: 0 });
    expect(sql(`SELECT human_hits + machine_hits FROM engagement WHERE recipient_row_id = ${r0} AND kind = 'open'`)).toBe('1');
    expect(sql(`SELECT count(*) FROM events WHERE recipient_row_id = ${r0} AND type = 'open'`)).toBe('1');
    await e.close();
  }, 30_000);

  it('counts one click once', async () => {
    const e = start();
    const [, r1] = s.rows.map((r) => r.rowId);
    const target = await e.clicks.redirect(r1, 0);
    // The click's transaction (its person's lock, counters, event, outbox items) committed, the COMMIT's answer lost.
    const cut = proxy.cutAfter(/FOR NO KEY UPDATE/, { atCommit: true });
    await e.clicks.record({ ...hit(r1), linkIndex: 0 }, target!);
    await cut;
    expect(sql(`SELECT human_hits + machine_hits FROM engagement WHERE recipient_row_id = ${r1} AND kind = 'click'`)).toBe('1');
    await e.spooling!.replay();
    expect(e.spooling!.stats()).toMatchObject({ active: false, waiting: 0 });
    expect(sql(`SELECT human_hits + machine_hits FROM engagement WHERE recipient_row_id = ${r1} AND kind = 'click'`)).toBe('1');
    expect(sql(`SELECT count(*) FROM events WHERE recipient_row_id = ${r1} AND type = 'click'`)).toBe('1');
    await e.close();
  }, 30_000);

  it('counts a click once whose write is still committing when the replay runs (the replay waits for its key)', async () => {
    const e = start();
    const [, r1] = s.rows.map((r) => r.rowId);
    const target = (await e.clicks.redirect(r1, 0))!;
    const h = { ...hit(r1), linkIndex: 0 };
    // The client lost the connection and spooled the click; the server is still finishing its write (not committed).
    await e.spooling!.spill.keep([
      { kind: 'click', rowId: r1, linkIndex: 0, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: h.at.toISOString(), commitKey: 'commit:race' },
    ]);
    let commit!: () => void;
    const held = new Promise<void>((r) => (commit = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const before = Number(sql(`SELECT coalesce(sum(human_hits + machine_hits), 0) FROM engagement WHERE recipient_row_id = ${r1} AND kind = 'click'`));
    const holding = direct.transaction(async (tx) => {
      await tx.engagement.takeSpooled(['commit:race'], h.at.toISOString());
      await e.clicks.recordIn(tx as never, h, target as never);
      written();
      await held;
    });
    await wrote;
    const replaying = e.spooling!.replay();
    await new Promise((r) => setTimeout(r, 1000));
    commit();
    await Promise.all([holding, replaying]);
    expect(Number(sql(`SELECT sum(human_hits + machine_hits) FROM engagement WHERE recipient_row_id = ${r1} AND kind = 'click'`)) - before).toBe(1);
    await e.close();
  }, 30_000);
});
