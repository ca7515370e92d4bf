// Two clicks of one person at the same moment, through two connections to one PostgreSQL (two processes, or two
// requests of one process): each is judged from the person's counters, so the second must see the first, as it
// does when they come one after the other. SQLite runs the two transactions one at a time; PostgreSQL at READ
// COMMITTED would let both read the same counters unless the click takes the person's hit lock first.
import { describe, expect, it } from 'vitest';
import { benchTarget, seedCampaign } from '../../scripts/bench/support.js';
import { APPLE_NETWORK, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { createClickRecorder } from '../../service/src/engagement/clicks.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';
import { toTracked } from '../../service/src/engagement/recipients.js';
import type { PgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, useProcessStores, whileHeldOpen } from '../support/postgres.js';

const RULES = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK]) };
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe.skipIf(!debianPgBin())('two clicks of one person at once on PostgreSQL', () => {
  const { stores } = useProcessStores('clicks', { owners: ['one', 'two'] });

  /** One recipient of a sent campaign whose message has `links` links, and a click on link `i` recorded through `store`. */
  async function person(id: string, links: number) {
    const [first] = stores;
    await seedCampaign(first, id, { sent: true });
    await first.recipients.insertMany(id, [benchTarget(0, `${id}.test`, 'tl')]);
    const [row] = await first.recipients.list(id, { limit: 1, offset: 0 });
    const target = { url: 'https://example.test/', recipient: toTracked(row), linkCount: links };
    const click = (store: PgStore, tx: Parameters<ReturnType<typeof createClickRecorder>['recordIn']>[0], i: number) =>
      createClickRecorder({ store, lookup: { get: async () => undefined, isPerson: () => true, links: async () => [] }, rules: RULES }).recordIn(
        tx,
        { rowId: row.rowId, linkIndex: i, method: 'GET', userAgent: FIREFOX, at: new Date() },
        target,
      );
    const open = async () => (await first.engagement.forRecipient(row.rowId)).find((c) => c.kind === 'open');
    return { click, open };
  }

  it('one after the other: the second link of two within seconds is a burst, and one open is implied', async () => {
    const [one, two] = stores;
    const { click, open } = await person('serial', 2);
    const first = await one.transaction((tx) => click(one, tx, 0));
    const second = await two.transaction((tx) => click(two, tx, 1));
    expect([first.bot, second.reason]).toEqual([false, 'every_link_at_once']);
    expect(await open()).toMatchObject({ humanHits: 1 });
  });

  it('at once: the second still sees the first, so a scanner opening both links is caught', async () => {
    const [one, two] = stores;
    const { click } = await person('burst', 2);
    const [first, second] = await whileHeldOpen(
      one,
      (tx) => click(one, tx, 0),
      () => two.transaction((tx) => click(two, tx, 1)),
    );
    expect([first.bot, second.reason]).toEqual([false, 'every_link_at_once']);
  });

  it('at once: two human clicks on different links imply one open, not two', async () => {
    const [one, two] = stores;
    const { click, open } = await person('implied', 5);
    await whileHeldOpen(
      one,
      (tx) => click(one, tx, 0),
      () => two.transaction((tx) => click(two, tx, 1)),
    );
    expect(await open()).toMatchObject({ humanHits: 1 });
  });
});
