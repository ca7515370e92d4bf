// Runs the engine's tick on a timer, one tick at a time; `wake` runs one soon (after an enrolment or a resume).
import type { AutomationEngine } from './engine.js';

export function createAutomationRunner(o: {
  engine: AutomationEngine; tickMs?: number;
  logger?: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
}) {
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Immediate | undefined;
  let stopped = false;
  const run = () => {
    soon = undefined;
    if (stopped) return;
    try {
      if (o.engine.tick({ maxBatches: 1 }).more) soon = setImmediate(run);
    } catch (err) {
      // A failed batch rolled back whole; the next tick retries it.
      o.logger?.error({ err }, 'automation.tick_failed');
    }
  };
  return {
    start() { stopped = false; run(); timer = setInterval(run, o.tickMs ?? 1000); },
    wake() { if (!soon && !stopped) soon = setImmediate(run); },
    stop() { stopped = true; if (timer) clearInterval(timer); if (soon) clearImmediate(soon); },
  };
}
