// Several processes on one PostgreSQL (issue 15): each has its own store (its own pool) and lease runner, as separate
// service processes would. A leased job runs in one of them at a time and is taken over once its holder stops
// renewing; a campaign is extracted once when two schedulers race for it (real extraction from the Sugar simulator),
// and an extraction whose process froze is taken over and finished by the other, each person in the ledger once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { createAutomationRunner } from '../../service/src/automations/runner.js';
import { extractTargets } from '../../service/src/campaigns/extraction.js';
import { createScheduler } from '../../service/src/campaigns/scheduler.js';
import { createLeaseRunner } from '../../service/src/coordination/lease-runner.js';
import type { LeaseRepo, Store } from '../../service/src/ports/index.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { newCampaign } from '../store/helpers.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';

const TTL = 900;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lease repository that can be frozen: a process stuck (or cut off) stops renewing, and its calls fail, or (`hang`)
 * its renewals never answer, as on a pooled connection a network partition holds until TCP gives up.
 */
function freezable(repo: LeaseRepo, how: 'fail' | 'hang' = 'fail') {
  let frozen = false;
  const check = () => {
    if (frozen) throw new Error('this process is cut off from the database');
  };
  const cut: LeaseRepo = {
    acquire: async (...a) => (check(), await repo.acquire(...a)),
    renew: async (...a) => {
      if (frozen && how === 'hang') await new Promise(() => {});
      return (check(), await repo.renew(...a));
    },
    release: async (...a) => (check(), await repo.release(...a)),
    holder: async (...a) => (check(), await repo.holder(...a)),
  };
  return {
    repo: cut,
    freeze: () => {
      frozen = true;
    },
  };
}

