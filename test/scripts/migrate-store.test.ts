// `npm run migrate-store` (issue 15): a SQLite store filled by the real service (a campaign sent, opened, clicked,
// unsubscribed from and refused by the relay, its write-back done, a LeadFWD list, an automation, a pairing code)
// is copied from an online backup into PostgreSQL. Every SQLite table arrives, row for row; every port reads back
// the same things on PostgreSQL as on SQLite; new rows get fresh ids; a non-empty target and a store of another
// schema version are refused, leaving the target untouched; the CLI prints the counts and never the password.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelMove, catchUpStore, MigrateStoreError, migrateStore, type TableCopy } from '../../scripts/migrate-store.js';
import { loadConfig } from '../../service/src/config.js';
import { createLogger } from '../../service/src/logger.js';
import { StartupError } from '../../service/src/ops/startup.js';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { type MoveMarks, moveMarksOf } from '../../service/src/store/move-marks.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { openConfiguredStore } from '../../service/src/store-start.js';
import { expectCampaignLogEqualsReport, recipientOf } from '../support/campaign-checks.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';

/** PostgreSQL-only columns: one delivery_volume row per process (pg migration 0016), '' for copied rows. */
const PG_ONLY_COLUMNS: Record<string, string[]> = { delivery_volume: ['slot'] };

import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';

const run = promisify(execFile);

