// A tracking process's pixel batches and a write-back process's hits sync on the same write-back rows, at once, on
// one PostgreSQL: the batch's trigger (migration 0026) and the sync's transaction both lock those rows in key order,
// so they wait for each other and never deadlock (PostgreSQL would abort one with 40P01), and once both stop every
// row holds what Sugar was told last.
import { describe, expect, it } from 'vitest';
import { benchTarget, seedCampaign, sleep } from '../../scripts/bench/support.js';
import { debianPgBin, useProcessStores, whileHeldOpen } from '../support/postgres.js';

const PEOPLE = 30;

describe.skipIf(!debianPgBin())('pixel batches and the write-back on the same rows', () => {
  const { stores, server } = useProcessStores('locks', { owners: ['tracking', 'writeback'] });

  /** PEOPLE recipients of a sent campaign, each opened once; their opens (to record again) and log rows saying Sugar holds that one. */
  async function opened(id: string) {
    const [tracking] = stores;
    await seedCampaign(tracking, id, { sent: true });
    await tracking.recipients.insertMany(
      id,
      Array.from({ length: PEOPLE }, (_, i) => benchTarget(i, `${id}.test`, 'tl')),
    );
    const rows = await tracking.recipients.list(id, { limit: PEOPLE, offset: 0 });
    const at = new Date().toISOString();
    const opens = rows.map((r) => ({ recipientRowId: r.rowId, campaignId: id, kind: 'open' as const, at, human: true }));
    await tracking.engagement.recordMany(opens);
    const written = rows.map((r) => ({
      logId: `${id}-${r.rowId}`,
      campaignId: id,
      recipientRowId: r.rowId,
      activityType: 'viewed',
      targetId: `t-${r.rowId}`,
      hits: 1,
    }));
    return { opens, written };
  }

  it('never deadlock, and leave no row stale once the write-back has caught up', async () => {
    const [tracking, writeback] = stores;
    const { opens, written } = await opened('c');
    const openAll = () => tracking.engagement.recordMany(opens);
    await writeback.writeback.recordWritten(written);

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
    expect(server().psql("SELECT hits_written, count(*) FROM locks.writeback_log WHERE campaign_id = 'c' GROUP BY 1", 'leadfwd')).toBe(`41|${PEOPLE}`);
  }, 60_000);

  // A row's first record while a pixel batch has counted one more open and not committed: that batch's trigger ran
  // before the row existed, so the record must wait for the batch and find the row stale. Held open in a transaction
  // (a batch is one statement) to hit that moment every run.
  it('a hit landing while a row is first recorded still reaches Sugar', async () => {
    const [tracking, writeback] = stores;
    const { opens, written } = await opened('first');
    await whileHeldOpen(
      tracking,
      (tx) => tx.engagement.recordMany(opens),
      () => writeback.transaction(async (tx) => await tx.writeback.recordWritten(written)),
    );
    expect(await writeback.writeback.staleCount('first')).toBe(PEOPLE);
    expect(await tracking.engagement.forRecipient(opens[0].recipientRowId)).toMatchObject([{ humanHits: 2 }]);
  }, 60_000);

  // The other way round: a batch starting while the first record is not committed waits for it, so its trigger sees
  // the row and marks it stale.
  it('a hit landing just after a row is first recorded still reaches Sugar', async () => {
    const [tracking, writeback] = stores;
    const { opens, written } = await opened('later');
    await whileHeldOpen(
      writeback,
      (tx) => tx.writeback.recordWritten(written),
      () => tracking.engagement.recordMany(opens),
    );
    expect(await writeback.writeback.staleCount('later')).toBe(PEOPLE);
  }, 60_000);
});