describe.skipIf(!debianPgBin())('leases across processes on PostgreSQL', () => {
  let pg: PgServer;
  let sim: SugarSim;
  let n = 0;
  const stores: Store[] = [];
  const open = async (schema: string, owner: string) => {
    const s = await openPgStore(pg.url, { schema, owner, poolSize: 3 });
    stores.push(s as unknown as Store);
    return s as unknown as Store;
  };
  beforeAll(async () => {
    [pg, sim] = await Promise.all([startPostgres(), startSugarSim({ port: 0, seed: 'empty', quiet: true })]);
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await sim?.close();
    await pg?.destroy();
  });

  it.each([
    ['fail', TTL],
    ['hang', TTL],
    ['hang', 1000], // no multiple of 3: the tries 333 ms apart
  ] as const)(
    'runs a leased job in one process at a time; another takes it over only once the holder stopped renewing (renewals that %s, ttl %i ms)',
    async (how, ttlMs) => {
      const schema = `l${++n}`;
      const [a, b] = [await open(schema, 'a'), await open(schema, 'b')];
      const frozenA = freezable(a.leases, how);
      const ra = createLeaseRunner({ leases: frozenA.repo, owner: 'a', ttlMs });
      const rb = createLeaseRunner({ leases: b.leases, owner: 'b', ttlMs });
      let aborted: unknown;
      let abortedAt = Number.POSITIVE_INFINITY;
      const longJob = ra.run('job', async (signal) => {
        // Holds the lease well past its ttl: the heartbeat keeps it.
        for (let i = 0; i < 40 && !signal.aborted; i++) await sleep(50);
        expect(await rb.run('job', async () => 'b ran')).toEqual({ ran: false });
        frozenA.freeze(); // a stops renewing (stuck, cut off, or dead)
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        aborted = signal.reason;
        abortedAt = Date.now();
      });
      // b keeps asking; it gets the lease once a's has expired, and not before.
      const frozenAt: number = await waitFor(async () => ((await b.leases.holder('job'))?.owner === 'a' ? Date.now() : undefined), 'a holds it');
      const taken = await waitFor(
        async () => {
          const r = await rb.run('job', async () => Date.now());
          return r.ran ? r.value : undefined;
        },
        'b takes over',
        10_000,
      );
      await longJob;
      expect(taken - frozenAt).toBeGreaterThanOrEqual(1500); // a held it through its job (2 s, over twice the ttl) first
      expect(String(aborted)).toMatch(/lease job was lost/);
      expect(abortedAt).toBeLessThanOrEqual(taken); // a had stopped before b began
    },
  );

  it("runs the automation runner's list refresh in one process at a time, and its tick in every process (batches claim their enrolments)", async () => {
    const schema = `l${++n}`;
    const ran: Record<string, string[]> = { tick: [], lists: [] };
    const runners = await Promise.all(
      ['a', 'b'].map(async (owner) => {
        const store = await open(schema, owner);
        return createAutomationRunner({
          leases: createLeaseRunner({ leases: store.leases, owner, ttlMs: TTL }),
          tickMs: 50,
          refreshMs: 50,
          engine: { tick: async () => (ran.tick.push(owner), { more: false }) } as never,
          refreshLists: async () => {
            ran.lists.push(owner);
          },
        });
      }),
    );
    await Promise.all(runners.map((r) => r.start()));
    await sleep(1000);
    await Promise.all(runners.map((r) => r.stop()));
    expect(ran.tick.length).toBeGreaterThan(5);
    expect(ran.lists.length).toBeGreaterThan(5);
    expect(new Set(ran.tick)).toEqual(new Set(['a', 'b'])); // test/coordination/automation-claims.test.ts: never one enrolment twice
    expect(new Set(ran.lists).size).toBe(1); // one process refreshed, the other never did
  });

  it('extracts a campaign once when two schedulers race for it, and hands over an extraction whose process froze', async () => {
    const schema = `l${++n}`;
    const people = 600;
    const { listIds } = sim.seedBulk({ lists: 1, perList: people, overlap: 0, optedOutFraction: 0, invalidFraction: 0, missingFraction: 0 });
    const sugar = new SugarClient({ baseUrl: sim.url, apiVersion: 'v11_1', username: 'admin', password: 'admin', platform: 'leadfwd' });
    const running = { now: 0, most: 0, runs: [] as string[] };
    const procs = await Promise.all(
      ['a', 'b'].map(async (owner) => {
        const store = await open(schema, owner);
        const frozen = freezable(store.leases);
        const leases = createLeaseRunner({ leases: frozen.repo, owner, ttlMs: TTL });
        const scheduler = createScheduler({
          store,
          leases,
          tickMs: 100,
          extract: async (c, signal) => {
            running.runs.push(owner);
            running.most = Math.max(running.most, ++running.now);
            try {
              return await extractTargets({ sugar, store, signal, pageSize: 20 }, c);
            } finally {
              running.now--;
            }
          },
          send: async () => 'done',
        });
        return { owner, store, frozen, scheduler, leases };
      }),
    );
    const [a, b] = procs;
    sim.faults.latencyMs = 25; // 30 pages: the extraction takes about a second
    const first = await a.store.campaigns.create(newCampaign({ targetListIds: listIds, customFields: [], sendAt: '2099-01-01T00:00:00.000Z' }));
    await Promise.all(procs.map((p) => p.scheduler.start()));
    await waitFor(async () => (await a.store.campaigns.get(first.id))?.status === 'pending' || undefined, 'extracted', 20_000);
    expect(running.runs).toHaveLength(1); // one extraction, in one of the two
    expect(running.most).toBe(1);
    expect((await a.store.recipients.counts(first.id)).queued).toBe(people);

    // The second campaign: whoever extracts it freezes after its first chunk; the other takes over and finishes it.
    running.runs = [];
    const second = await a.store.campaigns.create(
      newCampaign({ name: 'Second', targetListIds: listIds, customFields: [], sendAt: '2099-01-01T00:00:00.000Z' }),
    );
    await waitFor(async () => (await a.store.recipients.counts(second.id)).queued > 0 || undefined, 'a first chunk', 20_000);
    const holder = running.runs[0] === 'a' ? a : b;
    const other = holder === a ? b : a;
    holder.frozen.freeze();
    await waitFor(async () => (await other.store.campaigns.get(second.id))?.status === 'pending' || undefined, 'taken over and extracted', 20_000);
    expect(running.runs).toEqual([holder.owner, other.owner]);
    expect(running.most).toBe(1); // never two at once: the frozen one stopped before the other began
    const counts = await other.store.recipients.counts(second.id);
    expect(counts.queued).toBe(people); // each person once
    expect(await other.store.campaigns.getAudit(second.id)).toMatchObject({ queued: people, candidates: people });
    sim.faults.latencyMs = 0;
    for (const p of procs) await p.scheduler.stop();
  }, 60_000);
});
