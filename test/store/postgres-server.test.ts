import { describe, expect, it } from 'vitest';
import { debianPgBin, startPostgres } from '../support/postgres.js';

describe.skipIf(!debianPgBin())('throwaway PostgreSQL', () => {
  it('starts as the right user, keeps data across an immediate stop, and is removed', async () => {
    const pg = await startPostgres();
    try {
      expect(pg.url).toMatch(/^postgres:\/\/leadfwd@127\.0\.0\.1:\d+\/leadfwd$/);
      pg.psql("CREATE TABLE IF NOT EXISTS t (v text); INSERT INTO t VALUES ('kept')");
      await pg.stop('immediate');
      expect(() => pg.psql('select 1')).toThrow();
      await pg.start();
      expect(pg.psql('SELECT v FROM t')).toBe('kept');
      expect(pg.psql('SHOW server_version_num').length).toBeGreaterThan(4);
    } finally {
      await pg.destroy();
    }
  }, 60_000);
});
