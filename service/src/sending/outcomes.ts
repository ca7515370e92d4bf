// The send loop's outcome transaction: the ledger rows' outcomes and, for a campaign the write-back took on (its
// setup row exists), each delivery's `sent` outbox item, committed together. The verdict travels in the item
// (accepted, failed, or stopped by the suppression list), so the write-back never reads it out of error text.
import { outboxItem, outboxKey } from '../domain/outbox.js';
import type { Outcome, StorePart, UnitOfWork } from '../ports/index.js';

export type OutcomeStore = UnitOfWork & StorePart<{ recipients: 'applyOutcomes'; outbox: 'enqueue' | 'states' }>;

/** Returns how many rows changed (only rows still being sent do). */
export function recordOutcomes(store: OutcomeStore, campaignId: string, batch: Outcome[], now = new Date()): number {
  if (batch.length === 0) return 0;
  return store.transaction(() => {
    const changed = store.recipients.applyOutcomes(batch);
    const setup = outboxKey.campaign(campaignId);
    if (changed.length === 0 || !store.outbox.states([setup]).has(setup)) return changed.length;
    const byRow = new Map(batch.map((o) => [o.rowId, o]));
    for (const rowId of changed) {
      const o = byRow.get(rowId)!;
      if (o.state === 'accepted' || o.state === 'failed')
        store.outbox.enqueue(outboxItem.sent(campaignId, rowId, now, o.state === 'failed' && o.suppressed === true));
    }
    return changed.length;
  });
}
