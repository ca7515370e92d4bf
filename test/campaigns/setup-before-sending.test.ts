// A campaign's write-back setup rows (its Sugar Campaign, its lists) exist before any of its rows is sent: the outcome
// transaction writes each delivery's `sent` fact only for a campaign set up, so a setup row lost (the database away for
// that one statement, or a process dying right after the campaign turned sending) left every delivery out of Sugar.
// The send run writes them first, and does not send until they are in. Real SQLite store, real scheduler and write-back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createScheduler } from '../../service/src/campaigns/scheduler.js';
import { emptyAudit } from '../../service/src/domain/audit.js';
import { outboxKey } from '../../service/src/domain/outbox.js';
import { type NewOutboxItem, StoreUnavailableError } from '../../service/src/ports/index.js';
import { recordOutcomes } from '../../service/src/sending/outcomes.js';
import { openStore, type Store } from '../../service/src/store/db.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { createWriteback } from '../../service/src/writeback/index.js';
import { DEFAULT_WRITEBACK } from '../../service/src/writeback/settings.js';
import { targets } from '../store/helpers.js';
import { waitFor } from '../support/stack.js';

/** The store, except that the first setup row written inside a transaction fails as a database gone away would. */
function losingFirstSetup(store: Store) {
  let failures = 0;
  type Tx = Parameters<Parameters<Store['transaction']>[0]>[0];
  // The repositories are frozen: copies with enqueue replaced, not proxies.
  const outboxOf = (tx: Tx): Tx['outbox'] => ({
    ...tx.outbox,
    enqueue: async (item: NewOutboxItem) => {
      if (item.kind === 'campaign' && failures++ === 0) throw new StoreUnavailableError('08006', { detail: 'PostgreSQL: connection lost' });
      return await tx.outbox.enqueue(item);
    },
  });
  const flaky = new Proxy(store, {
    get: (s, k) =>
      k === 'transaction' ? <T>(fn: (tx: Tx) => Promise<T>) => s.transaction((tx: Tx) => fn({ ...tx, outbox: outboxOf(tx) })) : Reflect.get(s, k),
  });
  return { store: flaky as Store, failures: () => failures };
}

it('writes the setup rows before sending, and sends nothing until they are in', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-setup-'));
  const store = openStore(join(dir, 'leadfwd.sqlite'));
  const flaky = losingFirstSetup(store);
  // Never started: the setup and `sent` rows wait in the outbox, which is what this test reads.
  const writeback = createWriteback({
    store: flaky.store,
    sugar: new SugarClient({ baseUrl: 'http://127.0.0.1:9', username: 'admin', password: 'admin', platform: 'leadfwd' }),
    settings: DEFAULT_WRITEBACK,
    links: async () => [],
  });
  const runs: Array<{ setUp: boolean }> = [];
  const scheduler = createScheduler({
    store,
    tickMs: 50,
    extract: async (c) => {
      await store.recipients.insertMany(c.id, targets(5));
      return emptyAudit();
    },
    beforeSending: async (c) => await writeback.ensureSetup(c),
    send: async (id) => {
      const setup = outboxKey.campaign(id);
      runs.push({ setUp: (await store.outbox.states([setup])).has(setup) });
      const rows = await store.recipients.claim(id, 100, new Date().toISOString());
      await recordOutcomes(
        store,
        id,
        rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: `<${r.rowId}@t>` })),
      );
      return 'done';
    },
  });
  try {
    const c = await store.campaigns.create({
      name: 'Spring',
      subject: 'Hi',
      fromName: 'Team',
      fromEmail: 'team@example.com',
      html: '<p>Hi</p>',
      targetListIds: ['tl-1'],
      leadfwdListIds: [],
      customFields: [],
      sendAt: new Date().toISOString(),
    });
    await scheduler.start();
    await waitFor(async () => (await store.campaigns.get(c.id))?.status === 'sent' || undefined, 'the campaign sent');
    expect(flaky.failures()).toBeGreaterThan(1); // the first try failed, a later run's went in
    expect(runs).toEqual([{ setUp: true }]); // the run whose setup failed sent nothing
    const rows = await store.recipients.list(c.id, { limit: 100, offset: 0 });
    const keys = [outboxKey.campaign(c.id), ...rows.map((r) => outboxKey.sent(r.rowId))];
    expect([...(await store.outbox.states(keys)).keys()].sort()).toEqual([...keys].sort());
  } finally {
    await scheduler.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
