// The engine against a real SQLite file and a fake clock: ledger rows per step campaign, branches on human
// engagement, opt-outs leaving, and a crash in the middle of a step sending nobody anything twice.
import { afterEach, describe, expect, it } from 'vitest';
import { createAutomationEngine } from '../../service/src/automations/engine.js';
import { compileAutomation } from '../../service/src/domain/automation.js';
import type { Campaign } from '../../service/src/domain/types.js';
import type { Store } from '../../service/src/store/db.js';
import { useStoreFiles } from './store-files.js';

const send = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: `<p>${name}</p>` });
const definition = {
  name: 'Onboarding',
  targetListIds: [],
  steps: [send('Welcome'), { type: 'wait', duration: 'P2D' }, { type: 'branch', on: 'opened', then: [send('Thanks')], else: [send('Reminder')] }],
};
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ module: 'Contacts' as const, id: `c-${i}`, email: `p${i}@example.test` }));

let clock = new Date('2026-11-26T10:00:00.000Z');
const later = (days: number) => {
  clock = new Date(clock.getTime() + days * 86_400_000);
};
afterEach(() => {
  clock = new Date('2026-11-26T10:00:00.000Z');
});
const openFile = useStoreFiles(() => clock);

function setup(dir?: string) {
  const { store, dir: d } = openFile(dir);
  const started: Campaign[] = [];
  const engine = createAutomationEngine({ store, now: () => clock, campaignStarted: (c) => started.push(c), batchSize: 2 });
  return { store, engine, started, dir: d };
}

async function stepRows(store: Store, automationId: string) {
  const out: Record<string, string[]> = {};
  for (const [, campaignId] of await store.automations.stepCampaigns(automationId)) {
    const c = (await store.campaigns.get(campaignId))!;
    out[c.name] = (await store.recipients.list(campaignId, { limit: 100, offset: 0 })).map((r) => r.id).sort();
  }
  return out;
}

describe('automation engine', () => {
  it('sends each step once per target, branches on human opens only, and an opt-out leaves', async () => {
    const { store, engine, started } = setup();
    const a = store.automations.create({ ...compileAutomation(definition), definition });
    expect(await engine.enrol(a.id, [...people(3), { module: 'Leads', id: 'bad', email: 'not an address' }])).toEqual({
      enrolled: 3,
      skipped: [{ id: 'bad', reason: 'invalid_email' }],
    });
    expect((await engine.enrol(a.id, people(3))).enrolled).toBe(0);

    expect(await engine.tick()).toMatchObject({ advanced: 3, queued: 3, left: 0 });
    expect(await engine.tick()).toMatchObject({ advanced: 0, queued: 0, left: 0 });
    expect(await stepRows(store, a.id)).toEqual({ 'Onboarding – Welcome': ['c-0', 'c-1', 'c-2'] });
    expect(started.map((c) => [c.name, c.status])).toEqual([['Onboarding – Welcome', 'sending']]);

    const welcome = store.automations.stepCampaigns(a.id).get('steps[0]')!;
    const rows = store.recipients.list(welcome, { limit: 10, offset: 0 });
    const row = (id: string) => rows.find((r) => r.id === id)!.rowId;
    store.engagement.record({ recipientRowId: row('c-0'), campaignId: welcome, kind: 'open', at: clock.toISOString(), human: true });
    store.engagement.record({ recipientRowId: row('c-1'), campaignId: welcome, kind: 'open', at: clock.toISOString(), human: false });
    store.suppressions.add('p2@example.test', 'p2@example.test', 'unsubscribe');

    later(1.9);
    // The opt-out leaves at once, with its reason, not only when the wait is over.
    expect(await engine.tick()).toMatchObject({ advanced: 0, queued: 0, left: 1 });
    expect(store.automations.getEnrolment(3)).toMatchObject({ status: 'left', leftReason: 'unsubscribe' });
    later(0.1);
    expect(await engine.tick()).toMatchObject({ advanced: 2, queued: 2, left: 0 });
    expect(await stepRows(store, a.id)).toEqual({
      'Onboarding – Welcome': ['c-0', 'c-1', 'c-2'],
      'Onboarding – Thanks': ['c-0'],
      'Onboarding – Reminder': ['c-1'],
    });
    expect(store.automations.counts(a.id)).toMatchObject({ enrolments: { active: 0, done: 2, left: 1 } });
    expect(started).toHaveLength(3);
    expect((await engine.enrol(a.id, [{ module: 'Contacts', id: 'c-9', email: 'P2@example.test' }])).skipped).toEqual([{ id: 'c-9', reason: 'suppressed' }]);
  });

  it('a paused automation holds its targets; resumed, they move on', async () => {
    const { store, engine } = setup();
    const a = store.automations.create({ ...compileAutomation(definition), definition });
    await engine.enrol(a.id, people(2));
    store.automations.setStatus(a.id, ['active'], 'paused');
    expect((await engine.tick()).advanced).toBe(0);
    store.automations.setStatus(a.id, ['paused'], 'active');
    expect((await engine.tick()).advanced).toBe(2);
  });

  it('a tick can be limited to some batches, and says when more targets are due', async () => {
    const { store, engine } = setup();
    const a = store.automations.create({ ...compileAutomation(definition), definition });
    await engine.enrol(a.id, people(5));
    expect(await engine.tick({ maxBatches: 1 })).toEqual({ advanced: 2, queued: 2, left: 0, more: true });
    expect(await engine.tick({ maxBatches: 2 })).toEqual({ advanced: 3, queued: 3, left: 0, more: false });
  });

  it('a crash in the middle of a step rolls the batch back; after a restart nobody gets the step twice', async () => {
    const first = setup();
    const a = first.store.automations.create({ ...compileAutomation(definition), definition });
    await first.engine.enrol(a.id, people(5));
    await first.engine.tick(); // batch size 2: all five get Welcome
    later(2);
    // The process dies while writing the third target's next step (second batch, first target).
    let calls = 0;
    // The store's repos are frozen, so the failing one is a child object with its own insertMany; the engine writes
    // inside its transaction, so the transaction hands out the failing one.
    const failing = <R extends Store['recipients']>(real: R) =>
      Object.defineProperty(Object.create(real) as R, 'insertMany', {
        value: (id: string, ts: Parameters<R['insertMany']>[1]) => {
          if (++calls === 3) throw new Error('power cut');
          return real.insertMany(id, ts);
        },
      });
    const crashing = Object.assign(Object.create(first.store) as Store, {
      recipients: failing(first.store.recipients),
      transaction: ((fn: Parameters<Store['transaction']>[0]) =>
        first.store.transaction((tx) => fn(Object.assign(Object.create(tx), { recipients: failing(tx.recipients) })))) as Store['transaction'],
    });
    await expect((async () => await createAutomationEngine({ store: crashing, now: () => clock, batchSize: 2 }).tick())()).rejects.toThrow(/^power cut$/);
    expect(calls).toBe(3);
    // The first batch (two targets) committed before the crash; the second rolled back whole.
    expect((await stepRows(first.store, a.id))['Onboarding – Reminder']).toEqual(['c-0', 'c-1']);
    first.store.close();

    const second = setup(first.dir);
    await second.engine.tick();
    await second.engine.tick();
    const rows = await stepRows(second.store, a.id);
    expect(rows['Onboarding – Welcome']).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    expect(rows['Onboarding – Reminder']).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    expect(second.store.automations.counts(a.id).enrolments).toEqual({ active: 0, done: 5, left: 0 });
  });
});
