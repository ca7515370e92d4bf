// A mailbox provider's concurrency across real service processes (issue 15): three processes on one PostgreSQL send
// one campaign to Gmail addresses through a real SMTP server that counts the transactions it has open at once. With
// the identity's concurrency of 2 per provider, the server never sees more than 2 though each process has 4
// connections; without a concurrency (the control) the same processes keep more open at once. Every target gets one
// message either way.
import { describe, expect, it } from 'vitest';
import { useCountingSmtp } from '../support/counting-smtp.js';
import { type ServiceProcess, usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

describe.skipIf(!debianPgBin())("a provider's concurrency across three service processes on one PostgreSQL", () => {
  const rig = usePgProcessRig('pgconc');
  const counting = useCountingSmtp(25);
  let procs: ServiceProcess[] = [];

  /** One campaign to 300 Gmail addresses; the most transactions the server had open at once, once it is sent. */
  async function sendCampaign(name: string) {
    counting.server.reset();
    const { listIds } = rig.sim.seedBulk({ ...cleanLists({ lists: 1, perList: 300 }), domains: ['gmail.com'] });
    const id = await rig.createCampaign(procs[0], name, listIds);
    await waitFor(async () => (await rig.store.campaigns.get(id))?.status === 'sent' || undefined, `${name} sent`, 60_000);
    const rows = await rig.store.recipients.list(id, { limit: 10_000, offset: 0 });
    expect(rows.length).toBe(300);
    for (const r of rows) expect(counting.server.received.get(r.email.toLowerCase()), r.email).toBe(1);
    const senders = rig.pg.psql(`SELECT count(DISTINCT claimed_by) FROM recipients WHERE campaign_id = '${id}'`, 'leadfwd').trim();
    return { most: counting.server.most('gmail.com'), senders: Number(senders) };
  }

  it('never has more messages on the wire to the provider than its concurrency, all processes together', async () => {
    const env = { LEADFWD_SMTP_URL: `smtp://127.0.0.1:${counting.server.port}`, LEADFWD_SMTP_MAX_CONNECTIONS: '4', LEADFWD_LEASE_TTL_MS: '3000' };
    procs = await Promise.all(['p1', 'p2', 'p3'].map((n) => rig.start(n, env)));

    await rig.setProviderConcurrency(procs[0], 2);
    const shared = await sendCampaign('Two at once');
    console.log(`concurrency 2: most at once ${shared.most}, sending processes ${shared.senders}`);
    expect(shared.most).toBe(2);
    expect(shared.senders).toBeGreaterThan(1);

    // Control: no concurrency for the provider; the same processes keep more than 2 open at once.
    await rig.setProviderConcurrency(procs[0], undefined);
    const free = await sendCampaign('As many as the pools');
    console.log(`no concurrency: most at once ${free.most}, sending processes ${free.senders}`);
    expect(free.most).toBeGreaterThan(2);
  }, 180_000);
});
