// Fault matrix on PostgreSQL (issue 15), the database and the roles: PostgreSQL restarted (immediate, like a crash)
// while two sending processes are mid-campaign loses nothing and the service recovers by itself; a process with
// the tracking role alone keeps answering the open pixel, click redirects and unsubscribe pages, and records them,
// while every sending process is down; and it keeps answering and recording (spooled on its disk, replayed once)
// while PostgreSQL itself is down: clicks on messages it never read (from the links it read beforehand), one-click
// unsubscribes, and /metrics saying what waits in the spool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgProcessRig, type PgProcessRig, type ServiceProcess } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';
import { sugarLog } from '../writeback/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!debianPgBin())('PostgreSQL restarted under load, and a tracking-only process', () => {
  let rig: PgProcessRig;
  let senders: ServiceProcess[] = [];
  let tracker: ServiceProcess;
  let id: string;
  beforeAll(async () => {
    rig = await createPgProcessRig('pgrestart');
    // Leases outlive the outage (5 s > 1.5 s down): no live process is taken for dead, so nothing turns uncertain.
    const env = { LEADFWD_SMTP_RATE: '120', LEADFWD_SMTP_MAX_CONNECTIONS: '2', LEADFWD_LEASE_TTL_MS: '5000' };
    [senders, tracker] = await Promise.all([
      Promise.all(['s1', 's2'].map((n) => rig.start(n, { ...env, LEADFWD_ROLES: 'api,send,writeback,automations' }))),
      // Clicks here come seconds after acceptance: not link scanners.
      // Its tracked links are re-read every half second: the campaign below starts after this process did.
      rig.start('t1', { LEADFWD_ROLES: 'tracking', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_TRACKED_LINKS_REFRESH_MS: '500' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('loses nothing when PostgreSQL restarts mid-send, and sends on by itself', async () => {
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 360 }));
    id = await rig.createCampaign(senders[0], 'Restart', listIds, { html: '<p>Hi <a href="https://acme.test/x">x</a></p>' });
    await waitFor(async () => (await rig.store.recipients.counts(id)).accepted >= 60 || undefined, 'sending under way', 30_000);
    await rig.pg.stop('immediate');
    await sleep(1500);
    await rig.pg.start();
    const view = await waitFor(
      async () => {
        const c = await rig.api(senders[0], `/campaigns/${id}`).catch(() => undefined);
        return c?.status === 'sent' && c.writeback?.pending === 0 ? c : undefined;
      },
      'sent and written back after the restart',
      40_000,
    ).catch(async (err) => {
      console.error(await rig.store.recipients.counts(id), (await rig.store.campaigns.get(id))?.status, await rig.store.outbox.stats());
      for (const s of senders) console.error(s.name, s.child.exitCode, s.stderr());
      throw err;
    });
    const rows = await rig.store.recipients.list(id, { limit: 10_000, offset: 0 });
    expect(rows).toHaveLength(360);
    const received = new Map<string, number>();
    for (const m of rig.sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    // No one twice, no one lost, nothing left uncertain: the verdicts the relay gave while the database was down were
    // kept and recorded once it was back.
    expect(rows.filter((r) => r.state !== 'accepted')).toEqual([]);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(rig.sink.messages).toHaveLength(360);
    const report = await rig.api(senders[0], `/campaigns/${id}/report`);
    expect(rig.sim.campaignLogCounts(view.writeback.sugarCampaignId)).toMatchObject({ targeted: report.accepted });
  }, 60_000);

  it('answers and records opens, clicks and unsubscribes from the tracking process while every sender is down', async () => {
    for (const s of senders) await rig.kill(s);
    const raw = rig.sink.messages[0].raw.toString().replace(/=\r\n/g, '').replace(/=3D/g, '=');
    const to = rig.sink.messages[0].envelope.to[0].toLowerCase();
    const on = (u: string) => u.replace(/^https?:\/\/[^/]+/, tracker.url);
    const pixel = on(/https?:\/\/[^"\s]+\/t\/o\/[^"\s]+/.exec(raw)![0]);
    const click = on(/href="(https?:\/\/[^"]+\/t\/c\/[^"]+)"/.exec(raw)![1]);
    const opened = await fetch(pixel);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toMatch(/image\/gif/);
    const clicked = await fetch(click, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('https://acme.test/x');
    // The API is not served here (its role is elsewhere), only the public pages.
    expect((await fetch(`${tracker.url}/api/v1/campaigns`, { headers: { Authorization: `Bearer ${rig.apiKey}` } })).status).toBe(404);
    const hits = (kind: string) =>
      Number(
        rig.pg.psql(
          `SELECT coalesce(sum(e.human_hits + e.machine_hits), 0) FROM engagement e JOIN recipients r ON r.row_id = e.recipient_row_id
            WHERE r.campaign_id = '${id}' AND lower(r.email) = '${to}' AND e.kind = '${kind}'`,
          'leadfwd',
        ),
      );
    await waitFor(() => (hits('open') >= 1 && hits('click') >= 1) || undefined, 'the open and the click recorded');
  }, 30_000);

  it('answers every pixel and click while PostgreSQL is down, and records each once (report and Sugar) when it is back', async () => {
    const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
    const on = (u: string) => u.replace(/^https?:\/\/[^/]+/, tracker.url);
    // Messages 1..8: 1–4 opened before the outage (this process has read their rows, and their campaign's links),
    // 1–8 opened and clicked during it (5–8: rows this process never read, redirected from its tracked links).
    // Message 9: unsubscribed with one click during it (a row never read either).
    const mails = rig.sink.messages.slice(1, 10).map((m) => {
      const raw = m.raw.toString().replace(/=\r\n/g, '').replace(/=3D/g, '=');
      return {
        to: m.envelope.to[0].toLowerCase(),
        pixel: on(/https?:\/\/[^"\s]+\/t\/o\/[^"\s]+/.exec(raw)![0]),
        click: on(/href="(https?:\/\/[^"]+\/t\/c\/[^"]+)"/.exec(raw)![1]),
        unsubscribe: on(/List-Unsubscribe: <(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(raw)![1]),
      };
    });
    const leaver = mails.pop()!;
    const get = (url: string) => fetch(url, { redirect: 'manual', headers: { 'User-Agent': UA } });
    for (const m of mails.slice(0, 4)) expect((await get(m.pixel)).status).toBe(200);
    const ready = async () => (await fetch(`${tracker.url}/readyz`)).json();
    expect((await ready()).checks.spool).toBeUndefined();

    await rig.pg.stop('immediate');
    const answers: Array<[number, string | null]> = [];
    for (const m of mails) {
      const opened = await get(m.pixel);
      expect(opened.headers.get('content-type')).toMatch(/image\/gif/);
      answers.push([opened.status, null]);
    }
    for (const m of mails) {
      const clicked = await get(m.click);
      answers.push([clicked.status, clicked.headers.get('location')]);
      await clicked.body?.cancel();
    }
    // A second round of the same: counted again, as hits are.
    for (const m of mails.slice(0, 2)) answers.push([(await get(m.pixel)).status, null]);
    expect(answers).toEqual([...mails.map(() => [200, null]), ...mails.map(() => [302, 'https://acme.test/x']), [200, null], [200, null]]);
    // The signature is still checked first: a forged token goes nowhere, on a row read before or never read.
    expect((await get(mails[0].click.replace(/.{4}$/, 'AAAA'))).status).toBe(404);
    expect((await get(mails[6].click.replace(/.{4}$/, 'AAAA'))).status).toBe(404);
    // A one-click unsubscribe (RFC 8058) is taken: 200, never a failure a mailbox provider would show. The page
    // answers from the token alone (no address to show without the database); a forged token is still refused.
    const page = await get(leaver.unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Stop receiving these emails from [^<]+\?<\/p>/);
    const oneClick = () =>
      fetch(leaver.unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const left = await oneClick();
    expect(left.status).toBe(200);
    expect(await left.text()).toMatch(/You are unsubscribed/);
    expect((await fetch(leaver.unsubscribe.replace(/.{4}$/, 'AAAA'), { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(404);
    // /metrics still answers, with what waits in the spool (and without the database's figures, not as zeros).
    const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const scrape = async () => await (await fetch(`${tracker.url}/metrics`)).text();
    const down = await scrape();
    expect(metric(down, 'leadfwd_spool_waiting_hits')).toBe(mails.length * 2 + 2 + 1);
    expect(metric(down, 'leadfwd_spool_oldest_seconds')).toBeGreaterThan(0);
    expect(down).not.toMatch(/^leadfwd_outbox_pending /m);
    // Still in rotation: the database is down, the spool takes the hits.
    const during = await waitFor(async () => ((await ready()).checks.spool ? await ready() : undefined), '/readyz after the outage began', 15_000);
    expect(during).toMatchObject({ ready: true, checks: { database: { ok: false }, spool: { ok: true } } });
    await sleep(1500);
    await rig.pg.start();

    const human = (kind: string) =>
      rig.pg
        .psql(
          `SELECT lower(r.email) || ':' || e.human_hits FROM engagement e JOIN recipients r ON r.row_id = e.recipient_row_id
            WHERE r.campaign_id = '${id}' AND e.kind = '${kind}' ORDER BY 1`,
          'leadfwd',
        )
        .split('\n')
        .filter(Boolean);
    const opensWanted = mails.map((m, i) => `${m.to}:${i < 2 ? 3 : i < 4 ? 2 : 1}`);
    await waitFor(
      () => human('open').filter((r) => mails.some((m) => r.startsWith(`${m.to}:`))).length === 8 || undefined,
      'the spooled hits replayed',
      30_000,
    );
    // Replayed once: opens before (1), during (1) and again (1 for the first two); a click during the outage.
    expect(human('open').filter((r) => mails.some((m) => r.startsWith(`${m.to}:`)))).toEqual(opensWanted.sort());
    expect(human('click').filter((r) => mails.some((m) => r.startsWith(`${m.to}:`)))).toEqual(mails.map((m) => `${m.to}:1`).sort());
    await waitFor(async () => (await ready()).checks.spool === undefined || undefined, 'ready on the database again', 15_000);
    // Every hit of the outage went through the spool (8 opens, 8 clicks, 2 opens again, 1 opt-out); those before it did not.
    // (Keys of the spool's lines, not the commit keys every write takes to tell a lost answer from a failed write.)
    expect(Number(rig.pg.psql("SELECT count(*) FROM spooled_hits WHERE key NOT LIKE 'commit:%'", 'leadfwd'))).toBe(19);
    // The opt-out suppressed once, at the time it was asked.
    expect(rig.pg.psql(`SELECT count(*) FROM suppressions WHERE address_key = '${leaver.to}'`, 'leadfwd')).toBe('1');
    const up = await scrape();
    expect(metric(up, 'leadfwd_spool_waiting_hits')).toBe(0);
    expect(metric(up, 'leadfwd_spool_oldest_seconds')).toBe(0);
    expect(metric(up, 'leadfwd_spool_replayed_total')).toBe(19);
    expect(metric(up, 'leadfwd_outbox_pending')).toBeGreaterThan(0);

    // Written back to Sugar once each: one 'viewed' row per person, one 'link' row per clicker, by a write-back process.
    const writer = await rig.start('w1', { LEADFWD_ROLES: 'api,writeback' });
    const view = await waitFor(
      async () => {
        const c = await rig.api(writer, `/campaigns/${id}`).catch(() => undefined);
        return c?.writeback?.pending === 0 ? c : undefined;
      },
      'written back',
      40_000,
    );
    const byTo = new Map(emailById(await rig.store.recipients.list(id, { limit: 10_000, offset: 0 })));
    const log = sugarLog(rig.sim, view.writeback.sugarCampaignId);
    const activity = (type: string) =>
      log
        .filter((r) => r.activity_type === type)
        .map((r) => byTo.get(r.target_id))
        .filter((to) => mails.some((m) => m.to === to))
        .sort();
    expect(activity('viewed')).toEqual(mails.map((m) => m.to).sort());
    expect(activity('link')).toEqual(mails.map((m) => m.to).sort());
    expect(log.filter((r) => r.activity_type === 'removed').map((r) => byTo.get(r.target_id))).toEqual([leaver.to]);
  }, 120_000);
});

const emailById = (list: Array<{ id: string; email: string }>) => list.map((r) => [r.id, r.email.toLowerCase()] as [string, string]);
