// Two processes running the automations role on one PostgreSQL (issue 15): each has its own store (its own pool) and
// engine, as separate service processes would, and they tick at the same moment over many due enrolments. Each batch
// claims its enrolments in its transaction (FOR UPDATE SKIP LOCKED), so the two share the work, no enrolment is moved
// twice, each step has one campaign however the two race to create it (or, after an edit, to replace it), and each
// person is in each step's ledger (one message each) exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationEngine } from '../../service/src/automations/engine.js';
import { compileAutomation } from '../../service/src/domain/automation.js';
import type { Store } from '../../service/src/ports/index.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';

const N = 400;
const send = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: `<p>${name}</p>` });
const definition = { name: 'Drip', targetListIds: [], steps: [send('One'), { type: 'wait', duration: 'P1D' }, send('Two')] };
const people = Array.from({ length: N }, (_, i) => ({ module: 'Contacts' as const, id: `c-${i}`, email: `p${i}@example.test` }));

describe.skipIf(!debianPgBin())('automation enrolments claimed across processes on PostgreSQL', () => {
  let pg: PgServer;
  const stores: Store[] = [];
  let clock = new Date('2026-11-26T10:00:00.000Z');
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.destroy();
  });
  /** Two processes' stores (each its own pool) on one schema, each with its engine; small batches, so they interleave. */
  const twoProcesses = async (schema: string) => {
    const open = async (owner: string) => {
      const s = (await openPgStore(pg.url, { schema, owner, poolSize: 3, clock: () => clock })) as unknown as Store;
      stores.push(s);
      return s;
    };
    const [a, b] = [await open('a'), await open('b')];
    return { a, engines: [a, b].map((store) => createAutomationEngine({ store, now: () => clock, batchSize: 20 })) };
  };

  it('moves every due enrolment once between two processes ticking at once, each person mailed each step once', async () => {
    const { a, engines } = await twoProcesses('claims');
    const auto = await a.automations.create({ ...compileAutomation(definition), definition });
    expect((await engines[0].enrol(auto.id, people)).enrolled).toBe(N);

    const round = async () => {
      const [ra, rb] = await Promise.all(engines.map((e) => e.tick()));
      // Both took part, and between them every due enrolment was moved once, not once per process.
      expect(ra.advanced).toBeGreaterThan(0);
      expect(rb.advanced).toBeGreaterThan(0);
      expect(ra.advanced + rb.advanced).toBe(N);
      expect(ra.queued + rb.queued).toBe(N);
      expect((await Promise.all(engines.map((e) => e.tick()))).map((r) => r.advanced)).toEqual([0, 0]);
    };
    const ledgers = async () => {
      const out: Record<string, string[]> = {};
      for (const [, campaignId] of await a.automations.stepCampaigns(auto.id)) {
        const c = (await a.campaigns.get(campaignId))!;
        out[c.name] = (await a.recipients.list(campaignId, { limit: 10 * N, offset: 0 })).map((r) => r.id);
      }
      return out;
    };
    const everyone = people.map((p) => p.id).sort();

    await round();
    const afterOne = await ledgers();
    expect(Object.keys(afterOne)).toEqual(['Drip – One']); // one campaign for the step, though both raced to create it
    expect(afterOne['Drip – One'].sort()).toEqual(everyone);

    clock = new Date(clock.getTime() + 86_400_000);
    await round();
    const afterTwo = await ledgers();
    expect(Object.keys(afterTwo).sort()).toEqual(['Drip – One', 'Drip – Two']);
    expect(afterTwo['Drip – One']).toHaveLength(N);
    expect(afterTwo['Drip – Two'].sort()).toEqual(everyone);
    expect(await a.automations.counts(auto.id)).toMatchObject({ enrolments: { active: 0, done: N } });
  }, 60_000);

  it('after an edit of a step that sent, both processes reaching it at once replace its campaign once', async () => {
    const { a, engines } = await twoProcesses('edits');
    const welcome = (subject: string) => ({ name: 'Welcome', targetListIds: [], steps: [{ id: 'hello', ...send('Hello'), subject }] });
    const first = welcome('Hello');
    const auto = await a.automations.create({ ...compileAutomation(first), definition: first });
    const half = N / 2;
    await engines[0].enrol(auto.id, people.slice(0, half));
    await engines[0].tick();
    const stepOf = async () => [...(await a.automations.stepCampaigns(auto.id)).values()];
    const [before] = await stepOf();
    expect(before).toBeDefined();

    const edited = welcome('Hello again');
    expect(await a.automations.update(auto.id, { ...compileAutomation(edited), definition: edited, createdBy: auto.createdBy })).toBe(true);
    await engines[0].enrol(auto.id, people.slice(half));
    await Promise.all(engines.map((e) => e.tick()));

    const [after] = await stepOf();
    expect(after).not.toBe(before);
    expect((await a.campaigns.get(after))?.subject).toBe('Hello again');
    // One edited campaign holds every target that reached the step after the edit; none was left in an orphan.
    const stepCampaigns = (await a.campaigns.list({ limit: 100, offset: 0 })).filter((c) => c.name.startsWith('Welcome – Hello'));
    expect(stepCampaigns.map((c) => c.id).sort()).toEqual([before, after].sort());
    expect((await a.recipients.list(after, { limit: N, offset: 0 })).map((r) => r.id).sort()).toEqual(
      people
        .slice(half)
        .map((p) => p.id)
        .sort(),
    );
  }, 60_000);
});
