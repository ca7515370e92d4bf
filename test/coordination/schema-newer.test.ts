// Two processes against different schemas (issue 15's bad input): a process sending a campaign on PostgreSQL sees a
// newer version migrate the shared database under it. It takes no more work from then on — no message leaves it, its
// leases and reserved rows are given back, its log and /readyz say why — and the process of the new version (a fresh
// one here, once the test takes the future migration back out) finishes the campaign: every target exactly once,
// nothing uncertain, Sugar's CampaignLog equal to the report. Real service processes, PostgreSQL, simulator and sink.
import { describe, expect, it } from 'vitest';
import { type ServiceProcess, usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process's /readyz checks once it answers 503. */
const unready = (p: ServiceProcess) =>
  waitFor(
    async () => {
      const r = await fetch(`${p.url}/readyz`);
      return r.status === 503 ? ((await r.json()) as { checks: Record<string, { ok: boolean; reason?: string }> }) : undefined;
    },
    `${p.name}'s /readyz 503`,
    15_000,
  );

describe.skipIf(!debianPgBin())('an older process on a newer schema', () => {
  const rig = usePgProcessRig('schemanewer');

  it('stops taking work, says why, and leaves the rest to the new version without sending anyone twice', async () => {
    const env = { LEADFWD_SMTP_RATE: '20', LEADFWD_SMTP_MAX_CONNECTIONS: '2' };
    const old = await rig.start('old', env);
    const tracker = await rig.start('tracker', { ...env, LEADFWD_ROLES: 'tracking' }); // the same SMTP settings, as everywhere
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 200 }));
    const id = await rig.createCampaign(old, 'Upgrade', listIds, { subject: 'Hi' });
    await waitFor(async () => (await rig.store.recipients.counts(id)).accepted >= 20 || undefined, 'sending under way', 30_000);

    // A process of a newer version applied a migration this one does not know.
    rig.pg.psql("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')", 'leadfwd');
    await waitFor(() => /"msg":"work\.stopped"/.test(old.stderr()) || undefined, 'the old process to stop taking work', 15_000);
    expect(old.stderr()).toMatch(/"msg":"store\.schema_newer"/);
    const sentByOld = rig.sink.messages.length;
    await sleep(2000);
    expect(rig.sink.messages).toHaveLength(sentByOld); // nothing more left it
    expect(sentByOld).toBeLessThan(200);
    const counts = await rig.store.recipients.counts(id);
    expect(counts).toMatchObject({ accepted: sentByOld, sending: 0, uncertain: 0 });
    // Its leases are free at once (not after their ttl): the write-back lane, the scheduler's tick, its own.
    expect(await rig.store.leases.holder(`writeback:${rig.sim.url}`)).toBeUndefined();
    const readyz = await unready(old);
    expect(readyz.checks.work).toEqual({ ok: false, reason: expect.stringMatching(/^stopped taking work: the database schema is at migration 999, newer/) });
    // A tracking process says the same, and not that the database is down and its hits spooled (an operator's trial).
    const tracking = await unready(tracker);
    console.log(`tracking process /readyz: ${JSON.stringify(tracking.checks)}`);
    expect(tracking.checks.work).toMatchObject({ ok: false, reason: expect.stringMatching(/^stopped taking work: /) });
    expect(tracking.checks.spool).toBeUndefined();

    // The new version's process (the future migration taken back out, so this build stands in for it) does the rest.
    rig.pg.psql('DELETE FROM schema_migrations WHERE version = 999', 'leadfwd');
    const next = await rig.start('new', env);
    const view = await waitFor(
      async () => {
        const c = await rig.api(next, `/campaigns/${id}`).catch(() => undefined);
        return c?.status === 'sent' && c.writeback?.pending === 0 ? c : undefined;
      },
      'sent and written back by the new process',
      60_000,
    );
    const received = new Map<string, number>();
    for (const m of rig.sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    const rows = await rig.store.recipients.list(id, { limit: 1000, offset: 0 });
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.state !== 'accepted')).toEqual([]);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(rig.sink.messages).toHaveLength(200);
    const report = await rig.api(next, `/campaigns/${id}/report`);
    expect(rig.sim.campaignLogCounts(view.writeback.sugarCampaignId)).toMatchObject({ targeted: report.accepted });
    // Once stopped, the old process stays stopped until it is upgraded.
    expect((await fetch(`${old.url}/readyz`)).status).toBe(503);
  }, 120_000);
});
