// A tracking process's pixel batches and a write-back process's hits sync on the same write-back rows, at once, on
// one PostgreSQL: the batch's trigger (migration 0026) and the sync's transaction both lock those rows in key order,
// so they wait for each other and never deadlock (PostgreSQL would abort one with 40P01), and once both stop every
// row holds what Sugar was told last.
import { describe, expect, it } from 'vitest';
import { benchTarget, seedCampaign, sleep } from '../../scripts/bench/support.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';

const PEOPLE = 30;

describe.skipIf(!debianPgBin())('pixel batches and the write-back on the same rows', () => {
  const { stores, server } = useProcessStores('locks', { owners: ['tracking', 'writeback'] });

  it('never deadlock, and leave no row stale once the write-back has caught up', async () => {
    const [tracking, writeback] = stores;
    await seedCampaign(tracking, 'c', { sent: true });
    await tracking.recipients.insertMany(
      'c',
      Array.from({ length: PEOPLE }, (_, i) => benchTarget(i, 'locks.test', 'tl')),
    );
    const rows = await tracking.recipients.list('c', { limit: PEOPLE, offset: 0 });
    const at = new Date().toISOString();
    const openAll = () =>
      tracking.engagement.recordMany(rows.map((r) => ({ recipientRowId: r.rowId, campaignId: 'c', kind: 'open' as const, at, human: true })));
    await openAll();
    await writeback.writeback.recordWritten(
      rows.map((r) => ({ logId: `v-${r.rowId}`, campaignId: 'c', recipientRowId: r.rowId, activityType: 'viewed', targetId: `t-${r.rowId}`, hits: 1 })),
    );

    let stop = false;
    // What syncHits does after Sugar answered, with a pause between rows so a batch lands in the middle of it.
    const sync = async () => {
      const stale = await writeback.writeback.staleHits(PEOPLE);
      await writeback.transaction(async (tx) => {
        for (const s of stale) {
          await tx.writeback.hitsWritten(s, s.current);
          await sleep(1);
        }
      });
      return stale.length;
    };
    const batches = (async () => {
      for (let i = 0; i < 40; i++) {
        await openAll();
        await sleep(2);
      }
      stop = true;
    })();
    const syncs = (async () => {
      while (!stop) await sync();
    })();
    await Promise.all([batches, syncs]);

    while ((await sync()) > 0);
    expect(await writeback.writeback.staleCount('c')).toBe(0);
    expect(server().psql('SELECT hits_written, count(*) FROM locks.writeback_log GROUP BY 1', 'leadfwd')).toBe(`41|${PEOPLE}`);
  }, 60_000);
});
