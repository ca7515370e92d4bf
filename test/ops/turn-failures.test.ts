// An operator's trial: through a 37 s PostgreSQL outage each sender logged ~300 error lines (scheduler, A/B tests,
// write-back), one per half-second turn. A loop now warns once when the database becomes unreachable and says how
// long it lasted when a turn succeeds again; any other failure stays an error every time.
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { turnFailures } from '../../service/src/ports/log.js';

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
