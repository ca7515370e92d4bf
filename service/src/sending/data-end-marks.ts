// The end of DATA marks of one send loop, group-committed: the marks asked for in one turn of the event loop, and all
// those asked for while a write is in flight, go in the next single statement. No timer: a mark waits at most for the
// write before it, so a message's final dot is held up by about one commit.
import type { DataEndMark } from '../ports/delivery.js';

export function createDataEndMarks(write: (rowIds: number[]) => Promise<number[]> | number[], onError?: (err: unknown, rows: number) => void): DataEndMark {
  let gathering = new Map<number, (ok: boolean) => void>();
  let writing = false;
  let scheduled = false;

  async function commit() {
    scheduled = false;
    if (writing || gathering.size === 0) return;
    writing = true;
    const batch = gathering;
    gathering = new Map();
    let marked = new Set<number>();
    try {
      marked = new Set(await write([...batch.keys()]));
    } catch (err) {
      // Not recorded: these dots stay unsent and their messages go again later, never on a mark that may be missing.
      onError?.(err, batch.size);
    }
    writing = false;
    for (const [rowId, done] of batch) done(marked.has(rowId));
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
