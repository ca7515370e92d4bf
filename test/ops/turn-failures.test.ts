// An operator's trial: through a 37 s PostgreSQL outage each sender logged ~300 error lines (scheduler, A/B tests,
// write-back), one per half-second turn. A loop now warns once when the database becomes unreachable and says how
// long it lasted when a turn succeeds again; any other failure stays an error every time.
import { describe, expect, it } from 'vitest';
import { createSharedBucket } from '../../service/src/coordination/shared-bucket.js';
import { createSharedSlots } from '../../service/src/coordination/shared-slots.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { turnFailures } from '../../service/src/ports/log.js';
import { openStore } from '../../service/src/store/db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const recorder = () => {
  const lines: Array<{ level: string; fields: Record<string, unknown>; event?: string }> = [];
  const at = (level: string) => (fields: object, event?: string) => lines.push({ level, fields: fields as Record<string, unknown>, event });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
};

describe('a loop failing turn after turn', () => {
  it('warns once per outage, then reports its end with the turns it failed', () => {
    const { lines, logger } = recorder();
    const f = turnFailures(logger, 'scheduler.tick_failed');
    f.ok(); // nothing to report before any failure
    for (let i = 0; i < 74; i++) f.failed(new StoreUnavailableError('ECONNREFUSED'));
    f.ok();
    f.ok();
    expect(lines.map((l) => [l.level, l.event])).toEqual([
      ['warn', 'scheduler.tick_failed'],
      ['info', 'scheduler.tick_failed.recovered'],
    ]);
    expect(lines[0].fields).toMatchObject({ outage: true });
    expect(lines[1].fields).toMatchObject({ failedTurns: 74 });
    // A second outage is reported again.
    f.failed(new StoreUnavailableError('ECONNREFUSED'));
    expect(lines.at(-1)).toMatchObject({ level: 'warn', event: 'scheduler.tick_failed' });
  });

  it('keeps every other failure an error, each time', () => {
    const { lines, logger } = recorder();
    const f = turnFailures(logger, 'writeback.loop_failed');
    f.failed(new TypeError('x is undefined'));
    f.failed(new TypeError('x is undefined'));
    expect(lines.map((l) => l.level)).toEqual(['error', 'error']);
    expect(lines[0].fields.err).toBeInstanceOf(TypeError);
  });
});

describe('the shared books through a database outage', () => {
  // A real SQLite store's repositories, failing as PostgreSQL's do while `down`.
  const unlessDown =
    (down: () => boolean) =>
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      if (down()) throw new StoreUnavailableError('ECONNREFUSED');
      return call(...args);
    };

  it('the provider slots and a shared rate warn once per outage and say when it is over', async () => {
    const store = openStore(':memory:');
    let down = false;
    const { lines, logger } = recorder();
    const guard = unlessDown(() => down);
    const repo = { hold: guard(store.providerSlots.hold.bind(store.providerSlots)), release: guard(store.providerSlots.release.bind(store.providerSlots)) };
    const slots = createSharedSlots({ repo, owner: 'p1', ttlMs: 150, logger });
    const rates = { ...store.rates, take: guard(store.rates.take.bind(store.rates)) };
    const bucket = createSharedBucket({ rates, name: 'identity:outage', perSecond: 1000, logger });
    const turns = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
        slots.room('id-1', 'google', 0, 3);
        bucket.take();
      }
    };
    await turns(200);
    down = true;
    await turns(1500); // a heartbeat every 50 ms, a rate refill at least every 500 ms: dozens of failed round trips
    down = false;
    await turns(700);
    await slots.close();
    store.close();
    expect(lines.map((l) => [l.level, l.event]).sort()).toEqual(
      [
        ['warn', 'provider_slots.unreachable'],
        ['info', 'provider_slots.unreachable.recovered'],
        ['warn', 'rate.unreachable'],
        ['info', 'rate.unreachable.recovered'],
      ].sort(),
    );
    expect(lines.find((l) => l.event === 'provider_slots.unreachable.recovered')?.fields.failedTurns).toBeGreaterThan(5);
  });
});
