// Delivery on worker threads: each thread owns its SMTP pool and signs (inline or on its own RSA
// workers), so building, signing and nodemailer's stream work spread over the cores while the main
// thread keeps the ledger and stays free for HTTP. Rows are spread to the least-loaded thread; every row handed over is answered once,
// by its thread or, if the thread dies, here ('uncertain': it may have left).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Campaign } from '../../domain/types.js';
import type { SenderProfile } from '../../ports/mail.js';
import { type CampaignSession, contextFor, type DataEndMark, type Delivery, MESSAGES_PER_CONNECTION, type RowResult } from '../in-process-delivery.js';
import type { CompiledCampaign, MessageContext, RecipientForMessage } from '../message.js';
import { compileMjml } from '../mjml-compile.js';
import type { CampaignMessageSpec } from '../template.js';
import type { FromThread, ThreadSettings, ToThread } from './protocol.js';

export interface ThreadDeliveryOptions {
  threads: number;
  /** Connections across all threads that the capacity is sized for (each sender's own maxConnections is split likewise). */
  maxConnections: number;
  maxMessagesPerConnection?: number;
  timeoutMs?: number;
  /** A sender's pool on a thread closes after this long without a message. */
  idleMs?: number;
  /** RSA signing workers per send thread; 0 (default) signs on the send thread itself. */
  dkimWorkers?: number;
  /** Read when a campaign opens: the public URL may only be known once the server listens. */
  messageContext: MessageContext;
  /** The main thread's compilation: validates the content and stores its links. */
  compiled: (campaign: Campaign) => Promise<CompiledCampaign>;
  logger?: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
  /** Thread module (file URL); tests wrap the real one. */
  entry?: string;
}

interface Deferred {
  resolve(links: string[]): void;
  reject(e: Error): void;
}
interface Slot {
  worker: Worker;
  rows: Set<number>; // handed to this thread, not answered yet
  unseen: Map<number, number[]>; // batches the thread has not acknowledged: row ids never started
  dotAllowed: Set<number>; // rows whose final dot this thread was allowed to send
  nextBatch: number;
  ready: Map<string, Deferred>;
}
interface OpenCampaign {
  spec: CampaignMessageSpec;
  context: MessageContext;
  sender: SenderProfile;
  onResults: (r: RowResult[]) => void;
  dataEnd?: DataEndMark;
}

const SOURCE_MODE = import.meta.url.endsWith('.ts');
const CRASH_WINDOW_MS = 60_000;
const YOUNG_GENERATION_MB = 12;
const MAX_CRASHES = 5;

export function specOf(c: Campaign): CampaignMessageSpec {
  return { campaignId: c.id, subject: c.subject, fromName: c.fromName, fromEmail: c.fromEmail, replyTo: c.replyTo, mjml: c.mjml, html: c.html };
}

/** Threads get the HTML that MJML made, so they never run MJML themselves (it weighs ~60 MB per thread once loaded). */
async function threadSpec(c: Campaign): Promise<CampaignMessageSpec> {
  const spec = specOf(c);
  if (!spec.mjml?.trim()) return spec;
  const { html } = await compileMjml(spec.mjml);
  // Past the template size limit the HTML would be refused; the thread then compiles the MJML as the main thread did.
  if (!html || html.length > 1_000_000) return spec;
  return { ...spec, mjml: undefined, html };
}

const lost = (text: string): RowResult['result'] => ({ outcome: 'uncertain', text, internal: true });
const notSent = (text: string): RowResult['result'] => ({ outcome: 'retryable', text, internal: true });

