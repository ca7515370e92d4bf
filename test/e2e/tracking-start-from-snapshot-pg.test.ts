// A tracking-only process (re)started while PostgreSQL is down (issue 15): it starts from what its last run left in
// its data folder (the tracked links, the schema version and secret check it saw), redirects clicks of those
// campaigns, spools opens, clicks and one-click opt-outs, says so on /readyz, and records them once PostgreSQL is back
// and the start-up checks have passed. When they fail (a newer version migrated the database meanwhile) it exits
// with the same sentence as at start, and what it spooled stays on its disk, unrecorded; asked to stop while it
// waits, it stops quietly.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPgProcessRig, type PgProcessRig, type ServiceProcess } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe.skipIf(!debianPgBin())('a tracking process started while PostgreSQL is down', () => {
  let rig: PgProcessRig;
  let data: string;
  let id: string;
  // Clicks here come seconds after acceptance: not link scanners. Tracked links re-read every half second.
  const trackerEnv = () => ({ LEADFWD_ROLES: 'tracking', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_TRACKED_LINKS_REFRESH_MS: '500', LEADFWD_DATA_DIR: data });
  beforeAll(async () => {
    rig = await createPgProcessRig('snapstart');
    data = mkdtempSync(join(tmpdir(), 'leadfwd-snapstart-data-'));
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  const sql = (text: string) => rig.pg.psql(text, 'leadfwd');
  const links = (i: number, on: ServiceProcess) => {
    const raw = rig.sink.messages[i].raw.toString().replace(/=\r\n/g, '').replace(/=3D/g, '=');
    const at = (u: string) => u.replace(/^https?:\/\/[^/]+/, on.url);
    return {
      to: rig.sink.messages[i].envelope.to[0].toLowerCase(),
      pixel: at(/https?:\/\/[^"\s]+\/t\/o\/[^"\s]+/.exec(raw)![0]),
      click: at(/href="(https?:\/\/[^"]+\/t\/c\/[^"]+)"/.exec(raw)![1]),
      unsubscribe: at(/List-Unsubscribe: <(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(raw)![1]),
    };
  };
  const get = (url: string) => fetch(url, { redirect: 'manual', headers: { 'User-Agent': UA } });
  const oneClick = (url: string) =>
    fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

  it('redirects and spools from its snapshot, reports /readyz honestly, and records once the database is back', async () => {
    const sender = await rig.start('s1', { LEADFWD_ROLES: 'api,send,writeback,automations', LEADFWD_SMTP_RATE: '120' });
    const first = await rig.start('t1', trackerEnv());
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 8 }));
    id = await rig.createCampaign(sender, 'Snap', listIds, { subject: 'Hi', html: '<p><a href="https://acme.test/s">s</a></p>' });
    await waitFor(async () => (await rig.api(sender, `/campaigns/${id}`)).status === 'sent' || undefined, 'sent', 30_000);
    // The first run keeps the campaign's tracked links in its data folder: its rows with its links, never the rows
    // alone (a re-read between the campaign's start and its links being saved holds neither).
    const snapshot = join(data, 'tracking-snapshot.json');
    type Saved = { links: { spans: Array<{ campaignId: string }>; links: Record<string, string[]> } };
    const saved = () => (existsSync(snapshot) ? (JSON.parse(readFileSync(snapshot, 'utf8')) as Saved) : undefined);
    const kept = await waitFor(
      () => {
        const s = saved();
        return s?.links.spans.some((x) => x.campaignId === id) ? s : undefined;
      },
      'the snapshot saved',
      15_000,
    );
    expect(kept.links.links[id]).toEqual(['https://acme.test/s']);
    await rig.kill(first);
    await rig.kill(sender);

    await rig.pg.stop('immediate');
    const tracker = await rig.start('t1', trackerEnv());
    // A failure below leaves no process on this data folder and PostgreSQL up, so the next tests start as planned.
    onTestFinished(async () => {
      await rig.kill(tracker);
      await rig.pg.start();
    });
    const ready = async () => ({ status: (await fetch(`${tracker.url}/readyz`)).status, ...(await (await fetch(`${tracker.url}/readyz`)).json()) });
    const during = await ready();
    expect(during).toMatchObject({ status: 200, ready: true, checks: { database: { ok: false }, spool: { ok: true } } });
    expect(during.checks.database.reason).toMatch(/started from its data folder/);
    const [m0, m1] = [links(0, tracker), links(1, tracker)];
    expect((await get(m0.pixel)).status).toBe(200);
    const clicked = await get(m0.click);
    expect([clicked.status, clicked.headers.get('location')]).toEqual([302, 'https://acme.test/s']);
    expect((await get(m0.click.replace(/.{4}$/, 'AAAA'))).status).toBe(404); // the signature is still checked
    expect((await oneClick(m1.unsubscribe)).status).toBe(200);
    const metrics = await (await fetch(`${tracker.url}/metrics`)).text();
    expect(/^leadfwd_spool_waiting_hits (\S+)$/m.exec(metrics)?.[1]).toBe('3');

    await rig.pg.start();
    const engagement = (to: string) =>
      sql(`SELECT e.kind || ':' || e.human_hits FROM engagement e JOIN recipients r ON r.row_id = e.recipient_row_id
           WHERE r.campaign_id = '${id}' AND lower(r.email) = '${to}' ORDER BY 1`).split('\n');
    await waitFor(() => engagement(m0.to).includes('click:1') || undefined, 'the spooled hits recorded', 30_000);
    expect(engagement(m0.to)).toEqual(['click:1', 'open:1']);
    expect(sql(`SELECT address_key FROM suppressions`)).toBe(m1.to);
    await waitFor(async () => ((await ready()).checks.spool === undefined ? true : undefined), 'ready on the database again', 15_000);
    expect(sql("SELECT count(*) FROM spooled_hits WHERE key NOT LIKE 'commit:%'")).toBe('3');
  }, 120_000);

  it('reads its tracked links afresh once the database is back, not a refresh period later', async () => {
    const snapshot = join(data, 'tracking-snapshot.json');
    const savedAt = () => (JSON.parse(readFileSync(snapshot, 'utf8')) as { savedAt: string }).savedAt;
    const before = savedAt();
    await rig.pg.stop('immediate');
    // A period far beyond the test: only the read after the start-up checks can write the snapshot again.
    const tracker = await rig.start('t1', { ...trackerEnv(), LEADFWD_TRACKED_LINKS_REFRESH_MS: '3600000' });
    try {
      await rig.pg.start();
      await waitFor(() => (savedAt() > before ? true : undefined), 'the links read again', 30_000);
    } finally {
      await rig.kill(tracker);
    }
  }, 90_000);

  it('exits with the start-up sentence when the database it reaches has a newer schema, keeping its spool unrecorded', async () => {
    // A newer version migrated the database while this process was away.
    sql(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'from_the_future', 'x', '2026-12-01T00:00:00Z')`);
    await rig.pg.stop('immediate');
    const tracker = await rig.start('t1', trackerEnv());
    const m2 = links(2, tracker);
    expect((await get(m2.pixel)).status).toBe(200);
    await rig.pg.start();
    const code = await Promise.race([tracker.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(code).toBe(1);
    expect(tracker.stderr()).toMatch(/LeadFWD cannot start: the database at \S+ cannot be used: the database has migration 9999/);
    // Nothing recorded against the newer schema: the open waits in the spool for a process of the right version.
    expect(sql(`SELECT count(*) FROM engagement e JOIN recipients r ON r.row_id = e.recipient_row_id WHERE lower(r.email) = '${m2.to}'`)).toBe('0');
    const spooled = readdirSync(join(data, 'spool')).filter((f) => f.startsWith('hits-'));
    expect(spooled.map((f) => readFileSync(join(data, 'spool', f), 'utf8')).join('')).toMatch(/"kind":"open"/);
  }, 90_000);

  it('stops quietly when asked to while it still waits for the database', async () => {
    await rig.pg.stop('immediate');
    const tracker = await rig.start('t1', trackerEnv());
    tracker.child.kill('SIGTERM');
    const code = await Promise.race([tracker.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(0);
    expect(tracker.stderr()).not.toMatch(/cannot start/);
    // What it held in its spool is still there for the next start.
    expect(readdirSync(join(data, 'spool')).filter((f) => f.startsWith('hits-')).length).toBeGreaterThan(0);
  }, 60_000);
});
