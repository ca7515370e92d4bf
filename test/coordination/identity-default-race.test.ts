// Two administrators, on two processes, make the first sender identities at once, or each make another the default:
// as on SQLite, both succeed and exactly one identity is the default (unlocked on PostgreSQL, both read "none yet"
// and the second failed on the one-default index).
import { describe, expect, it } from 'vitest';
import type { IdentitySettings } from '../../service/src/ports/identities.js';
import { debianPgBin, useProcessStores, whileHeldOpen } from '../support/postgres.js';

const settings = (name: string): IdentitySettings => ({
  name,
  fromDomains: ['acme.test'],
  fromAddresses: [],
  relay: { url: 'smtp://relay.acme.test:587', maxConnections: 4 },
  rate: { perSecond: 50, perHour: 0, perDay: 10_000 },
  providerLimits: {},
  users: [],
  bounceDomain: 'bounces.acme.test',
  fromEnvironment: false,
});

describe.skipIf(!debianPgBin())('the default sender identity, changed by two processes at once', () => {
  const { stores } = useProcessStores('identities', { owners: ['one', 'two'] });
  const defaults = async () => (await stores[0].identities.list()).filter((i) => i.isDefault).map((i) => i.name);

  it('two first identities made at once: both kept, the one made first is the default', async () => {
    const [one, two] = stores;
    await whileHeldOpen(
      one,
      (tx) => tx.identities.create(settings('One'), {}, 'one'),
      () => two.identities.create(settings('Two'), {}, 'two'),
    );
    expect((await one.identities.list()).map((i) => i.name).sort()).toEqual(['One', 'Two']);
    expect(await defaults()).toEqual(['One']);
  });

  it('each makes another the default at once: the later one wins, never an error', async () => {
    const [one, two] = stores;
    await two.identities.create(settings('Four'), {}, 'four');
    await two.identities.create(settings('Five'), {}, 'five');
    const [first, later] = await whileHeldOpen(
      one,
      (tx) => tx.identities.setDefault('four'),
      () => two.identities.setDefault('five'),
    );
    expect([first, later]).toEqual([true, true]);
    expect(await defaults()).toEqual(['Five']);
  });
});
