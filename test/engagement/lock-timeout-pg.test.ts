// A lock wait cut short by the operator's lock_timeout (SQLSTATE 55P03) is a "try again", as the same wait cut by
// statement_timeout (57014) is: a pixel batch that waited on a counter row another transaction held (a write-back's
// FOR SHARE, a long click transaction) is spooled and replayed, never dropped (it was: tracking.open.write_failed).
// Found by a review of PostgreSQL failure modes, 2026-12-06.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngagement } from '../../service/src/engagement/index.js';
import type { Store } from '../../service/src/ports/index.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { type Seeded, seededStore } from './helpers.js';

const UA = 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131';

describe.skipIf(!debianPgBin())('a pixel batch whose lock wait times out', () => {
  let server: PgServer;
  let s: Seeded;
  let store: PgStore;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
    // The operator's own setting, kept from the URL as README says (LEADFWD_DATABASE_URL's options).
    const url = `${server.url}?options=${encodeURIComponent('-c lock_timeout=300')}`;
    s = await seededStore({ n: 1, open: async ({ clock }) => (store = await openPgStore(url, { clock })) as unknown as Store });
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-locktimeout-'));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the opens it could not write for now (spooled or retried), never drops them', async () => {
    const errors: string[] = [];
    const e = createEngagement({
      store: s.store,
      softBounceLimit: 3,
      retentionDays: 30,
      spool: openFileSpool(dir),
      spoolRetryMs: 600_000,
      logger: { info: () => {}, warn: () => {}, error: (_o: object, msg?: string) => void errors.push(String(msg)) },
    });
    const [r0] = s.rows.map((r) => r.rowId);
    const hit = () => ({ rowId: r0, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: new Date() });
    await e.opens.record(hit()); // the counter row exists
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM engagement WHERE recipient_row_id = $1 FOR UPDATE`, [r0]);
    const second = await e.opens.record(hit()).then(
      () => 'kept',
      (err: { code?: string }) => `rejected ${err.code}`,
    );
    await holder.query('COMMIT');
    await holder.end();
    await e.spooling!.replay();
    const counted = server.psql(`SELECT human_hits + machine_hits FROM engagement WHERE recipient_row_id = ${r0} AND kind = 'open'`, 'leadfwd');
    await e.close();
    expect({ second, counted, errors }).toEqual({ second: 'kept', counted: '2', errors: [] });
  }, 30_000);
});