export function createThreadDelivery(opts: ThreadDeliveryOptions): Delivery {
  const threads = Math.max(1, opts.threads);
  const connections = Math.max(1, Math.ceil(opts.maxConnections / threads));
  const entry = opts.entry ?? new URL(SOURCE_MODE ? './thread.ts' : './send-thread.mjs', import.meta.url).href;
  // A bundled build ships the thread as its own file next to the service bundle.
  const script = entry.endsWith('.ts') ? new URL('./thread-boot.mjs', import.meta.url) : new URL(entry);
  if (!existsSync(fileURLToPath(script))) {
    throw new Error(`send thread module ${fileURLToPath(script)} is missing; build it, or set LEADFWD_SEND_THREADS=0 to send in-process`);
  }
  const settings: ThreadSettings = {
    entry,
    share: threads,
    maxMessagesPerConnection: opts.maxMessagesPerConnection,
    timeoutMs: opts.timeoutMs,
    idleMs: opts.idleMs,
    dkimWorkers: opts.dkimWorkers ?? 0,
    concurrency: connections * MESSAGES_PER_CONNECTION,
  };
  const slots: Array<Slot | undefined> = [];
  const owner = new Map<number, OpenCampaign>();
  const open = new Map<string, OpenCampaign>();
  const crashes: number[] = [];
  let closing = false;

  const deliver = (results: Map<OpenCampaign, RowResult[]>) => {
    for (const [c, list] of results) c.onResults(list);
  };
  const answer = (rowId: number, result: RowResult, into: Map<OpenCampaign, RowResult[]>) => {
    const c = owner.get(rowId);
    if (!c) return;
    owner.delete(rowId);
    const list = into.get(c);
    if (list) list.push(result);
    else into.set(c, [result]);
  };

  function spawn(index: number): Slot {
    // A small young generation: a send thread's garbage (one message at a time) dies young, and
    // V8's default lets each thread's nursery grow to tens of MB of resident memory.
    const worker = new Worker(script, { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, rows: new Set(), unseen: new Map(), dotAllowed: new Set(), nextBatch: 1, ready: new Map() };
    worker.on('message', (m: FromThread) => {
      switch (m.type) {
        case 'results': {
          const out = new Map<OpenCampaign, RowResult[]>();
          for (const [rowId, messageId, result] of m.reports) {
            slot.dotAllowed.delete(rowId);
            if (!slot.rows.delete(rowId)) continue;
            answer(rowId, { rowId, messageId, result }, out);
          }
          if (slot.rows.size === 0) worker.unref();
          deliver(out);
          return;
        }
        case 'seen':
          slot.unseen.delete(m.batch);
          return;
        case 'data-end':
          void allowDots(slot, m.rows);
          return;
        case 'dying':
          opts.logger?.error({ thread: index, err: m.error }, 'send_thread.crashed');
          replace(index, slot);
          return;
        case 'ready':
          slot.ready.get(m.campaignId)?.resolve(m.links);
          slot.ready.delete(m.campaignId);
          return;
        case 'campaign-failed':
          slot.ready.get(m.campaignId)?.reject(new Error(m.error));
          slot.ready.delete(m.campaignId);
          return;
        case 'log':
          opts.logger?.[m.level](m.obj, m.msg);
          return;
        case 'closed':
          return;
      }
    });
    worker.on('error', (err) => opts.logger?.error({ err, thread: index }, 'send_thread.error'));
    worker.on('exit', (code) => {
      const out = new Map<OpenCampaign, RowResult[]>();
      const neverSeen = new Set([...slot.unseen.values()].flat());
      for (const rowId of slot.rows) {
        // A gated message whose dot was never allowed ended with the thread's connections, before the server could take it.
        const result = neverSeen.has(rowId)
          ? notSent(`send thread exited (code ${code}) before it received the message`)
          : owner.get(rowId)?.dataEnd && !slot.dotAllowed.has(rowId)
            ? notSent(`send thread exited (code ${code}) before the message's final dot`)
            : lost(`send thread exited (code ${code}) while the message was in its hands`);
        answer(rowId, { rowId, result }, out);
      }
      slot.rows.clear();
      slot.dotAllowed.clear();
      for (const d of slot.ready.values()) d.reject(new Error(`send thread exited (code ${code}) while compiling the campaign`));
      slot.ready.clear();
      deliver(out);
      if (closing) return;
      if (slots[index] === slot) opts.logger?.error({ thread: index, code }, 'send_thread.exited');
      replace(index, slot);
    });
    worker.unref();
    return slot;
  }

  /** A thread is gone or going: a fresh one takes its place, unless threads keep dying. */
  function replace(index: number, dead: Slot) {
    if (slots[index] !== dead || closing) return;
    slots[index] = undefined;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES) {
      opts.logger?.error({ thread: index, crashes: crashes.length }, 'send_thread.not_restarted');
      return;
    }
    const fresh = spawn(index);
    slots[index] = fresh;
    for (const c of open.values()) post(fresh, { type: 'campaign', spec: c.spec, context: c.context, sender: c.sender, dataEnd: c.dataEnd !== undefined });
  }

  const post = (slot: Slot, m: ToThread) => slot.worker.postMessage(m);

  /** Records the rows' end of DATA marks (each campaign's send loop group-commits them), then lets their dots go. */
  async function allowDots(slot: Slot, rows: number[]) {
    const answers = await Promise.all(
      rows.map(async (rowId) => {
        const mark = owner.get(rowId)?.dataEnd;
        const ok = mark ? await mark(rowId).catch(() => false) : false;
        if (ok) slot.dotAllowed.add(rowId);
        return [rowId, ok] as const;
      }),
    );
    if (!slots.includes(slot)) return; // the thread is gone; its rows were answered at its exit
    post(slot, { type: 'data-end', go: answers.filter(([, ok]) => ok).map(([id]) => id), stop: answers.filter(([, ok]) => !ok).map(([id]) => id) });
  }

  function openOn(slot: Slot, c: OpenCampaign): Promise<string[]> {
    const links = new Promise<string[]>((resolve, reject) => slot.ready.set(c.spec.campaignId, { resolve, reject }));
    post(slot, { type: 'campaign', spec: c.spec, context: c.context, sender: c.sender, dataEnd: c.dataEnd !== undefined });
    return links;
  }

  for (let i = 0; i < threads; i++) slots[i] = spawn(i);

  return {
    // What the threads work on at once (building, signing, on the wire), and no queue behind it: a row is marked
    // 'sending' only when it is handed over, so one waiting in a thread's queue would be 'uncertain' after a crash.
    // The send loop keeps the next turn reserved in memory instead.
    capacity: threads * settings.concurrency,

    async open(campaign, sender, onResults, dataEnd?: DataEndMark): Promise<CampaignSession> {
      const compiled = await opts.compiled(campaign);
      const c: OpenCampaign = { spec: await threadSpec(campaign), context: contextFor(opts.messageContext, sender), sender, onResults, dataEnd };
      open.set(campaign.id, c);
      try {
        const live = slots.filter((s): s is Slot => s !== undefined);
        if (!live.length) throw new Error('no send thread is running');
        for (const links of await Promise.all(live.map((s) => openOn(s, c)))) {
          // Click tokens carry a link index; every thread must number the links as the ledger does.
          if (links.length !== compiled.links.length || links.some((l, i) => l !== compiled.links[i])) {
            throw new Error('a send thread compiled the campaign to different links');
          }
        }
      } catch (e) {
        open.delete(campaign.id);
        throw e;
      }
      return {
        send(rows: RecipientForMessage[]) {
          const live = slots.filter((s): s is Slot => s !== undefined);
          const batches = new Map<Slot, RecipientForMessage[]>();
          const refused = new Map<OpenCampaign, RowResult[]>();
          for (const row of rows) {
            owner.set(row.rowId, c);
            if (!live.length) {
              answer(row.rowId, { rowId: row.rowId, result: notSent('no send thread is running') }, refused);
              continue;
            }
            let best = live[0];
            for (const s of live) if (s.rows.size < best.rows.size) best = s;
            best.rows.add(row.rowId);
            const batch = batches.get(best);
            if (batch) batch.push(row);
            else batches.set(best, [row]);
          }
          for (const [slot, batch] of batches) {
            slot.worker.ref(); // answers are owed: keep the process alive for them
            const id = slot.nextBatch++;
            slot.unseen.set(
              id,
              batch.map((r) => r.rowId),
            );
            post(slot, { type: 'send', batch: id, campaignId: c.spec.campaignId, rows: batch });
          }
          deliver(refused);
        },
        close() {
          open.delete(campaign.id);
          for (const s of slots) if (s) post(s, { type: 'forget', campaignId: campaign.id });
        },
      };
    },

    async close() {
      closing = true;
      await Promise.all(
        slots.map(async (slot) => {
          if (!slot) return;
          const closed = new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            slot.worker.on('message', (m: FromThread) => {
              if (m.type === 'closed') {
                clearTimeout(timer);
                resolve();
              }
            });
            slot.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          });
          slot.worker.ref();
          post(slot, { type: 'close' });
          await closed;
          await slot.worker.terminate();
        }),
      );
    },
  };
}
