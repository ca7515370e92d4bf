// A store that answers every call as an unreachable database does until it is opened. A tracking process started
// while PostgreSQL was down (composition.ts) runs on it: its recorders spool, its redirects come from the tracked
// links, /readyz says why, and nothing reads or writes the database before the start-up checks (schema version,
// secret) have passed there. Calls fail at once, so no request waits out a connection timeout meanwhile.
import { StoreUnavailableError } from '../ports/errors.js';

const KEEP = new Set(['close', 'path', 'then', 'onUnavailable']);

export function gatedStore<T extends object>(store: T, detail: string): { store: T; open(): void } {
  let opened = false;
  const closed = () => new StoreUnavailableError('STARTING', { detail });
  const wrapped = new Map<object, object>();
  // An empty target: a proxy may not answer other values than a frozen repository holds.
  const gate = <U extends object>(real: U, top: boolean): U =>
    new Proxy({} as U, {
      get(_, key) {
        const v = Reflect.get(real, key);
        // Once open, the real thing (the pixel's hot path pays nothing); a repository taken before still asks the gate.
        if (top && (opened || (typeof key === 'string' && KEEP.has(key)))) return typeof v === 'function' ? v.bind(real) : v;
        if (typeof v === 'object' && v !== null) {
          if (!wrapped.has(v)) wrapped.set(v, gate(v, false));
          return wrapped.get(v);
        }
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => (opened ? v.apply(real, args) : Promise.reject(closed()));
      },
    });
  return {
    store: gate(store, true),
    open: () => {
      opened = true;
    },
  };
}
