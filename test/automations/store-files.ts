// A SQLite store file per test for the automation tests: open(dir) again on the same directory plays a restart;
// after each test every store is closed and its directory removed.
import { afterEach } from 'vitest';
import { openStore } from '../../service/src/store/db.js';
import { tempDir } from '../store/helpers.js';

export function useStoreFiles(clock: () => Date): (dir?: string) => { store: ReturnType<typeof openStore>; dir: string } {
  let cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups) c();
    cleanups = [];
  });
  return (dir) => {
    const d =
      dir ??
      (() => {
        const t = tempDir();
        cleanups.push(t.cleanup);
        return t.dir;
      })();
    const store = openStore(`${d}/leadfwd.db`, { clock });
    cleanups.unshift(() => store.close());
    return { store, dir: d };
  };
}
