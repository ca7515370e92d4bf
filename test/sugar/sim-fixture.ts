// A real simulator on port 0 plus a client whose sleeps are recorded instead of waited,
// so retry tests stay fast and assert the chosen waits rather than the clock.
import type { startSugarSim } from '../../scripts/sugar-sim/server.js';
import { SugarClient, type SugarClientOptions } from '../../service/src/sugar/sugar-client.js';

export type Sim = Awaited<ReturnType<typeof startSugarSim>>;

export interface Harness {
  client: SugarClient;
  waits: number[];
  logs: Array<{ level: string; obj: Record<string, unknown>; msg?: string }>;
}

export function makeClient(sim: Sim, opts: Partial<SugarClientOptions> = {}): Harness {
  const waits: number[] = [];
  const logs: Harness['logs'] = [];
  const client = new SugarClient({
    baseUrl: sim.url,
    username: 'admin',
    password: 'admin',
    platform: 'leadfwd',
    retryBaseMs: 10,
    sleep: async (ms) => {
      waits.push(ms);
    },
    logger: {
      debug: (obj, msg) => logs.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
      warn: (obj, msg) => logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    },
    ...opts,
  });
  return { client, waits, logs };
}

/** HTTP calls the simulator received (bulk sub-requests excluded), as "METHOD /path" without /rest/<version>. */
export function calls(sim: Sim): string[] {
  return sim
    .requests()
    .filter((r) => !r.bulk)
    .map((r) => `${r.method} ${r.path.split('?')[0].replace(/^\/rest\/v[\d_]+/, '')}`);
}

/** Runs fn and returns what it threw (or fails the test when it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await fn();
  } catch (e) {
    return e as Record<string, unknown> & Error;
  }
  throw new Error('expected a rejection');
}
