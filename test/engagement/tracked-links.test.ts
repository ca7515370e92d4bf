// A tracking process's tracked links (engagement/tracked-links.ts) pick up a campaign created after their last
// re-read, by this process or another, within one ask, not at the next re-read minutes later: its clicks must redirect
// through a database outage that starts moments after its first message. Real SQLite store on the real clock.
import { afterEach, describe, expect, it } from 'vitest';
import { createTrackedLinks, type TrackedLinksCache, type TrackedLinksStore } from '../../service/src/engagement/tracked-links.js';
import type { Store } from '../../service/src/ports/index.js';
import { openStore } from '../../service/src/store/db.js';
import { newCampaign, targets, toSending } from '../store/helpers.js';
import { waitFor } from '../support/stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tracked links', () => {
  let store: Store;
  let tracked: TrackedLinksCache | undefined;
  afterEach(() => {
    tracked?.stop();
    store?.close();
  });

  /** A campaign sending with `rows` recipients and one saved link; its first row id. */
  async function sending(id: string, rows: number, from: number): Promise<number | undefined> {
    await store.campaigns.create(newCampaign(), id);
    if (rows) await store.recipients.insertMany(id, targets(rows, from));
    await toSending(store, id);
    await store.campaigns.saveLinks(id, [`https://${id}.test/a`]);
    return (await store.recipients.list(id, { limit: 1, offset: 0 }))[0]?.rowId;
  }

  it('holds a campaign made after the last re-read within one ask, and asks about one it cannot hold only once', async () => {
    store = openStore(':memory:');
    let reads = 0;
    const counting: TrackedLinksStore = {
      campaigns: {
        trackedLinks: async (...a) => (reads++, await store.campaigns.trackedLinks(...a)),
        trackedAmong: async (ids) => await store.campaigns.trackedAmong(ids),
        trackedSince: async (since) => await store.campaigns.trackedSince(since),
      },
    };
    await sending('first', 2, 0);
    tracked = createTrackedLinks({ store: counting, days: 30, refreshMs: 3_600_000, upcomingMs: 20 });
    tracked.start();
    await waitFor(() => tracked!.stats().campaigns === 1 || undefined, 'the first re-read');
    expect(reads).toBe(1);

    const row = await sending('later', 2, 100);
    await waitFor(() => tracked!.url(row!, 0), 'the later campaign held', 2_000);
    expect(tracked.url(row!, 0)).toEqual({ url: 'https://later.test/a', campaignId: 'later', linkCount: 1 });
    expect(reads).toBe(2);

    // Saved, but with no row to hold: one more re-read, not one per ask.
    await sending('empty', 0, 200);
    await waitFor(() => reads === 3 || undefined, 'a re-read for the empty campaign', 2_000);
    await sleep(300);
    expect(reads).toBe(3);
  });
});
