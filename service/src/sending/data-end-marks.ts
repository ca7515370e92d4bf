// The end of DATA marks of one send loop, group-committed: the marks asked for in one turn of the event loop, and all
// those asked for while a write is in flight, go in the next single statement. No timer: a mark waits at most for the
// write before it, so a message's final dot is held up by about one commit.
import type { DataEndMark } from '../ports/delivery.js';

export interface DataEndMarkOptions {
  /** A write that fails (the database is away: a restart, a failover) is tried again this often, this many times. */
  retryMs?: number;
  attempts?: number;
  onError?: (err: unknown, rows: number) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createDataEndMarks(write: (rowIds: number[]) => Promise<number[]> | number[], o: DataEndMarkOptions = {}): DataEndMark {
  // 40 × 500 ms: the dots wait through a database restart, well inside the relay's and our socket's timeouts.
  const retryMs = o.retryMs ?? 500;
  const attempts = o.attempts ?? 40;
  let gathering = new Map<number, (ok: boolean) => void>();
  let writing = false;
  let scheduled = false;

  async function marked(rowIds: number[]): Promise<Set<number>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return new Set(await write(rowIds));
      } catch (err) {
        o.onError?.(err, rowIds.length);
        // Not recorded: these dots stay unsent and their messages go again later, never on a mark that may be missing.
        if (attempt >= attempts) return new Set();
        await sleep(retryMs);
      }
    }
  }

  async function commit() {
    scheduled = false;
    if (writing || gathering.size === 0) return;
    writing = true;
    const batch = gathering;
    gathering = new Map();
    const ok = await marked([...batch.keys()]);
    writing = false;
    for (const [rowId, done] of batch) done(ok.has(rowId));
    if (gathering.size) void commit();
  }

  return (rowId) =>
    new Promise<boolean>((resolve) => {
      gathering.get(rowId)?.(false); // asked twice: the older ask is answered no
      gathering.set(rowId, resolve);
      if (!writing && !scheduled) {
        scheduled = true;
        setImmediate(commit);
      }
    });
}