describe.skipIf(!debianPgBin())('npm run migrate-store', () => {
  let stack: Stack;
  let server: PgServer;
  let dir: string;
  let backup: string;
  let copied: TableCopy[];
  let campaignId: string;
  let automationId: string;
  let listId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-migrate-'));
    server = await startPostgres();
    stack = await startStack({
      env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' },
      sink: { behaviour: (rcpt) => (rcpt === 'hard@example.net' ? { code: 550, message: '5.1.1 <hard@example.net>: User unknown' } : 'accept') },
    });
    const sugar = adminClient(stack.sim.url);
    const ids: Record<string, string> = {};
    for (const [key, module, address] of [
      ['ann', 'Contacts', 'ann@example.com'],
      ['lee', 'Leads', 'lee@example.com'],
      ['bob', 'Prospects', 'bob@example.org'],
      ['hard', 'Contacts', 'hard@example.net'],
    ] as const) {
      ids[key] = await createPerson(sugar, { module, first_name: key, emails: [{ address }] });
    }
    const list = await createList(sugar, 'Spring');
    await addToList(sugar, list, 'Contacts', [ids.ann, ids.hard]);
    await addToList(sugar, list, 'Leads', [ids.lee]);
    await addToList(sugar, list, 'Prospects', [ids.bob]);

    const created = await stack.api('POST', '/campaigns', {
      name: 'Spring',
      subject: 'Hello',
      fromName: 'Spring Team',
      fromEmail: 'news@news.example.test',
      html: '<p>Hi</p><a href="https://shop.example.com/spring">Shop</a>',
      targetListIds: [list],
    });
    campaignId = created.body.id;
    await waitFor(async () => ((await stack.api('GET', `/campaigns/${campaignId}`)).body.status === 'sent' ? true : undefined), 'sent');
    expect(await recipientOf(stack, 'ann@example.com').open()).toBe(200);
    expect(await recipientOf(stack, 'bob@example.org').click()).toBe(302);
    expect(await recipientOf(stack, 'lee@example.com').unsubscribe()).toBe(200);
    await expectCampaignLogEqualsReport(stack, campaignId);

    const imported = await stack.api('POST', '/lists', { name: 'Imported', csv: 'Email\nann@example.com\nbob@example.org\n' });
    expect(imported.status).toBe(201);
    listId = imported.body.id;
    const automation = await stack.api('POST', '/automations', {
      name: 'Welcome',
      targetListIds: [],
      steps: [{ type: 'send_email', name: 'Welcome', subject: 'Welcome', fromName: 'Acme', fromEmail: 'news@news.example.test', html: '<p>Welcome</p>' }],
    });
    expect(automation.status).toBe(201);
    automationId = automation.body.id;
    const enrol = await stack.api('POST', `/automations/${automationId}/enrol`, { targets: [{ module: 'Contacts', id: ids.ann, email: 'ann@example.com' }] });
    expect(enrol.body.enrolled).toBe(1);
    await waitFor(() => stack.sink.messages.some((m) => /^Subject: Welcome/m.test(m.raw.toString())), 'the automation mail');
    expect(await stack.service.pairingCodeIfUnpaired()).toBeDefined();

    // The online path: a backup of the running service's store, then the copy from that snapshot.
    backup = join(dir, 'snapshot.sqlite');
    await stack.service.store.backup(backup);
    const moved = await migrateStore({ sqlitePath: backup, databaseUrl: server.url, schema: 'moved' });
    copied = moved.tables;
    expect(moved.complete).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every SQLite table, each with as many rows, and the figures are those of a real service', () => {
    const lite = new Database(backup, { readonly: true });
    const tables = (
      lite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'leadfwd_move%' AND name <> 'schema_migrations'",
        )
        .all() as any[]
    )
      .map((t) => t.name)
      .sort();
    const counts = Object.fromEntries(tables.map((t) => [t, (lite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as any).n]));
    lite.close();
    expect(copied.map((c) => c.table).sort()).toEqual(tables);
    for (const c of copied) expect([c.table, c.postgres]).toEqual([c.table, counts[c.table]]);
    for (const c of copied) expect([c.table, Number(server.psql(`SELECT count(*) FROM moved."${c.table}"`, 'leadfwd'))]).toEqual([c.table, counts[c.table]]);
    const filled = [
      'campaigns',
      'campaign_history',
      'campaign_links',
      'recipients',
      'events',
      'engagement',
      'engagement_facts',
      'outbox',
      'suppressions',
      'leadfwd_lists',
      'leadfwd_list_members',
      'automations',
      'automation_steps',
      'automation_enrolments',
      'sender_identities',
      'relay_pairing_code',
      'writeback_log',
      'delivery_volume',
    ];
    for (const t of filled) expect([t, counts[t] > 0]).toEqual([t, true]);
  });

  it('holds the same rows, value for value, in every table', async () => {
    expect(copied.length).toBeGreaterThan(30);
    await expectSameRows(server, backup, 'moved');
  });

  it('reads back the same through every port on PostgreSQL as on SQLite, and gives new rows fresh ids', async () => {
    const a: Store = openStore(backup);
    const b = await openPgStore(server.url, { schema: 'moved', poolSize: 2 });
    try {
      const both = async <T>(read: (s: Store) => T | Promise<T>) => [await read(a), await read(b)];
      const same = async (what: string, read: (s: Store) => unknown) => {
        const [x, y] = await both(read);
        expect([what, y]).toEqual([what, x]);
      };
      const page = { limit: 1000, offset: 0 };
      await same('campaigns', (s) => s.campaigns.list(page));
      await same('campaign', (s) => s.campaigns.get(campaignId));
      await same('history', (s) => s.campaigns.history(campaignId));
      await same('audit', (s) => s.campaigns.getAudit(campaignId));
      await same('links', (s) => s.campaigns.links(campaignId));
      const rows = (await a.recipients.list(campaignId, page)) as Awaited<ReturnType<Store['recipients']['list']>>;
      expect(rows.map((r) => r.state).sort()).toEqual(['accepted', 'accepted', 'accepted', 'failed']);
      await same('recipients', (s) => s.recipients.list(campaignId, page));
      await same('events', (s) => s.events.list(campaignId, { limit: 1000 }));
      for (const r of rows) await same(`engagement of ${r.email}`, (s) => s.engagement.forRecipient(r.rowId));
      await same('engagement summary', (s) => s.engagement.summary(campaignId));
      await same('outbox', (s) => s.outbox.stats());
      await same('suppression', (s) => s.suppressions.get('lee@example.com'));
      await same('suppressions', (s) => s.suppressions.filterSuppressed(['ann@example.com', 'lee@example.com', 'hard@example.net']));
      await same('lists', (s) => s.lists.list());
      await same('list members', (s) => s.lists.members(listId));
      await same('automation', (s) => s.automations.get(automationId));
      await same('automation counts', (s) => s.automations.counts(automationId));
      await same('identities', (s) => s.identities.list());
      const identity = (await a.identities.list())[0];
      await same('identity audit', (s) => s.identities.auditLog(identity.id, 100));
      await same('identity secrets', (s) => s.identities.secrets(identity.id));
      await same('write-back rows', (s) => s.writeback.rows(campaignId));
      await same('by domain', (s) => s.reports.byDomain(campaignId));
      await same('volume', (s) => s.deliverability.totals({ campaignId }));
      await same('pairing', (s) => s.relay.pairing());

      const lastEvent = Math.max(...((await a.events.list(campaignId, { limit: 1000 })) as { id: number }[]).map((e) => e.id));
      const next = await b.events.add({ recipientRowId: rows[0].rowId, campaignId, type: 'open', at: new Date().toISOString() });
      expect(next).toBeGreaterThan(lastEvent);
      expect(await b.outbox.enqueue({ key: 'after-the-move', kind: 'k', payload: { ok: true } })).toBe(true);
    } finally {
      a.close();
      await b.close();
    }
  });

  it('moves online: copies while the service runs and writes, brings over what it wrote; the catch-up after it stops completes it and the file refuses the service', async () => {
    const file = join(stack.dir, 'data', 'leadfwd.sqlite');
    const target = { sqlitePath: file, databaseUrl: server.url, schema: 'live', batchRows: 7 };
    let writing = true;
    const busy = (async () => {
      // The service keeps writing (opens: an event inserted, a counter updated) while the copy reads.
      while (writing) await recipientOf(stack, 'ann@example.com').open();
    })();
    const first = await migrateStore(target);
    expect(first.complete).toBe(false);
    // A service on the target before the move is complete would take work the last catch-up then overwrites.
    const early = loadConfig({ LEADFWD_DATABASE_URL: `${server.url}?options=-c%20search_path%3Dlive` }, { requireSecret: false });
    await expect(openConfiguredStore(early, createLogger('silent'), 'o', () => {})).rejects.toThrow(
      /is being filled by a move from SQLite that is not complete: .*--catch-up until it says "The move is complete"/,
    );
    // A backup taken meanwhile is a store of its own: it does not carry the move's triggers.
    const during = join(dir, 'during-the-move.sqlite');
    await stack.service.store.backup(during);
    expect(moveMarksOf(file).underWay).toBeDefined();
    expect(moveMarksOf(during)).toEqual({});
    const copy = new Database(during, { readonly: true });
    expect(copy.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'leadfwd_move%'").get()).toEqual({ n: 0 });
    copy.close();
    for (const c of first.tables) expect([c.table, c.postgres]).toEqual([c.table, c.sqlite]);
    expect(first.tables.map((c) => c.table).sort()).toEqual(copied.map((c) => c.table).sort());

    // Still running: a click and an unsubscribe (rows inserted and updated) and a pruned event (a row deleted).
    expect(await recipientOf(stack, 'bob@example.org').click()).toBe(302);
    expect(await recipientOf(stack, 'bob@example.org').unsubscribe()).toBe(200);
    const pruning = new Database(file);
    expect(pruning.prepare('DELETE FROM events WHERE id = (SELECT min(id) FROM events)').run().changes).toBe(1);
    pruning.close();
    const meanwhile = await catchUpStore(target);
    expect(meanwhile.complete).toBe(false);
    expect(meanwhile.changes).toBeGreaterThan(3);
    for (const c of meanwhile.tables) expect([c.table, c.postgres]).toEqual([c.table, c.sqlite]);
    writing = false;
    await busy;

    let last: Awaited<ReturnType<typeof catchUpStore>> | undefined;
    let moved: MoveMarks | undefined;
    let leftInFile: unknown[] = [];
    let refused: unknown;
    await stack.restart(async () => {
      last = await catchUpStore(target);
      await expectSameRows(server, file, 'live');
      moved = moveMarksOf(file);
      const lite = new Database(file, { readonly: true });
      leftInFile = lite.prepare("SELECT type, name FROM sqlite_master WHERE name LIKE 'leadfwd_move%'").all();
      lite.close();
      // The service is not started again on the moved file, until the operator takes it back.
      const config = loadConfig({ LEADFWD_DATA_DIR: join(stack.dir, 'data') }, { requireSecret: false });
      refused = await openConfiguredStore(config, createLogger('silent'), 'o', () => {}).catch((e: unknown) => e);
      expect(cancelMove(file).moved?.target).toMatch(/\(schema live\)$/);
    });
    expect(last?.complete).toBe(true);
    expect(last?.changes).toBeGreaterThan(0);
    expect(moved).toMatchObject({ moved: { target: expect.stringMatching(/^postgres:\/\/leadfwd@127\.0\.0\.1:\d+\/leadfwd \(schema live\)$/) } });
    expect(moved?.underWay).toBeUndefined();
    expect(leftInFile).toEqual([{ type: 'table', name: 'leadfwd_moved' }]);
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toMatch(
      /this SQLite store was moved to PostgreSQL \(postgres:.*\) at .*: start the service with LEADFWD_DATABASE_URL; .*--cancel/,
    );
    await expect(catchUpStore(target)).rejects.toThrow(/no move is under way from .*: run npm run migrate-store first/);
    expect((await stack.api('GET', `/campaigns/${campaignId}`)).status).toBe(200); // the service runs on its file as before
  }, 60_000);

  it('catches up only into the database its move filled, never past what it missed, and lets one catch-up run at a time', async () => {
    const file = join(dir, 'guarded.sqlite');
    copyFileSync(backup, file);
    cancelMove(file);
    // The running service: in WAL mode, as the service opens it, a connection that has read keeps a shared lock, so
    // no run completes the move while it is open.
    const service = new Database(file);
    service.pragma('journal_mode = WAL');
    service.prepare('SELECT count(*) FROM campaigns').get();
    try {
      const into = (schema: string) => ({ sqlitePath: file, databaseUrl: server.url, schema });
      expect((await migrateStore(into('guard1'))).complete).toBe(false);
      await expect(migrateStore(into('guard2'))).rejects.toThrow(
        /a move from this file into .*\(schema guard1\) is under way: run `npm run migrate-store -- --catch-up` .*--restart/,
      );

      // A new default identity: SQLite let B take the default only after A gave it up, and the catch-up keeps that order.
      service.exec(
        `INSERT INTO sender_identities SELECT 'b-' || id, 'B ' || name, 0, ${identityColumnsAfterDefault(service)} FROM sender_identities WHERE is_default = 1`,
      );
      service.transaction(() => {
        service.exec("UPDATE sender_identities SET is_default = 0 WHERE is_default = 1 AND id NOT LIKE 'b-%'");
        service.exec("UPDATE sender_identities SET is_default = 1 WHERE id LIKE 'b-%'");
      })();
      const caught = await catchUpStore(into('guard1'));
      expect(caught.changes).toBe(2);
      expect(server.psql("SELECT id LIKE 'b-%' FROM guard1.sender_identities WHERE is_default = 1", 'leadfwd')).toBe('t');
      // Then C takes the default from B, and B is renamed after: B's last change comes after C's, yet C's row must
      // wait for B's to give the default up.
      service.exec(
        `INSERT INTO sender_identities SELECT 'c-' || id, 'C ' || name, 0, ${identityColumnsAfterDefault(service)} FROM sender_identities WHERE id LIKE 'b-%'`,
      );
      service.transaction(() => {
        service.exec("UPDATE sender_identities SET is_default = 0 WHERE id LIKE 'b-%'");
        service.exec("UPDATE sender_identities SET is_default = 1 WHERE id LIKE 'c-%'");
      })();
      service.exec("UPDATE sender_identities SET name = name || ' (renamed)' WHERE id LIKE 'b-%'");
      expect((await catchUpStore(into('guard1'))).changes).toBe(2);
      expect(server.psql('SELECT id FROM guard1.sender_identities WHERE is_default = 1', 'leadfwd')).toMatch(/^c-/);

      // Another move started over (--restart): the first target can no longer be caught up.
      expect((await migrateStore({ ...into('guard2'), restart: true })).complete).toBe(false);
      await expect(catchUpStore(into('guard1'))).rejects.toThrow(/filled by another move than the one under way \(into .*schema guard2\)/);
      await (await openPgStore(server.url, { schema: 'plain' })).close(); // a LeadFWD database no move filled
      await expect(catchUpStore(into('plain'))).rejects.toThrow(/not filled by the move under way/);

      // A copy of the target that took a catch-up: the target itself then misses what the file forgot.
      server.psql('CREATE SCHEMA guard3', 'leadfwd');
      for (const t of server.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'guard2'", 'leadfwd').split('\n')) {
        server.psql(`CREATE TABLE guard3."${t}" (LIKE guard2."${t}" INCLUDING ALL); INSERT INTO guard3."${t}" SELECT * FROM guard2."${t}"`, 'leadfwd');
      }
      service.exec("UPDATE sender_identities SET name = name || ' (again)' WHERE id LIKE 'b-%'");
      expect((await catchUpStore(into('guard3'))).changes).toBe(1);
      expect(moveMarksOf(file).underWay?.target).toMatch(/\(schema guard3\)$/); // the database that has it all now
      await expect(catchUpStore(into('guard2'))).rejects.toThrow(/misses rows a catch-up brought into another one .*--restart/);

      // A plain copy of the file while the service runs (cp): it holds the move's marks, and nothing holds it open, so
      // its catch-up completed the move while the service went on writing to the original. Refused, changing nothing.
      const copy = join(dir, 'guarded-copy.sqlite');
      service.pragma('wal_checkpoint(TRUNCATE)'); // as the service's own checkpoints leave it: the marks in the file
      copyFileSync(file, copy);
      await expect(catchUpStore({ ...into('guard3'), sqlitePath: copy })).rejects.toThrow(
        /guarded-copy\.sqlite is not the file this move started on, but a copy of it .*cannot show that the service stopped.*npm run migrate-store -- --catch-up/,
      );
      expect(server.psql('SELECT completed_at IS NULL FROM guard3.leadfwd_move', 'leadfwd')).toBe('t');
      expect(moveMarksOf(copy).moved).toBeUndefined();

      // Two catch-ups at once into one database: the second is refused while the first holds the move.
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query('BEGIN');
      await client.query('SELECT FROM guard3.leadfwd_move FOR UPDATE');
      await expect(catchUpStore(into('guard3'))).rejects.toThrow(/another catch-up into this database is running/);
      await client.query('ROLLBACK');
      await client.end();
    } finally {
      service.close();
    }
  });

  it('refuses a non-empty target and a store of another schema version, copying nothing', async () => {
    const again = await migrateStore({ sqlitePath: backup, databaseUrl: server.url, schema: 'moved' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(MigrateStoreError);
    expect((again as Error).message).toMatch(/PostgreSQL database is not empty \(rows in .*campaigns.*\); .*nothing was copied/);

    const behind = join(dir, 'behind.sqlite');
    copyFileSync(backup, behind);
    const db = new Database(behind);
    db.prepare('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)').run();
    db.close();
    await expect(migrateStore({ sqlitePath: behind, databaseUrl: server.url, schema: 'behind' })).rejects.toThrow(/1 migration\(s\) behind this version/);

    const ahead = join(dir, 'ahead.sqlite');
    copyFileSync(backup, ahead);
    const db2 = new Database(ahead);
    db2.prepare("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')").run();
    db2.close();
    await expect(migrateStore({ sqlitePath: ahead, databaseUrl: server.url, schema: 'ahead' })).rejects.toThrow(/newer LeadFWD version/);
    expect(server.psql("SELECT count(*) FROM pg_namespace WHERE nspname IN ('behind', 'ahead')", 'leadfwd')).toBe('0');

    // Another application's tables, and an older LeadFWD's filled database: refused before anything is migrated.
    server.psql('CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); CREATE TABLE shop.schema_migrations (version bigint)', 'leadfwd');
    await expect(migrateStore({ sqlitePath: backup, databaseUrl: server.url, schema: 'shop' })).rejects.toThrow(
      /holds tables that are not LeadFWD's \(orders, schema_migrations\); .*nothing was changed/,
    );
    expect(server.psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'shop'", 'leadfwd')).toBe('2');
    server.psql('DELETE FROM moved.schema_migrations WHERE version = (SELECT max(version) FROM moved.schema_migrations)', 'leadfwd');
    const versions = server.psql('SELECT count(*) FROM moved.schema_migrations', 'leadfwd');
    await expect(migrateStore({ sqlitePath: backup, databaseUrl: server.url, schema: 'moved' })).rejects.toThrow(
      /not empty \(rows in .*campaigns.*\); .*its schema was not changed/,
    );
    expect(server.psql('SELECT count(*) FROM moved.schema_migrations', 'leadfwd')).toBe(versions);
  });

  it("fills a schema that holds only what extensions brought (pg_stat_statements's views, PostGIS's spatial_ref_sys), leaving them as they were", async () => {
    server.psql(
      'CREATE SCHEMA geo; CREATE EXTENSION pg_stat_statements SCHEMA geo; CREATE TABLE geo.spatial_ref_sys (srid int); INSERT INTO geo.spatial_ref_sys VALUES (4326); ALTER EXTENSION plpgsql ADD TABLE geo.spatial_ref_sys',
      'leadfwd',
    );
    const { tables } = await migrateStore({ sqlitePath: backup, databaseUrl: server.url, schema: 'geo' });
    expect(tables.find((t) => t.table === 'campaigns')?.postgres).toBeGreaterThan(0);
    expect(server.psql('SELECT srid FROM geo.spatial_ref_sys', 'leadfwd')).toBe('4326');
  });

  it('runs as `npm run migrate-store -- --from <file>`, printing the counts per table and never the password', async () => {
    server.psql('CREATE DATABASE cli');
    const url = `postgres://leadfwd:Pa55-word-never-shown@127.0.0.1:${server.port}/cli`;
    const out = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate-store.ts', '--from', backup], {
      env: { ...process.env, LEADFWD_DATABASE_URL: url, LEADFWD_DATA_DIR: join(dir, 'unused') },
    });
    for (const c of copied) expect(out.stdout).toMatch(new RegExp(`^${c.table}\\s+${c.sqlite}\\s+${c.sqlite}$`, 'm'));
    expect(out.stdout).toMatch(/\d+ rows in \d+ tables in postgres:\/\/leadfwd:\*\*\*@127\.0\.0\.1:\d+\/cli, as in .*snapshot\.sqlite; 0 written meanwhile/);
    expect(out.stdout).toMatch(/The move is complete: start the service with LEADFWD_DATABASE_URL/);
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/migrate-store.ts', '--from', backup, ...args], {
        env: { ...process.env, LEADFWD_DATABASE_URL: url, LEADFWD_DATA_DIR: join(dir, 'unused') },
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(await cli('--catch-up')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^migrate-store refused: no move is under way from /m) });
    // The copy completed, so the file says it was moved; --cancel takes it back, and then finds nothing to undo.
    expect(await cli('--cancel')).toMatchObject({
      stdout: expect.stringMatching(/had been moved to postgres:.* at .*; it is taken back: the service may run on it again/),
    });
    expect(await cli('--cancel')).toMatchObject({ stdout: expect.stringMatching(/^no move was under way from /m) });
    // Anything else is refused before the file or the database is touched: --help once ran a whole move.
    for (const [args, why] of [
      [['--help'], /Unknown option '--help'/],
      [['--dry-run'], /Unknown option '--dry-run'/],
      [['--catch-up', '--cancel'], /--catch-up and --cancel do not go together/],
      [['--from'], /--from needs a file|argument missing/],
    ] as const) {
      const r = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate-store.ts', ...args], {
        env: { ...process.env, LEADFWD_DATABASE_URL: url, LEADFWD_DATA_DIR: join(dir, 'unused') },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(r, args.join(' ')).toMatchObject({ code: 1, stderr: expect.stringMatching(why) });
      expect((r as { stderr: string }).stderr).toMatch(/nothing was done\. usage: npm run migrate-store -- \[--from <SQLite file>\]/);
    }
    // `npm run migrate-store --catch-up` (no `--`): npm keeps the option and says so in the environment, and the
    // command ran a first copy instead, answering "not empty". It now names the command to type.
    const eaten = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate-store.ts'], {
      env: { ...process.env, npm_config_catch_up: 'true', LEADFWD_DATABASE_URL: url, LEADFWD_DATA_DIR: join(dir, 'unused') },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(eaten).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/npm kept --catch-up for itself .*run `npm run migrate-store -- --catch-up`; nothing was done/),
    });
    expect(moveMarksOf(backup)).toEqual({});
    expect(out.stdout + out.stderr).not.toContain('Pa55-word-never-shown');

    const refused = await run(process.execPath, ['--import', 'tsx', 'scripts/migrate-store.ts', '--from', backup], {
      env: { ...process.env, LEADFWD_DATABASE_URL: url, LEADFWD_DATA_DIR: join(dir, 'unused') },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/^migrate-store refused: the PostgreSQL database is not empty/m);
    expect((refused as { stderr: string }).stderr).not.toContain('Pa55-word-never-shown');
  }, 60_000);
});

