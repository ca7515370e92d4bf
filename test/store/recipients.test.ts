// The ledger on SQLite itself: the claim query plan and crash recovery across a reopened file. What every
// adapter must do is in contract/recipients.test.ts.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../service/src/store/db.js';
import { CLAIM_SQL } from '../../service/src/store/sqlite-recipient-repo.js';
import { manualClock, memoryStore, newCampaign, storeWithTargets, withDatabaseFile } from './helpers.js';

let store: Store;
let clock: ReturnType<typeof manualClock>;
beforeEach(async () => {
  clock = manualClock();
  store = memoryStore({ clock: clock.now });
  await store.campaigns.create(newCampaign(), 'c1');
  await store.campaigns.create(newCampaign(), 'c2');
});
afterEach(() => store.close());

describe('recipient ledger on SQLite', () => {
  it('claims through the partial covering index, never a table scan', async () => {
    await withDatabaseFile('plan.db', (file) => {
      openStore(file).close();
      const db = new Database(file);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`).all({ campaignId: 'c', now: 'x', limit: 1, owner: null }) as Array<{ detail: string }>;
      db.close();
      const details = plan.map((p) => p.detail);
      expect(details).toContainEqual(expect.stringMatching(/USING COVERING INDEX recipients_claim/));
      expect(details.filter((d) => /^SCAN recipients\b/.test(d) && !/INDEX/.test(d))).toEqual([]);
      expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
    });
  });
});

describe('crash recovery', () => {
  it('turns rows left in sending into uncertain after reopening the file, and never claims them again', async () => {
    await withDatabaseFile('ledger.db', (file) => {
      const a = storeWithTargets(file, 5);
      const inFlight = a.recipients.claim('c', 3, new Date().toISOString());
      a.recipients.markOutcomes([{ rowId: inFlight[0].rowId, state: 'accepted', messageId: '<x@t>' }]);
      a.close(); // the process "dies" with two rows mid-send

      const b = openStore(file);
      expect(b.recipients.counts('c')).toMatchObject({ sending: 2, accepted: 1, queued: 2 });
      expect(b.recipients.recoverInFlight()).toBe(2);
      expect(b.recipients.recoverInFlight()).toBe(0);
      expect(b.recipients.get(inFlight[1].rowId)).toMatchObject({ state: 'uncertain', lastError: expect.stringMatching(/not resent/) });
      const rest = b.recipients.claim('c', 10, new Date().toISOString());
      expect(rest.map((r) => r.id)).toEqual(['c-3', 'c-4']);
      expect(b.recipients.counts('c')).toEqual({ queued: 0, sending: 2, accepted: 1, failed: 0, uncertain: 2 });
      b.close();
    });
  });
});
