// Fault matrix, SIGTERM under load: the real service process gets SIGTERM while sending. Graceful
// means it stops claiming, lets every message on the wire be answered and recorded, exits 0, and
// leaves no row 'sending' or 'uncertain'; a restart finishes the campaign with one message each.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../service/src/store/db.js';
import { cleanLists, type ServiceRig, useServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

let rig: ServiceRig;
let proc: ChildProcess | undefined;

useServiceRig('sigterm', { LEADFWD_SMTP_RATE: '200' }, (r) => {
  rig = r;
});

describe('SIGTERM under load', () => {
  it('drains and exits 0 with nothing in flight or uncertain; a restart sends the rest exactly once', async () => {
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 400 }));
    proc = await rig.start();
    const id = await rig.createCampaign('Term', listIds);
    await waitFor(async () => ((await rig.api(`/campaigns/${id}`)).progress?.accepted ?? 0) > 60 || undefined, 'sending under way');
    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const atTerm = rig.sink.messages.length;

    let store = openStore(join(rig.dir, 'data', 'leadfwd.sqlite'));
    const afterTerm = store.recipients.list(id, { limit: 100_000, offset: 0 });
    store.close();
    expect(afterTerm.filter((r) => r.state === 'sending' || r.state === 'uncertain')).toEqual([]);
    expect(afterTerm.filter((r) => r.state === 'accepted')).toHaveLength(atTerm);
    expect(atTerm).toBeLessThan(afterTerm.length); // really stopped mid-send

    proc = await rig.start();
    await rig.untilSent(id, 'sent after restart');
    const stopped = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await stopped;
    proc = undefined;

    store = openStore(join(rig.dir, 'data', 'leadfwd.sqlite'));
    const rows = store.recipients.list(id, { limit: 100_000, offset: 0 });
    store.close();
    const received = new Map<string, number>();
    for (const m of rig.sink.messages) for (const to of m.envelope.to) received.set(to.toLowerCase(), (received.get(to.toLowerCase()) ?? 0) + 1);
    expect(rows.every((r) => r.state === 'accepted')).toBe(true);
    for (const r of rows) expect(received.get(r.email.toLowerCase()), r.email).toBe(1);
    expect(rig.sink.messages).toHaveLength(rows.length);
  }, 120_000);
});
