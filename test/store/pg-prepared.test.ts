// Statements with parameters go to PostgreSQL as named prepared statements (parsed and planned once per connection);
// those reading every column of a table stay unnamed, since a newer version adding a column would fail them, and
// LEADFWD_DATABASE_PREPARED=false turns naming off for a pooler that cannot keep prepared statements.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/src/config.js';
import { prepared } from '../../service/src/store/pg/db.js';
import { randomSecret } from '../support/secrets.js';

describe('prepared statements', () => {
  it('names a statement with parameters by its text, the same name every time', () => {
    const a = prepared('UPDATE recipients SET data_end_at = $2 WHERE row_id = ANY($1)', [[1], 'x']);
    expect(a.name).toMatch(/^lf_[A-Za-z0-9_-]{22}$/);
    expect(prepared('UPDATE recipients SET data_end_at = $2 WHERE row_id = ANY($1)', [[2], 'y']).name).toBe(a.name);
    expect(prepared('UPDATE recipients SET data_end_at = $2 WHERE row_id = $1', [2, 'y']).name).not.toBe(a.name);
  });

  it('leaves unnamed what has no parameters, reads every column of a table, or when naming is off', () => {
    expect(prepared('BEGIN', undefined)).toEqual({ text: 'BEGIN' });
    expect(prepared('SELECT * FROM automations WHERE id = $1', ['a']).name).toBeUndefined();
    expect(prepared('INSERT INTO ab_tests (id) VALUES ($1) RETURNING *', ['a']).name).toBeUndefined();
    expect(prepared('WITH s AS (SELECT * FROM unnest($1::int[]) AS u (r)) SELECT r FROM s', [[1]]).name).toBeDefined();
    expect(prepared('SELECT 1 WHERE $1', [true], false)).toEqual({ text: 'SELECT 1 WHERE $1', values: [true] });
  });

  it('is on by default and turned off by LEADFWD_DATABASE_PREPARED=false', () => {
    const env = { LEADFWD_SECRET: randomSecret(), LEADFWD_DATABASE_URL: 'postgres://u:p@db.example:5432/leadfwd' };
    expect(loadConfig(env).database?.prepared).toBe(true);
    expect(loadConfig({ ...env, LEADFWD_DATABASE_PREPARED: 'false' }).database?.prepared).toBe(false);
  });
});
