// A process whose lease ran out through a database outage is taken for dead while it still has messages on the wire:
// the orphan recovery makes its marked rows uncertain and queues the others again, and another process may take
// those. Its verdicts arrive afterwards. Two stores on one database stand for the two processes, on each adapter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveUncertain } from '../../service/src/campaigns/uncertain.js';
import { ANSWER_GRACE_MS } from '../../service/src/domain/uncertain.js';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { manualClock, newCampaign, targets, toSending } from '../store/helpers.js';
import { debianPgBin, type PgServer, startPostgres } from '../support/postgres.js';

type Opener = (owner: string, clock: () => Date) => Promise<Store>;

let pg: Promise<PgServer> | undefined;
let schemas = 0;
const folders: string[] = [];
afterAll(async () => {
  if (pg) await (await pg).destroy();
  for (const d of folders) rmSync(d, { recursive: true, force: true });
});

const sqlite = (): Opener => {
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-late-'));
  folders.push(dir);
  return async (owner, clock) => openStore(join(dir, 'leadfwd.sqlite'), { owner, clock });
};
const postgres = (): Opener => {
  const schema = `late${process.pid}_${++schemas}`;
  return async (owner, clock) => {
    pg ??= startPostgres();
    return (await openPgStore((await pg).url, { owner, clock, schema, poolSize: 2 })) as unknown as Store;
  };
};

const adapters: Array<[string, () => Opener]> = debianPgBin()
  ? [
      ['sqlite', sqlite],
      ['postgres', postgres],
    ]
  : [['sqlite', sqlite]];

