// Rows do not wait behind a process that has no slot of their provider (issue 15): three service processes on one
// PostgreSQL send one campaign to Gmail addresses, whose concurrency for the identity is 1, so one process holds the
// slot and two hold none. Those two give the rows they reserved back to the queue, due now and in their place, and
// reserve no more of them while they have no slot, so the holder sends the campaign in about its own order. Before,
// each of them kept a batch in memory, gave it back after 2 s due 2 s later (behind every row not yet sent), and
// reserved the next batch: the campaign's earliest rows went out at its end (run against that code: 45 rows of the
// first half among the last quarter sent, 73 rows more than 75 places late; now 0 and 0). The holder also lets a slot
// that frees go to its row that waited longest, not to one it just reserved. Every target gets one message either way.
// /metrics shows the slot held, the shared limit, and how long rows waited for a slot.
import { describe, expect, it } from 'vitest';
import { SLOT_QUEUE_MAX } from '../../service/src/sending/provider-waits.js';
import { useCountingSmtp } from '../support/counting-smtp.js';
import { type ServiceProcess, usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const ROWS = 300;

describe.skipIf(!debianPgBin())('a provider whose one slot another process holds, across three service processes on one PostgreSQL', () => {
  const rig = usePgProcessRig('pgslotless');
  const counting = useCountingSmtp(20);
  let procs: ServiceProcess[] = [];

  const scrape = async (p: ServiceProcess) => await (await fetch(`${p.url}/metrics`)).text();
  const gauge = (text: string, name: string) => Number(new RegExp(`^${name}\\{identity="[^"]+",provider="google"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

  it('sends every target once, the earliest rows early, while two processes hold no slot', async () => {
    const env = { LEADFWD_SMTP_URL: `smtp://127.0.0.1:${counting.server.port}`, LEADFWD_SMTP_MAX_CONNECTIONS: '4', LEADFWD_LEASE_TTL_MS: '3000' };
    procs = await Promise.all(['p1', 'p2', 'p3'].map((n) => rig.start(n, env)));
    await rig.setProviderConcurrency(procs[0], 1);
    counting.server.reset();
    const { listIds } = rig.sim.seedBulk({ ...cleanLists({ lists: 1, perList: ROWS }), domains: ['gmail.com'] });
    const id = await rig.createCampaign(procs[0], 'One at a time', listIds);

    // While it sends, one process's /metrics shows the one slot held, the limit all share, and the others wanting it.
    let seen: { held: number; limit: number; wanted: number } | undefined;
    await waitFor(
      async () => {
        const texts = await Promise.all(procs.map(scrape));
        const holder = texts.find((t) => gauge(t, 'leadfwd_provider_slots_held') === 1);
        if (holder)
          seen = {
            held: 1,
            limit: gauge(holder, 'leadfwd_provider_slots_limit'),
            wanted: Math.max(...texts.map((t) => gauge(t, 'leadfwd_provider_slots_wanted'))),
          };
        return seen;
      },
      'a process holding the slot in /metrics',
      30_000,
    );
    expect(seen).toEqual({ held: 1, limit: 1, wanted: 1 });

    await waitFor(async () => (await rig.store.campaigns.get(id))?.status === 'sent' || undefined, 'campaign sent', 120_000);
    const rows = await rig.store.recipients.list(id, { limit: 10_000, offset: 0 });
    expect(rows.length).toBe(ROWS);
    for (const r of rows) expect(counting.server.received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(counting.server.most('gmail.com')).toBe(1);

    // Each row's place in the campaign (by row id) against when the server took its message.
    const rank = new Map([...rows].sort((a, b) => a.rowId - b.rowId).map((r, n) => [r.email.toLowerCase(), n]));
    const taken = counting.server.order.map((e) => rank.get(e)!);
    const lastQuarter = taken.slice(Math.floor((ROWS * 3) / 4));
    const earlyAtTheEnd = lastQuarter.filter((n) => n < ROWS / 2).length;
    const late = taken.filter((n, at) => at - n > ROWS / 4).length;
    console.log(`rows of the first half among the last quarter sent: ${earlyAtTheEnd}; rows sent more than ${ROWS / 4} places late: ${late}`);
    const lateOnes = taken.flatMap((n, at) => (at - n > ROWS / 4 ? [`#${n} sent ${at}th`] : []));
    expect(earlyAtTheEnd).toBe(0);
    // Each time a process finds the slot held elsewhere it gives back the slot queue of rows it held (at most
    // SLOT_QUEUE_MAX), after HOLD_MS: 2 s is about 80 messages here. So at most a queue per time a process left the
    // provider (/metrics counts them; each of the two leaves once here): runs on a loaded machine, 0 to 16 rows late.
    // Rows first held without a slot (the shared throttles still being read) once came to wait for it past the cap: a
    // process held 48 for HOLD_MS, and 40 to 61 went late under load. Then the rows behind the first one the sweep
    // asked still waited uncapped (50 late in a CI run, 55 in 1 of 5 runs here; since, 0 to 8 in 11 runs, 5 of them
    // beside a busy core). The code before slot queues let 73 go late, and 45 early rows at the end.
    const after = await Promise.all(procs.map(scrape));
    const left = after.reduce((n, t) => n + gauge(t, 'leadfwd_provider_slots_left_total'), 0);
    console.log(`times a process left the provider to the slot's holder: ${left}`);
    expect(late, `${late} late with ${left} times left: ${lateOnes.slice(0, 20).join(', ')}`).toBeLessThanOrEqual(left * SLOT_QUEUE_MAX);

    // The rows that waited for the slot are counted, with their waits; no renewal failed.
    const waits = after.map((t) => Number(/^leadfwd_provider_slot_wait_seconds_count\{identity="[^"]+",provider="google"\} (\d+)$/m.exec(t)?.[1] ?? 0));
    console.log(`rows that waited for a slot, per process: ${waits.join(', ')}`);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const t of after) expect(t).toMatch(/^leadfwd_provider_slot_renewals_failed_total 0$/m);
  }, 180_000);
});
