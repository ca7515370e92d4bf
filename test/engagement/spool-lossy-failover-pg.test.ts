// A lossy failover (issue 15): the standby promoted without the last commits may hold other rows under the row ids the
// spooled hits name. On a real PostgreSQL stopped under the tracking recorders, then started again with two rows
// replaced (as the promoted standby would show them): hits spooled on them are not recorded on the new rows, one-click
// opt-outs above all, each is counted and logged once with its key; a spool file written before hits carried what
// the process knew (no campaign) still replays; an opt-out on a row the process cannot vouch for is refused, unless its
// token names its person: then a row the process never read, given to another person of the same campaign, fails too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../service/src/domain/tokens.js';
import { createEngagement, type Engagement } from '../../service/src/engagement/index.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import type { Store } from '../../service/src/ports/index.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { openPgStore, type PgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { SECRET, type Seeded, seededStore } from './helpers.js';

const UA = 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131';

describe.skipIf(!debianPgBin())('spooled hits after a lossy failover', () => {
  let pg: PgServer;
  let s: Seeded;
  let dir: string;
  let store: PgStore;
  beforeAll(async () => {
    pg = await startPostgres();
    s = await seededStore({
      n: 4,
      links: ['https://example.test/a'],
      open: async ({ clock }) => (store = await openPgStore(pg.url, { clock })) as unknown as Store,
    });
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-lossy-'));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await pg?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sql = (text: string) => pg.psql(text, 'leadfwd');
  const warnings: Array<Record<string, unknown>> = [];
  const logger = {
    info: () => {},
    error: () => {},
    warn: (o: object, msg?: string) => {
      if (msg === 'tracking.spool.mismatch') warnings.push(o as Record<string, unknown>);
    },
  };
  const start = () =>
    createEngagement({
      store: s.store,
      tokenKeys: [SECRET],
      softBounceLimit: 3,
      retentionDays: 30,
      spool: openFileSpool(dir),
      spoolRetryMs: 600_000, // replayed when the test says
      trackedLinks: { days: 30, refreshMs: 600_000 },
      logger,
    });

  it('records nothing on a row that names another campaign or address now, and replays an old spool file as before', async () => {
    const [r0, r1, r2, r3] = s.rows.map((r) => r.rowId);
    // The person check of r3's tokens, as its message carried them (r3 is never read by this process before the outage).
    const person3 = verifyToken(SECRET, signToken(SECRET, { k: 'o', r: r3 }, { campaignId: 'camp-1', email: s.rows[3].email }), 'o')!.p;
    // A file an earlier version left: its hits carry no campaign, and are replayed unchecked.
    const now = new Date().toISOString();
    const legacy = [
      { key: 'legacy.0', kind: 'open', rowId: r2, method: 'GET', userAgent: UA, ip: '192.0.2.9', at: now },
      { key: 'legacy.1', kind: 'optout', rowId: r2, reason: 'one_click', method: 'POST', at: now },
    ];
    writeFileSync(join(dir, 'hits-0000001-aaaaaaaaaaaa.jsonl'), legacy.map((h) => `${JSON.stringify(h)}\n`).join(''));
    let e: Engagement = start();
    await e.tracked!.refresh(); // row runs of camp-1 → r1's campaign is known
    await e.lookup.get(r0); // r0 read before the outage: its campaign and address are known

    await pg.stop('immediate');
    const hit = (rowId: number) => ({ rowId, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: new Date() });
    await e.opens.record(hit(r0));
    await e.opens.record(hit(r1));
    const target = await e.clicks.redirect(r1, 0);
    expect(target?.url).toBe('https://example.test/a');
    expect(await e.clicks.record({ ...hit(r1), linkIndex: 0 }, target!)).toBeUndefined();
    expect(await e.unsubscribe(r0, 'one_click')).toBeUndefined();
    expect(await e.unsubscribe(r1, 'one_click')).toBeUndefined();
    // A row of no campaign this process holds: an opt-out there could not be checked, so the reader is asked to retry.
    const unknown = await e.unsubscribe(r2 + 1000, 'one_click').catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(StoreUnavailableError);
    expect((unknown as StoreUnavailableError).code).toBe('UNVERIFIABLE');
    // With its token's person check it can be kept: the replay checks the person against the row it finds.
    expect(await e.unsubscribe(r2 + 1000, 'one_click', person3)).toBeUndefined();
    await e.opens.record({ ...hit(r3), person: person3 });
    expect(await e.unsubscribe(r3, 'one_click', person3)).toBeUndefined();
    expect(e.spooling!.stats()).toMatchObject({ spooled: 8, active: true });

    // The promoted standby: r0 now another person of the same campaign, r1 a person of another campaign.
    await pg.start();
    await s.store.campaigns.create(
      {
        name: 'Other',
        subject: 'x',
        fromName: 'x',
        fromEmail: 'x@news.example.test',
        html: '<p>x</p>',
        targetListIds: [],
        leadfwdListIds: [],
        customFields: [],
        sendAt: now,
      },
      'camp-2',
    );
    sql(`DELETE FROM recipients WHERE row_id IN (${r0}, ${r1})`);
    const insert = (rowId: number, campaign: string, who: string) =>
      sql(`INSERT INTO recipients (row_id, campaign_id, address_key, module, record_id, list_id, email, state, accepted_at, message_id)
           VALUES (${rowId}, '${campaign}', '${who}@example.com', 'Contacts', '${who}', 'tl-1', '${who}@example.com', 'accepted', '${now}', '<${who}@x>')`);
    insert(r0, 'camp-1', 'stranger0');
    insert(r1, 'camp-2', 'stranger1');
    // r3: another person of the same campaign (a re-extraction in another order), a row this process never read.
    sql(`DELETE FROM recipients WHERE row_id = ${r3}`);
    insert(r3, 'camp-1', 'stranger3');

    await e.spooling!.replay();
    expect(e.spooling!.stats()).toMatchObject({ active: false, waiting: 0, mismatched: 7 });
    // Nothing on the strangers: no open, no click, no suppression, nothing for Sugar.
    expect(sql(`SELECT count(*) FROM engagement WHERE recipient_row_id IN (${r0}, ${r1}, ${r3})`)).toBe('0');
    expect(sql(`SELECT count(*) FROM outbox WHERE payload::text LIKE '%stranger%'`)).toBe('0');
    expect(sql('SELECT address_key FROM suppressions ORDER BY 1')).toBe('person2@example.com');
    // The old file's hits, unchecked as before: person2's open and opt-out.
    expect(sql(`SELECT kind || ':' || (human_hits + machine_hits) FROM engagement WHERE recipient_row_id = ${r2}`)).toBe('open:1');
    // Each mismatch once, with its key, never an address.
    expect(warnings.map((w) => [w.kind, w.rowId, w.addressDiffers, w.personDiffers]).sort()).toEqual(
      [
        ['click', r1, false, false],
        ['open', r0, true, false],
        ['open', r1, false, false],
        ['optout', r0, true, false],
        ['optout', r1, false, false],
        ['open', r3, false, true],
        ['optout', r3, false, true],
      ].sort(),
    );
    expect(new Set(warnings.map((w) => w.key)).size).toBe(7);
    expect(JSON.stringify(warnings)).not.toMatch(/@/);
    await e.close();

    // A replay cut short after its commit (the file not yet removed) runs again at the next start: judged once.
    const again = warnings.length;
    writeFileSync(
      join(dir, 'hits-0000002-bbbbbbbbbbbb.jsonl'),
      `${JSON.stringify({ key: warnings[0].key, kind: warnings[0].kind === 'click' ? 'open' : warnings[0].kind, rowId: warnings[0].rowId, campaignId: 'camp-1', addressHash: 'x', method: 'GET', at: now })}\n`,
    );
    e = start();
    await e.spooling!.replay();
    expect(e.spooling!.stats()).toMatchObject({ waiting: 0, mismatched: 0 });
    expect(warnings).toHaveLength(again);
    await e.close();
  }, 60_000);
});
