// WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever commit
// crosses the threshold, so one pixel batch in a thousand waited for a copy and an fsync: that was the
// tail of the open pixel's latency. A PASSIVE checkpoint from a second connection never blocks writers;
// the main connection only switches its own off while this thread is alive, and back on if it dies.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  /** Stops the thread; its connection closes with it. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  everyMs: number;
  /** Called once if the thread stops on its own: the caller turns automatic checkpoints back on. */
  onDied(reason: string): void;
}

// CommonJS on purpose: an eval'd worker needs no module file next to the bundle.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (e) { if (e.code !== 'SQLITE_BUSY') throw e; }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export function startCheckpointer(path: string, opts: CheckpointerOptions): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { path, driver, everyMs: opts.everyMs } });
  let stopping = false;
  const died = (reason: string) => {
    if (stopping) return;
    stopping = true;
    opts.onDied(reason);
  };
  const exited = new Promise<void>((resolve) => {
    // A SqliteError arrives from the thread as a bare { code } object.
    worker.once('error', (e: { message?: string; code?: string }) => died(e.message ?? `checkpoint thread failed: ${e.code ?? String(e)}`));
    worker.once('exit', (code) => {
      died(`checkpoint thread exited with code ${code}`);
      resolve();
    });
  });
  worker.unref();
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      return exited;
    },
  };
}
