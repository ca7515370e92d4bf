// Stopping an automation closes its step campaigns: the scheduler finishes one once nothing is queued or sending in it.
// A tick of another process may be putting people on a step at that moment, its ledger rows not yet committed, so
// the scheduler saw nothing queued, finished the campaign, and those rows then sat queued in a sent campaign for ever
// (never sent, never resolved, the step counted as passed). Each batch now reads its automations FOR SHARE before it
// puts anyone on a step: a stop waits for those batches, and a batch reading after the stop leaves its people alone.
// Found by a concurrency review, 2026-12-06 (a first fix under the progress lock missed people enrolled meanwhile).
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../service/src/access/actor.js';
import { createAutomationEngine } from '../../service/src/automations/engine.js';
import { createAutomationService } from '../../service/src/automations/service.js';
import { finishSending } from '../../service/src/campaigns/scheduler.js';
import { compileAutomation } from '../../service/src/domain/automation.js';
import type { Store } from '../../service/src/ports/index.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';

const definition = {
  name: 'Drip',
  targetListIds: [],
  steps: [{ id: 'one', type: 'send_email', name: 'One', subject: 'One', fromName: 'Acme', fromEmail: 'news@acme.test', html: '<p>One</p>' }],
};
const operator: Actor = { kind: 'operator', sugar: {} as Actor['sugar'] };

/** `t` with some members replaced; an empty target, since the store's repositories are frozen. */
const overriding = <T extends object>(t: T, over: Record<string, unknown>): T =>
  new Proxy({} as T, {
    get(_, k) {
      if (typeof k === 'string' && k in over) return over[k];
      const v = Reflect.get(t, k);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });

/** `store` whose transactions hold at the engine's `at` call (saveProgress: its step's ledger row inserted) until `release`. */
function heldAt(store: Store, at: 'saveProgress' | 'get' = 'saveProgress') {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const atProgress = new Promise<void>((r) => (reached = r));
  const held = overriding(store, {
    transaction: (fn: (tx: Store) => Promise<unknown>) =>
      store.transaction(async (tx) => {
        const held = async (...args: unknown[]) => {
          reached();
          await gate;
          return await (tx.automations[at] as (...a: unknown[]) => unknown)(...args);
        };
        return await fn(overriding(tx as Store, { automations: overriding(tx.automations, { [at]: held }) }));
      }),
  });
  return { held, release, atProgress };
}

describe.skipIf(!debianPgBin())('stopping an automation while a tick of another process puts people on a step (PostgreSQL)', () => {
  const { stores } = useProcessStores('automation_stop', { owners: ['api', 'ticker'], poolSize: 3 });
  /** The API process's engine and automation service, and a new automation of one step. */
  const oneAutomation = async () => {
    const [api, tickerStore] = stores as unknown as Store[];
    const engine = createAutomationEngine({ store: api });
    const service = createAutomationService({
      store: api,
      engine,
      senders: { forSending: async () => ({ id: 'x' }) as never },
      compile: async () => ({ baseFieldsRead: [] }),
    });
    const a = await api.automations.create({ ...compileAutomation(definition), definition });
    return { api, tickerStore, engine, service, a };
  };

  it('waits for the batch: its rows are committed before the stop, so the step campaign sends them', async () => {
    const { api, tickerStore, engine, service, a } = await oneAutomation();
    await engine.enrol(a.id, [{ module: 'Contacts', id: 'c-1', email: 'p1@example.test' }]);
    await engine.tick();
    const [stepCampaign] = [...(await api.automations.stepCampaigns(a.id)).values()];
    // p1's row goes out: nothing is left queued or sending in the step campaign.
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const first = await api.recipients.reserve(stepCampaign, 10, now, 'run-1', until);
    await api.recipients.markSending(
      first.map((r) => r.rowId),
      'run-1',
      now,
    );
    await api.recipients.applyOutcomes([{ rowId: first[0].rowId, state: 'accepted' }]);

    await engine.enrol(a.id, [{ module: 'Contacts', id: 'c-2', email: 'p2@example.test' }]);
    const { held, release, atProgress } = heldAt(tickerStore);
    const ticking = createAutomationEngine({ store: held }).tick();
    await atProgress; // p2's row is inserted, not committed

    let stopped = false;
    const stopping = service.stop(a.id, operator).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    expect((await api.automations.get(a.id))?.status).toBe('active');

    release();
    expect((await ticking).queued).toBe(1);
    await stopping;
    expect((await api.automations.get(a.id))?.status).toBe('stopped');
    // The scheduler's finish finds p2's row queued and leaves the campaign sending; the send loop hands it over.
    expect(await finishSending(api, stepCampaign)).toBe(false);
    expect((await api.campaigns.get(stepCampaign))?.status).toBe('sending');
    const second = await api.recipients.reserve(stepCampaign, 10, now, 'run-2', until);
    expect(
      await api.recipients.markSending(
        second.map((r) => r.rowId),
        'run-2',
        now,
      ),
    ).toHaveLength(1);
  }, 60_000);

  it('a batch that reads the automation after the stop leaves its people alone: nothing is put on a step', async () => {
    const { api, tickerStore, engine, service, a } = await oneAutomation();
    await engine.enrol(a.id, [{ module: 'Contacts', id: 'c-3', email: 'p3@example.test' }]);
    // The batch claimed p3 (the automation active then) and waits before reading the automation.
    const { held, release, atProgress } = heldAt(tickerStore, 'get');
    const ticking = createAutomationEngine({ store: held }).tick();
    await atProgress;
    await service.stop(a.id, operator);
    release();
    expect((await ticking).queued).toBe(0);
    expect(await api.automations.stepCampaigns(a.id)).toEqual(new Map());
    expect((await api.automations.counts(a.id)).passed).toEqual({});
  }, 60_000);
});