describe.each(adapters)('late verdicts of a process taken for dead (%s)', (_name, opener) => {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  /** p1 has three rows on the wire, the first with its end of DATA marked, when its lease runs out and p2 recovers. */
  async function p1TakenForDead() {
    const clock = manualClock();
    const open = opener();
    const p1 = await open('p1', clock.now);
    const p2 = await open('p2', clock.now);
    opened.push(p1, p2);
    await p1.campaigns.create(newCampaign(), 'c');
    await toSending(p1, 'c');
    await p1.recipients.insertMany('c', targets(3));
    await p1.leases.acquire('process:p1', 'p1', 5_000);
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    const rows = (await p1.recipients.reserve('c', 3, clock.iso(), 'loop-1', until)).map((r) => r.rowId);
    expect(await p1.recipients.markSending(rows, 'loop-1', clock.iso(), { dataEndMark: true })).toEqual(rows);
    expect(await p1.recipients.markDataEnd([rows[0]], clock.iso())).toEqual([rows[0]]);
    clock.advance(5_001);
    await p2.leases.acquire('process:p2', 'p2', 60_000);
    expect(await p2.recipients.recoverOrphaned()).toBe(1);
    return { clock, p1, p2, rows };
  }

  it('lands on the row the recovery made uncertain, so nobody has to resolve it by hand', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    const dot = new Date(clock.now().getTime() - 5_001).toISOString();
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
    clock.advance(60_000); // the verdict waited in memory through the outage
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[0], state: 'accepted', messageId: '<m0@x>' }])).toEqual([rows[0]]);
    // Accepted when its final dot went, not when the verdict could be written: engagement timing reads it.
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'accepted', messageId: '<m0@x>', acceptedAt: dot });
    expect(await p1.recipients.counts('c')).toMatchObject({ accepted: 1, uncertain: 0, queued: 2 });
  });

  it("leaves a late 'try again' uncertain: its campaign may have finished meanwhile, and a queued row would never go", async () => {
    const { p1, rows } = await p1TakenForDead();
    const retry = '2026-03-01T09:00:00.000Z';
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[0], state: 'queued', error: '451 try later', retryAt: retry }])).toEqual([]);
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[0], state: 'uncertain', error: 'connection lost' }])).toEqual([]);
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
    // A relay's refusal, late, lands (each send has one verdict: another row taken for dead the same way).
    const again = await p1TakenForDead();
    expect(await again.p1.recipients.applyOutcomes([{ rowId: again.rows[0], state: 'failed', error: '550 no such user' }])).toEqual([again.rows[0]]);
  });

  it('changes nothing on a row another process has taken since, whatever the verdict', async () => {
    const { clock, p1, p2, rows } = await p1TakenForDead();
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    const taken = (await p2.recipients.reserve('c', 3, clock.iso(), 'loop-2', until)).map((r) => r.rowId);
    expect(taken).toEqual([rows[1], rows[2]]);
    expect(await p2.recipients.markSending(taken, 'loop-2', clock.iso(), { dataEndMark: true })).toEqual(taken);
    // p1's dots for these were never allowed: its own verdicts say "not sent, try again", or the relay's 4xx.
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[1], state: 'queued', error: 'EDATAEND' }])).toEqual([]);
    expect(await p1.recipients.defer([rows[2]], clock.iso(), 'throttled')).toBe(0);
    expect(await p1.recipients.release([rows[2]])).toBe(0);
    expect(await p1.recipients.markDataEnd(taken, clock.iso())).toEqual([]);
    expect(await p1.recipients.counts('c')).toMatchObject({ sending: 2, queued: 0 });
    // p2's own verdicts land.
    expect(await p2.recipients.markDataEnd(taken, clock.iso())).toEqual(taken);
    expect(await p2.recipients.applyOutcomes(taken.map((rowId) => ({ rowId, state: 'accepted' as const })))).toEqual(taken);
    expect(await p2.recipients.counts('c')).toMatchObject({ accepted: 2, uncertain: 1 });
  });

  it('leaves a row an operator resolved as the operator decided', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    clock.advance(ANSWER_GRACE_MS); // long enough after p1 was last seen to send it again
    expect(await p1.recipients.resolveUncertain('c', [rows[0]], 'resend', undefined, clock.iso())).toEqual([rows[0]]);
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[0], state: 'accepted' }])).toEqual([]);
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'queued' });
  });

  // An attacker review: a resend while p1 still ran overwrote the row's mark, so p1's late "accepted" was ignored and
  // the message went twice. A later review: the same while p1 was only cut off from the database (its lease run out,
  // not yet renewed), still waiting for the relay's answer to its dot.
  it('sends a row again only 10 minutes after the process that may still answer it was last seen', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([]); // cut off, not dead
    expect(await p1.leases.acquire('process:p1', 'p1', 5_000)).toBeTruthy(); // it ran on: its lease again
    expect(await p1.recipients.resolveUncertain('c', [rows[0]], 'resend', undefined, clock.iso())).toEqual([]);
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([]);
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
    clock.advance(5_001 + ANSWER_GRACE_MS - 1_000); // its lease ran out again, less than 10 minutes ago
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([]);
    clock.advance(1_000); // silent for 10 minutes: its answers, if any, have long come or never will
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([rows[0]]);
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'queued' });
  });

  it('sends a row again at once once its process stopped cleanly (its lease given back)', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    await p1.leases.release('process:p1', 'p1');
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([rows[0]]);
  });

  // A code review: a late "try again" or "uncertain" is not applied, so the process had nothing more to say, yet the
  // resend stayed refused for as long as it ran (days, until a restart).
  it('sends a row again at once after its still-running process answered it late without a verdict', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    await p1.leases.acquire('process:p1', 'p1', 5_000);
    expect(await p1.recipients.applyOutcomes([{ rowId: rows[0], state: 'queued', error: '451 try later', retryAt: clock.iso() }])).toEqual([]);
    expect(await p1.recipients.get(rows[0])).toMatchObject({
      state: 'uncertain',
      lastError: 'still uncertain: its sender answered after the recovery, "451 try later"',
    });
    expect(await p1.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).toEqual([rows[0]]);
  });

  it('tells the operator why a resend changed nothing, and still lets them mark the message accepted', async () => {
    const { clock, p1, rows } = await p1TakenForDead();
    await p1.leases.acquire('process:p1', 'p1', 5_000);
    const deps = { store: p1, campaigns: { allowed: async (id: string) => (await p1.campaigns.get(id))! }, now: clock.now };
    const operator = { kind: 'operator', sugar: {} } as never;
    await expect(resolveUncertain(deps, 'c', { action: 'resend', all: true }, operator)).rejects.toMatchObject({
      code: 'sender_still_running',
      message: expect.stringMatching(/^1 of these messages may still be answered by the process that sent them .*mark them accepted/),
    });
    expect(await resolveUncertain(deps, 'c', { action: 'accepted', rowIds: [rows[0]] }, operator)).toEqual({ action: 'accepted', changed: 1 });
    expect(await p1.recipients.get(rows[0])).toMatchObject({ state: 'accepted' });
  });

  it('does not revive a row the process itself recorded as uncertain', async () => {
    const clock = manualClock();
    const open = opener();
    const p1 = await open('p1', clock.now);
    opened.push(p1);
    await p1.campaigns.create(newCampaign(), 'c');
    await toSending(p1, 'c');
    await p1.recipients.insertMany('c', targets(1));
    const [row] = (await p1.recipients.claim('c', 1, clock.iso())).map((r) => r.rowId);
    expect(await p1.recipients.applyOutcomes([{ rowId: row, state: 'uncertain', error: 'connection lost after the dot' }])).toEqual([row]);
    expect(await p1.recipients.applyOutcomes([{ rowId: row, state: 'accepted' }])).toEqual([]);
    expect(await p1.recipients.get(row)).toMatchObject({ state: 'uncertain' });
  });
});
