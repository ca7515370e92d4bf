// Writes a batch of activity rows to Sugar: an optional read of the targets' addresses, then the
// CampaignLog rows and flags of every row together in as few POST /bulk calls as fit. Each row gets
// its own verdict, so one refused write never holds back the others.
import type { SugarEmailEntry, SugarOp } from '../domain/writeback.js';
import type { WrittenLogRow } from '../ports/index.js';
import type { RowPlan } from './plan.js';
import { callErrorMessage, isTransientCallError, type Send } from './send.js';

export type RowOutcome =
  | { id: number; kind: 'done'; written: WrittenLogRow[]; note?: string }
  | { id: number; kind: 'dead'; error: string }
  | { id: number; kind: 'retry'; error: string };

export interface BatchResult {
  outcomes: RowOutcome[];
  outage: boolean;
}

interface ReadResult {
  emails?: SugarEmailEntry[];
  error?: string;
  transient?: string;
}

const readKey = (r: { module: string; recordId: string }) => `${r.module}/${r.recordId}`;

async function readTargets(plans: RowPlan[], send: Send): Promise<{ reads: Map<string, ReadResult>; outage?: string }> {
  const keys = [...new Map(plans.filter((p) => p.read).map((p) => [readKey(p.read!), p.read!])).values()];
  const reads = new Map<string, ReadResult>();
  if (keys.length === 0) return { reads };
  const ops: SugarOp[] = keys.map((k) => ({
    method: 'GET',
    path: `/${encodeURIComponent(k.module)}/${encodeURIComponent(k.recordId)}?fields=email`,
    what: `read ${k.module}/${k.recordId}`,
  }));
  try {
    const results = await send(ops);
    results.forEach((r, i) => {
      const key = readKey(keys[i]);
      if (r.verdict.ok) {
        const email = (r.contents as { email?: unknown }).email;
        reads.set(key, Array.isArray(email) ? { emails: email as SugarEmailEntry[] } : { transient: `read ${key}: answer without an email array` });
      } else {
        reads.set(key, r.verdict.permanent ? { error: r.verdict.message } : { transient: r.verdict.message });
      }
    });
    return { reads };
  } catch (e) {
    if (isTransientCallError(e)) return { reads, outage: callErrorMessage(e) };
    for (const k of keys) reads.set(readKey(k), { error: callErrorMessage(e) });
    return { reads };
  }
}

/** Groups plans so each group's ops fit in one bulk call (a plan larger than that travels alone). */
function groups(plans: RowPlan[], max: number): RowPlan[][] {
  const out: RowPlan[][] = [];
  let cur: RowPlan[] = [];
  let size = 0;
  for (const p of plans) {
    if (cur.length && size + p.ops.length > max) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(p);
    size += p.ops.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

async function writeGroup(plans: RowPlan[], send: Send): Promise<BatchResult> {
  const ops = plans.flatMap((p) => p.ops);
  try {
    const results = await send(ops);
    let i = 0;
    const outcomes = plans.map((p): RowOutcome => {
      const mine = results.slice(i, i + p.ops.length);
      i += p.ops.length;
      const failed = mine.map((r) => r.verdict).filter((v) => !v.ok) as Array<{ ok: false; permanent: boolean; message: string }>;
      const permanent = failed.filter((v) => v.permanent);
      if (permanent.length) return { id: p.claim.id, kind: 'dead', error: permanent.map((v) => v.message).join('; ') };
      if (failed.length) return { id: p.claim.id, kind: 'retry', error: failed.map((v) => v.message).join('; ') };
      // A replayed create left whatever hits the lost attempt wrote: unknown, so the hits sync sets them.
      const replayed = mine.some((r) => r.verdict.ok && r.verdict.existed);
      const written = replayed ? p.written.map((w) => (w.hits === undefined ? w : { ...w, hits: -1 })) : p.written;
      return { id: p.claim.id, kind: 'done', written, note: p.note };
    });
    return { outcomes, outage: false };
  } catch (e) {
    const message = callErrorMessage(e);
    if (isTransientCallError(e)) return { outcomes: plans.map((p) => ({ id: p.claim.id, kind: 'retry', error: message })), outage: true };
    // Sugar refused the call as a whole: find the row it is about by sending each alone.
    if (plans.length === 1) return { outcomes: [{ id: plans[0].claim.id, kind: 'dead', error: message }], outage: false };
    const alone: BatchResult[] = [];
    for (const p of plans) alone.push(await writeGroup([p], send));
    return { outcomes: alone.flatMap((r) => r.outcomes), outage: alone.some((r) => r.outage) };
  }
}

export async function writeActivity(plans: RowPlan[], send: Send, bulkMax: number): Promise<BatchResult> {
  const outcomes: RowOutcome[] = [];
  const { reads, outage: readOutage } = await readTargets(plans, send);
  const ready: RowPlan[] = [];
  for (const p of plans) {
    if (!p.read) {
      ready.push(p);
      continue;
    }
    const r = readOutage ? { transient: readOutage } : (reads.get(readKey(p.read)) ?? { transient: 'target not read' });
    if (r.transient) {
      outcomes.push({ id: p.claim.id, kind: 'retry', error: r.transient });
      continue;
    }
    const more = p.afterRead!(r.emails, r.error);
    ready.push({ ...p, ops: [...p.ops, ...more.ops], note: more.note ?? p.note });
  }
  let outage = !!readOutage;
  for (const g of groups(ready, bulkMax)) {
    const res = await writeGroup(g, send);
    outcomes.push(...res.outcomes);
    outage ||= res.outage;
  }
  return { outcomes, outage };
}
