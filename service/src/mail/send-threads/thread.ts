// One send thread: compiles each campaign once, then builds, DKIM-signs (here, or on this thread's
// RSA workers) and sends the rows the main thread claimed for it over its own pooled SMTP connections.
// It never touches the ledger; every row it is given is answered exactly once.
import { parentPort, workerData } from 'node:worker_threads';
import type { SenderProfile } from '../../ports/mail.js';
import { buildFailure, sendNeverThrowing } from '../in-process-delivery.js';
import { buildMessage, type CompiledCampaign, type MessageContext, type RecipientForMessage } from '../message.js';
import type { SendResult } from '../smtp-transport.js';
import { compileCampaign } from '../template.js';
import { createTransportCache } from '../transport-cache.js';
import type { FromThread, RowReport, ThreadSettings, ToThread } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('send-threads/thread.ts runs only as a worker thread');
const settings = workerData as ThreadSettings;
const post = (m: FromThread) => port.postMessage(m);

// One pool and signer per sender identity, made when its first campaign sends here: a campaign's messages go
// through its own identity's relay and key, never another's.
const transports = createTransportCache({
  share: settings.share,
  maxMessagesPerConnection: settings.maxMessagesPerConnection,
  timeoutMs: settings.timeoutMs,
  dkimWorkers: settings.dkimWorkers,
  idleMs: settings.idleMs,
  logger: { warn: (obj, msg) => post({ type: 'log', level: 'warn', obj, msg: msg ?? '' }) },
});

interface Job {
  campaignId: string;
  row: RecipientForMessage;
}
const campaigns = new Map<string, { compiled: Promise<CompiledCampaign>; context: MessageContext; sender: SenderProfile; dataEnd: boolean }>();
const waiting: Job[] = [];
let waitingAt = 0; // index of the next job; started jobs are cut off the front now and then
const active = new Set<number>();
let closing = false;

// Reports travel in small batches: one message per SMTP reply would cost more than the reply.
// The main thread buffers outcomes for 25 ms anyway, so a few more ms here change nothing.
const REPORT_BATCH = 64;
const REPORT_DELAY_MS = 3;
let reports: RowReport[] = [];
let flushTimer: NodeJS.Timeout | undefined;
function report(r: RowReport) {
  reports.push(r);
  if (reports.length >= REPORT_BATCH) flushReports();
  else flushTimer ??= setTimeout(flushReports, REPORT_DELAY_MS);
}
function flushReports() {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  if (!reports.length) return;
  const batch = reports;
  reports = [];
  post({ type: 'results', reports: batch });
  maybeClosed();
}

// Final dots waiting for the main thread to record their marks; the requests of one turn go as one message.
const dots = new Map<number, (ok: boolean) => void>();
let asking: number[] = [];
function dataEnd(rowId: number): Promise<boolean> {
  if (asking.length === 0) setImmediate(askDots);
  asking.push(rowId);
  return new Promise((resolve) => dots.set(rowId, resolve));
}
function askDots() {
  const rows = asking;
  asking = [];
  post({ type: 'data-end', rows });
}
function answerDots(rows: number[], ok: boolean) {
  for (const rowId of rows) {
    dots.get(rowId)?.(ok);
    dots.delete(rowId);
  }
}

// Our own failures, not the relay's verdict: they must never become bounce facts.
const failed = (text: string, outcome: SendResult['outcome'] = 'permanent'): SendResult => ({ outcome, text: text.slice(0, 500), internal: true });

async function run(job: Job): Promise<void> {
  const campaign = campaigns.get(job.campaignId);
  if (!campaign) return report([job.row.rowId, undefined, failed('campaign was not opened on this send thread', 'retryable')]);
  let compiled: CompiledCampaign;
  try {
    compiled = await campaign.compiled;
  } catch (e) {
    return report([job.row.rowId, undefined, failed(`campaign could not be compiled: ${(e as Error).message}`, 'retryable')]);
  }
  let msg: ReturnType<typeof buildMessage>;
  try {
    msg = buildMessage(compiled, job.row, campaign.context);
  } catch (e) {
    return report([job.row.rowId, undefined, buildFailure(e)]);
  }
  let transport: ReturnType<typeof transports.get>;
  try {
    transport = transports.get(campaign.sender);
  } catch (e) {
    // A key or relay that cannot be used: nothing left, so the row may be tried again once it is fixed.
    return report([job.row.rowId, undefined, failed(`the sender identity cannot send: ${(e as Error).message}`, 'retryable')]);
  }
  const gate = campaign.dataEnd ? () => dataEnd(job.row.rowId) : undefined;
  report([job.row.rowId, msg.messageId, await sendNeverThrowing(transport, msg, gate)]);
}

function pump() {
  while (active.size < settings.concurrency && waitingAt < waiting.length) {
    const job = waiting[waitingAt++];
    active.add(job.row.rowId);
    void run(job).finally(() => {
      active.delete(job.row.rowId);
      pump();
    });
  }
  // The main thread refills before the queue drains, so it may never be empty: cut it instead,
  // or every job ever queued would stay reachable.
  if (waitingAt >= 256 || waitingAt === waiting.length) {
    waiting.splice(0, waitingAt);
    waitingAt = 0;
  }
}

function maybeClosed() {
  if (!closing || active.size || waitingAt < waiting.length || reports.length) return;
  transports.close();
  post({ type: 'closed' });
  port!.close();
}

port.on('message', (m: ToThread) => {
  switch (m.type) {
    case 'campaign': {
      const known = campaigns.get(m.spec.campaignId);
      if (known) {
        known.context = m.context;
        known.sender = m.sender;
        known.dataEnd = m.dataEnd;
      } else {
        const compiled = compileCampaign(m.spec);
        campaigns.set(m.spec.campaignId, { compiled, context: m.context, sender: m.sender, dataEnd: m.dataEnd });
      }
      campaigns.get(m.spec.campaignId)!.compiled.then(
        (c) => post({ type: 'ready', campaignId: m.spec.campaignId, links: c.links }),
        (e: Error) => post({ type: 'campaign-failed', campaignId: m.spec.campaignId, error: e.message }),
      );
      return;
    }
    case 'send':
      post({ type: 'seen', batch: m.batch });
      for (const row of m.rows) waiting.push({ campaignId: m.campaignId, row });
      pump();
      return;
    case 'data-end':
      answerDots(m.go, true);
      answerDots(m.stop, false);
      return;
    case 'forget':
      campaigns.delete(m.campaignId);
      return;
    case 'close':
      closing = true;
      maybeClosed();
      return;
  }
});

// A bug that escapes every handler: rows not started yet are safe to send again later, rows on
// the wire are not. Report both before dying so none of them stays silently 'sending'.
process.on('uncaughtException', (err) => {
  const reported = new Set(reports.map((r) => r[0]));
  const onWire = [...active]
    .filter((rowId) => !reported.has(rowId))
    .map((rowId): RowReport => [rowId, undefined, failed(`send thread failed while sending: ${err.message}`, 'uncertain')]);
  const notStarted = waiting
    .slice(waitingAt)
    .map((j): RowReport => [j.row.rowId, undefined, failed(`send thread failed before sending: ${err.message}`, 'retryable')]);
  post({ type: 'dying', error: String(err.stack ?? err.message) });
  post({ type: 'results', reports: [...reports, ...onWire, ...notStarted] });
  process.exit(1);
});
