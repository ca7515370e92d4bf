// Fault matrix, SIGTERM under load: the real service process gets SIGTERM while sending. Graceful
// means it stops claiming, lets every message on the wire be answered and recorded, exits 0, and
// leaves no row 'sending' or 'uncertain'; a restart finishes the campaign with one message each.
import { describe, expect, it } from 'vitest';
import { cleanLists, useServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const rig = useServiceRig('sigterm', { LEADFWD_SMTP_RATE: '200' });

describe('SIGTERM under load', () => {
  it('drains and exits 0 with nothing in flight or uncertain; a restart sends the rest exactly once', async () => {
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 400 }));
    let proc = await rig.start();
    const id = await rig.createCampaign('Term', listIds);
    await waitFor(async () => ((await rig.api(`/campaigns/${id}`)).progress?.accepted ?? 0) > 60 || undefined, 'sending under way');
    expect(await rig.signal(proc, 'SIGTERM')).toBe(0);
    const atTerm = rig.sink.messages.length;

    const afterTerm = rig.ledger(id);
    expect(afterTerm.filter((r) => r.state === 'sending' || r.state === 'uncertain')).toEqual([]);
    expect(afterTerm.filter((r) => r.state === 'accepted')).toHaveLength(atTerm);
    expect(atTerm).toBeLessThan(afterTerm.length); // really stopped mid-send

    proc = await rig.start();
    await rig.untilSent(id, 'sent after restart');
    await rig.signal(proc, 'SIGTERM');

    const rows = rig.ledger(id);
    const received = rig.received();
    expect(rows.every((r) => r.state === 'accepted')).toBe(true);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(rig.sink.messages).toHaveLength(rows.length);
  }, 120_000);
});
