// Runs the engine's tick on a timer, one tick at a time; `wake` runs one soon (after an enrolment or a resume).
// Several processes on one database: every one ticks, each batch claiming its own due enrolments (the engine); the
// split check and the list refresh each run in the one process holding their lease (kept between runs, taken over
// when that process dies).
import { type LeaseRunner, runAlone } from '../coordination/lease-runner.js';
import { type Log, turnFailures } from '../ports/log.js';
import type { AutomationEngine } from './engine.js';

export function createAutomationRunner(o: {
  engine: AutomationEngine;
  tickMs?: number;
  /** Re-reads enrolment lists so new members enrol; called every `refreshMs`, never two at once. */
  refreshLists?: () => Promise<void>;
  refreshMs?: number;
  /** Chooses split winners whose time has come; run with the ticks, never two at once. */
  checkSplits?: () => Promise<void>;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
  /** Leases, with several processes on one database (absent: every run happens here). */
  leases?: Pick<LeaseRunner, 'run'>;
}) {
  const leases = o.leases ?? runAlone;
  const refreshLists = o.refreshLists;
  const checkSplits = o.checkSplits;
  let timer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  const refresh = () => {
    if (refreshing || stopped || !refreshLists) return refreshing;
    refreshing = leases
      .run('automations:lists', () => refreshLists(), { keep: true })
      .then(async (r) => {
        if (!stopped && r.ran) await run();
      })
      .catch((err) => o.logger?.warn({ err: (err as Error).message }, 'automation.list_refresh_failed'))
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
  let checking: Promise<void> | undefined;
  const check = () => {
    if (checking || stopped || !checkSplits) return;
    checking = leases
      .run('automations:splits', () => checkSplits(), { keep: true })
      .then(() => undefined)
      .catch((err) => o.logger?.error({ err }, 'automation.split_check_failed'))
      .finally(() => {
        checking = undefined;
      });
  };
  let soon: NodeJS.Immediate | undefined;
  let stopped = false;
  const failures = turnFailures(o.logger, 'automation.tick_failed');
  const run = async () => {
    soon = undefined;
    if (stopped) return;
    try {
      const r = await o.engine.tick({ maxBatches: 1 });
      failures.ok();
      if (r.more && !stopped) soon = setImmediate(run);
    } catch (err) {
      // A failed batch rolled back whole; the next tick retries it.
      failures.failed(err);
    }
  };
  return {
    async start() {
      stopped = false;
      await run();
      timer = setInterval(() => {
        check();
        void run();
      }, o.tickMs ?? 1000);
      if (o.refreshLists) {
        void refresh();
        refreshTimer = setInterval(() => void refresh(), o.refreshMs ?? 15 * 60_000);
      }
    },
    wake() {
      if (!soon && !stopped) soon = setImmediate(run);
    },
    /** Reads the lists now (after a create); resolves when done. */
    refreshNow: () => refresh() ?? Promise.resolve(),
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (refreshTimer) clearInterval(refreshTimer);
      if (soon) clearImmediate(soon);
      await refreshing;
      await checking;
    },
  };
}
