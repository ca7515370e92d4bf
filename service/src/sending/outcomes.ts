// The send loop's outcome transaction: the ledger rows' outcomes and, for a campaign the write-back took on (its
// setup row exists), each delivery's `sent` outbox item, committed together. The verdict travels in the item
// (accepted, failed, or stopped by the suppression list), so the write-back never reads it out of error text.
// The identity's delivery volume (accepted, deferred, failed per provider group and day) commits with them.
import { backoffMs } from '../domain/backoff.js';
import { outboxItem, outboxKey } from '../domain/outbox.js';
import type { Recipient } from '../domain/types.js';
import type { Outcome, ProviderGroup, SendResult, StorePart, UnitOfWork, VolumeDelta } from '../ports/index.js';

export type OutcomeStore = UnitOfWork & StorePart<{ recipients: 'applyOutcomes'; outbox: 'enqueueMany' | 'states'; deliverability: 'add' }>;

/** A 4xx retry waits 1 minute, doubling up to an hour (attempt 1 is the first send). */
export const defaultRetryDelay = (attempt: number) => backoffMs(attempt - 1, { baseMs: 60_000, maxMs: 3_600_000, jitter: 'none' });

export function outcomeFor(
  r: Recipient,
  res: SendResult,
  messageId: string | undefined,
  maxAttempts: number,
  retryDelayMs: (a: number) => number,
  now = Date.now(),
): Outcome {
  const detail = [res.code, res.enhanced, res.text].filter(Boolean).join(' ').slice(0, 500);
  switch (res.outcome) {
    case 'accepted':
      return { rowId: r.rowId, state: 'accepted', messageId };
    case 'permanent':
      return { rowId: r.rowId, state: 'failed', messageId, error: detail };
    case 'uncertain':
      return { rowId: r.rowId, state: 'uncertain', messageId, error: detail };
    case 'retryable':
      if (r.attempts >= maxAttempts) return { rowId: r.rowId, state: 'failed', messageId, error: `gave up after ${r.attempts} attempts: ${detail}` };
      return { rowId: r.rowId, state: 'queued', error: detail, retryAt: new Date(now + retryDelayMs(r.attempts)).toISOString() };
  }
  throw new Error(`unknown send outcome ${String(res.outcome)}`);
}

/** Whose volume the outcomes count for: the campaign's identity, and each row's provider group. */
export interface OutcomeVolume {
  identityId: string;
  group: (rowId: number) => ProviderGroup;
}

/** Returns how many rows changed (only rows still being sent do). */
export async function recordOutcomes(store: OutcomeStore, campaignId: string, batch: Outcome[], now = new Date(), volume?: OutcomeVolume): Promise<number> {
  if (batch.length === 0) return 0;
  return await store.transaction(async (tx) => {
    const changed = await tx.recipients.applyOutcomes(batch);
    if (changed.length === 0) return 0;
    const byRow = new Map(batch.map((o) => [o.rowId, o]));
    if (volume) {
      const day = now.toISOString().slice(0, 10);
      const deltas: VolumeDelta[] = [];
      for (const rowId of changed) {
        const o = byRow.get(rowId)!;
        if (o.suppressed || o.state === 'uncertain') continue;
        const field = o.state === 'accepted' ? 'accepted' : o.state === 'queued' ? 'deferred' : 'failed';
        deltas.push({ identityId: volume.identityId, campaignId, provider: volume.group(rowId), day, [field]: 1 });
      }
      await tx.deliverability.add(deltas);
    }
    const setup = outboxKey.campaign(campaignId);
    if (!(await tx.outbox.states([setup])).has(setup)) return changed.length;
    const items = [];
    for (const rowId of changed) {
      const o = byRow.get(rowId)!;
      if (o.state === 'accepted' || o.state === 'failed') items.push(outboxItem.sent(campaignId, rowId, now, o.state === 'failed' && o.suppressed === true));
    }
    await tx.outbox.enqueueMany(items);
    return changed.length;
  });
}
