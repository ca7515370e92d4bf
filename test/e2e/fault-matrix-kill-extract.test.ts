// Fault matrix, SIGKILL during extraction: the real service process is killed while it reads the
// target lists from a slow Sugar. A restart extracts again from the start and sends each target
// exactly one message: a half-written ledger never turns into lost or doubled targets.
import { describe, expect, it } from 'vitest';
import { cleanLists, useServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const rig = useServiceRig('killx', { LEADFWD_SMTP_RATE: '200' });

describe('SIGKILL during extraction', () => {
  it('re-extracts after a restart and sends every target exactly once', async () => {
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 2, perList: 300, overlap: 0.1 }));
    rig.sim.faults.latencyMs = 250; // every Sugar call slow, so extraction is still running when the kill comes
    let proc = await rig.start();
    const id = await rig.createCampaign('Kill', listIds);
    await waitFor(async () => (await rig.api(`/campaigns/${id}`)).status === 'extracting' || undefined, 'extraction under way');
    await new Promise((r) => setTimeout(r, 300)); // let it read a page first
    expect((await rig.api(`/campaigns/${id}`)).status).toBe('extracting');
    await rig.signal(proc, 'SIGKILL');
    expect(rig.sink.messages).toHaveLength(0);

    rig.sim.faults.latencyMs = 0;
    proc = await rig.start();
    const done = await rig.untilSent(id, 'sent after restart');
    await rig.signal(proc, 'SIGTERM');

    const rows = rig.ledger(id);
    const received = rig.received();
    expect(rows.length).toBe(done.audit.queued);
    expect(rows.length).toBeGreaterThan(500); // both lists, overlap counted once
    expect(rows.every((r) => r.state === 'accepted')).toBe(true);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(rig.sink.messages).toHaveLength(rows.length);
  }, 120_000);
});
