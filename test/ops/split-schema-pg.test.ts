// One LeadFWD's processes on two schemas of one database (a search_path in one host's URL options) split its work:
// the stray process migrated an empty schema, started and said ready, and every link in mail the others sent was a
// 404 there, every open lost, without a word (an operator's trial of "Running on several machines"; issue 15's bad
// input: two processes started against different schemas). Its first start now finds the database's other store
// opened with its own LEADFWD_SECRET and refuses, saying where; a second LeadFWD with a secret of its own may share the
// database, each in its schema.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { refusalOfSecret } from '../../service/src/ops/one-secret.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { randomSecret } from '../support/secrets.js';

describe.skipIf(!debianPgBin())('two schemas of one database', () => {
  const rig = usePgProcessRig('pgsplit');
  const inSchema = (schema: string) => {
    const u = new URL(rig.pg.url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };

  it('refuses a process of the same LeadFWD in another schema, naming where its data is; lets another LeadFWD in', async () => {
    const first = await rig.start('first');
    rig.pg.psql('CREATE SCHEMA other', 'leadfwd');
    for (const roles of ['api,tracking,send,writeback,automations', 'tracking']) {
      const refused = await rig.start(`stray-${roles.length}`, { LEADFWD_DATABASE_URL: inSchema('other'), LEADFWD_ROLES: roles }).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(refused).toMatch(/exited \(1\)/);
      expect(refused).toMatch(/keeps its data in schema "public" of this database/);
      expect(refused).toMatch(/must share one schema \(check the search_path in LEADFWD_DATABASE_URL's options\)/);
    }
    // Nothing was kept in the other schema but its tables: a process started right later is judged the same way.
    expect(rig.pg.psql('SELECT count(*) FROM other.secret_check', 'leadfwd')).toBe('0');

    const separate = await rig.start('separate', { LEADFWD_DATABASE_URL: inSchema('other'), LEADFWD_SECRET: randomSecret() });
    expect((await fetch(`${separate.url}/readyz`)).status).toBe(200);
    // And the first LeadFWD's processes still start in their own schema.
    const second = await rig.start('second');
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    for (const p of [first, separate, second]) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 120_000);

  // Two first starts of one LeadFWD at once, in two new schemas: each looked at the other's schema before either kept
  // its check, and both started (3 runs of 5 in a review). The look and the keeping are one step for the database now.
  it('lets exactly one of two first starts at once in two new schemas go on', async () => {
    for (let round = 0; round < 8; round++) {
      const secret = randomSecret();
      const stores = await Promise.all(['a', 'b'].map((x) => openPgStore(rig.pg.url, { schema: `twin${round}_${x}`, poolSize: 2 })));
      try {
        const verdicts = await Promise.all(stores.map((s) => refusalOfSecret(s, [secret], new Date())));
        expect(
          verdicts.filter((v) => v === undefined),
          `round ${round}: ${JSON.stringify(verdicts)}`,
        ).toHaveLength(1);
        expect(verdicts.find((v) => v !== undefined)).toMatch(new RegExp(`keeps its data in schema "twin${round}_[ab]"`));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }
  });

  // Another schema's table locked (VACUUM FULL, another application's migration) held a first start for as long.
  it('does not wait long on a lock another schema holds', async () => {
    rig.pg.psql('CREATE SCHEMA locked; CREATE TABLE locked.secret_check (id int, sealed text)', 'leadfwd');
    const holder = new pg.Client({ connectionString: rig.pg.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE locked.secret_check IN ACCESS EXCLUSIVE MODE');
      const store = await openPgStore(rig.pg.url, { schema: 'after_lock', poolSize: 2 });
      const t = performance.now();
      expect(await refusalOfSecret(store, [randomSecret()], new Date())).toBeUndefined();
      expect(performance.now() - t).toBeLessThan(10_000);
      await store.close();
    } finally {
      await holder.end();
    }
  });
});