/** Every SQLite table of `litePath` holds the same rows, value for value, as its copy in the PostgreSQL `schema`. */
async function expectSameRows(server: PgServer, litePath: string, schema: string): Promise<void> {
  const lite = new Database(litePath, { readonly: true });
  const client = new pg.Client({ connectionString: server.url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const tables = (
      lite
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'leadfwd_move%' AND name <> 'schema_migrations'",
        )
        .all() as Array<{ name: string }>
    ).map((t) => t.name);
    const jsonColumns = new Set(
      (
        await client.query("SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND data_type = 'jsonb'", [
          schema,
        ])
      ).rows.map((r) => r.c as string),
    );
    const canonical = (v: unknown): string =>
      JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
    for (const table of tables) {
      const fromLite = (lite.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map((row) =>
        canonical(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonColumns.has(`${table}.${k}`) && typeof v === 'string' ? JSON.parse(v) : v]))),
      );
      // Columns only PostgreSQL has are its multi-process bookkeeping, filled by their defaults; each is named here.
      const liteColumns = new Set((lite.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as Array<{ name: string }>).map((c) => c.name));
      const pgRows = (await client.query(`SELECT to_jsonb(t) AS row FROM "${table}" t`)).rows.map((r) => r.row as Record<string, unknown>);
      const pgOnly = [...new Set(pgRows.flatMap((r) => Object.keys(r)))].filter((k) => !liteColumns.has(k)).sort();
      expect([table, pgOnly]).toEqual([table, pgRows.length ? (PG_ONLY_COLUMNS[table] ?? []) : []]);
      const fromPg = pgRows.map((r) => canonical(Object.fromEntries(Object.entries(r).filter(([k]) => liteColumns.has(k)))));
      expect([table, fromPg.sort()]).toEqual([table, fromLite.sort()]);
    }
  } finally {
    lite.close();
    await client.end();
  }
}

/** sender_identities' columns after is_default, for copying a row with a new id and name. */
function identityColumnsAfterDefault(lite: Database.Database): string {
  const cols = (lite.prepare("SELECT name FROM pragma_table_info('sender_identities')").all() as Array<{ name: string }>).map((c) => c.name);
  expect(cols.slice(0, 3)).toEqual(['id', 'name', 'is_default']);
  return cols
    .slice(3)
    .map((c) => `"${c}"`)
    .join(', ');
}
