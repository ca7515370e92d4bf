// Group commit for the open pixel. Hits read in one event-loop turn (or a few milliseconds, if configured)
// are written in one transaction (one fsync-free WAL commit for hundreds of hits); each request is answered only after
// its batch committed, so an answered pixel is a durable open. On shutdown close() commits what is
// buffered before the store closes, so a SIGTERM under load loses nothing that was answered.
import { type BotRules, classifyOpen } from '../domain/bot-detect.js';
import { outboxItem } from '../domain/outbox.js';
import type { StorePart, UnitOfWork } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import { truncateIp } from './ip.js';
import type { RecipientLookup } from './recipients.js';

export interface OpenHit {
  rowId: number;
  method: string;
  userAgent?: string;
  ip?: string;
  at: Date;
}

/** An open's counter, its raw event and (for a person's first) its outbox item, a batch per transaction. */
export type OpenStore = UnitOfWork & StorePart<{ engagement: 'record'; events: 'add'; outbox: 'enqueue' }>;

export interface OpenRecorderOptions {
  store: OpenStore;
  lookup: RecipientLookup;
  rules: BotRules;
  /** Longest a hit waits for its batch in ms; 0 (default) commits at the end of the event-loop turn that read it. */
  flushMs?: number;
  /** A batch this large commits at once (default 1000). */
  maxBatch?: number;
  /** Raw open events kept per recipient (default 50); the counters count every open past it. */
  maxEventsPerRecipient?: number;
  logger?: Pick<Log, 'error'>;
}

interface Batch {
  hits: OpenHit[];
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined); // callers may ignore the outcome; never an unhandled rejection
  return { hits: [], done, resolve, reject };
}

export function createOpenRecorder(o: OpenRecorderOptions) {
  const flushMs = o.flushMs ?? 0;
  const maxBatch = o.maxBatch ?? 1000;
  const maxEvents = o.maxEventsPerRecipient ?? 50;
  let batch = newBatch();
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let closed = false;
  let recorded = 0;

  async function write(hits: OpenHit[]): Promise<number> {
    let written = 0;
    // Looked up before the transaction: the look-up reads through the store, not through the transaction.
    const rows = await Promise.all(hits.map(async (h) => await o.lookup.get(h.rowId)));
    await o.store.transaction(async (tx) => {
      for (const [i, hit] of hits.entries()) {
        const r = rows[i];
        if (!r) continue; // row gone with its campaign: nothing to attach the open to
        const v = classifyOpen({ method: hit.method, userAgent: hit.userAgent, ip: hit.ip, at: hit.at, acceptedAt: r.acceptedAt }, o.rules);
        const at = hit.at.toISOString();
        const { firstHuman, hits } = await tx.engagement.record({ recipientRowId: r.rowId, campaignId: r.campaignId, kind: 'open', at, human: v.person });
        // Counters stay exact; raw events stop at the cap, so a replayed pixel cannot grow the table without end.
        if (hits <= maxEvents)
          await tx.events.add({
            recipientRowId: r.rowId,
            campaignId: r.campaignId,
            type: 'open',
            at,
            data: { class: v.class, machine: !v.person, reason: v.reason, ip: truncateIp(hit.ip), ua: hit.userAgent?.slice(0, 200) },
          });
        if (firstHuman) await tx.outbox.enqueue(outboxItem.open(r, hit.at, v.class));
        written++;
      }
    });
    return written;
  }

  async function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    const current = batch;
    if (current.hits.length === 0) return;
    batch = newBatch();
    try {
      recorded += await write(current.hits);
      current.resolve();
    } catch (err) {
      o.logger?.error({ err, lost: current.hits.length }, 'tracking.open.write_failed');
      current.reject(err);
    }
  }

  return {
    /** Resolves once the hit is committed; rejects if its batch could not be written. */
    async record(hit: OpenHit): Promise<void> {
      if (closed) return Promise.reject(new Error('open recorder is closed'));
      batch.hits.push(hit);
      const done = batch.done;
      if (batch.hits.length >= maxBatch) await flush();
      // 0: commit once the current event-loop turn has read every request that is ready.
      else if (!timer) timer = flushMs === 0 ? setImmediate(flush) : setTimeout(flush, flushMs);
      return done;
    },
    flush,
    /** Commits what is buffered and refuses further hits. */
    async close(): Promise<void> {
      await flush();
      closed = true;
    },
    stats: () => ({ recorded, buffered: batch.hits.length }),
  };
}

export type OpenRecorder = ReturnType<typeof createOpenRecorder>;
