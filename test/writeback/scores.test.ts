// The score writer against a fake Sugar: a missing field makes dead rows before anything is written; a deleted
// person is done with a note; a Contact's row waits for its Account's rollup.
import { describe, expect, it } from 'vitest';
import type { SugarOp } from '../../service/src/domain/writeback.js';
import { judge } from '../../service/src/domain/writeback-results.js';
import type { OutboxClaim } from '../../service/src/ports/index.js';
import { createScoreWriter, SCORE_FIELD } from '../../service/src/writeback/scores.js';
import type { OpResult } from '../../service/src/writeback/send.js';

const claim = (id: number, module: string, recordId: string): OutboxClaim => ({
  id,
  key: `score:${module}:${recordId}:1`,
  kind: 'score',
  payload: { module, recordId },
  attempts: 1,
});
const weights = { open: 5, click: 15, hardBounce: -40, complaint: -60, optOut: -20, halfLifeDays: 60 };

function fakeSugar(opts: { fieldsOn: string[]; gone?: string[] }) {
  const calls: SugarOp[][] = [];
  const send = async (ops: SugarOp[]): Promise<OpResult[]> => {
    calls.push(ops);
    return ops.map((op) => {
      const meta = /module_filter=(\w+)/.exec(op.path);
      let status = 200;
      let contents: unknown = {};
      if (meta) contents = { modules: { [meta[1]]: { fields: opts.fieldsOn.includes(meta[1]) ? { [SCORE_FIELD]: {} } : { name: {} } } } };
      else if (opts.gone?.some((g) => op.path.includes(g))) [status, contents] = [404, { error: 'not_found', error_message: 'gone' }];
      else if (op.method === 'PUT' && op.path.startsWith('/Contacts/')) contents = { id: op.path.split('/')[2], account_id: 'acc-1' };
      else if (op.method === 'GET')
        contents = {
          records: [
            { id: 'c1', [SCORE_FIELD]: 7 },
            { id: 'c2', [SCORE_FIELD]: null },
          ],
        };
      return { verdict: judge(op, status, contents), contents, status };
    });
  };
  return { calls, send };
}

const store = { scores: { eventsOf: async () => new Map([['Contacts:c1', [{ kind: 'open' as const, at: new Date().toISOString() }]]]) } };

describe('score writer', () => {
  it('writes nothing and makes dead rows naming the field when Sugar lacks it', async () => {
    const sugar = fakeSugar({ fieldsOn: ['Leads'] });
    const w = createScoreWriter({ store, send: sugar.send, weights });
    const res = await w.write([claim(1, 'Contacts', 'c1'), claim(2, 'Leads', 'l1')]);
    const dead = res.outcomes.find((o) => o.id === 1);
    expect(dead).toMatchObject({ kind: 'dead' });
    expect((dead as { error: string }).error).toMatch(/no field leadfwd_score_c on Contacts: install the LeadFWD package again/);
    expect(res.outcomes.find((o) => o.id === 2)).toMatchObject({ kind: 'done' });
    expect(
      sugar.calls
        .flat()
        .filter((op) => op.method === 'PUT')
        .map((op) => op.path),
    ).toEqual(['/Leads/l1']);
  });

  it('writes each person once for several rows, rolls up to the Account, and notes a deleted person', async () => {
    const sugar = fakeSugar({ fieldsOn: ['Contacts', 'Accounts'], gone: ['/Contacts/c9'] });
    const w = createScoreWriter({ store, send: sugar.send, weights });
    const res = await w.write([claim(1, 'Contacts', 'c1'), claim(2, 'Contacts', 'c1'), claim(3, 'Contacts', 'c9')]);
    expect(res.outcomes).toEqual(
      expect.arrayContaining([
        { id: 1, kind: 'done', written: [] },
        { id: 2, kind: 'done', written: [] },
        { id: 3, kind: 'done', written: [], note: 'Contacts c9 is gone from Sugar: no score written' },
      ]),
    );
    const ops = sugar.calls.slice(1); // after the field check
    expect(ops.map((call) => call.map((op) => `${op.method} ${op.path.split('?')[0]}`))).toEqual([
      ['PUT /Contacts/c1', 'PUT /Contacts/c9'],
      ['GET /Accounts/acc-1/link/contacts'],
      ['PUT /Accounts/acc-1'],
    ]);
    expect(ops[0][0].data).toEqual({ [SCORE_FIELD]: 5 });
    expect(ops[2][0].data).toEqual({ [SCORE_FIELD]: 7 });
    // The field check is remembered: the next batch goes straight to the writes.
    await w.write([claim(4, 'Contacts', 'c1')]);
    expect(sugar.calls.at(-3)![0].method).toBe('PUT');
  });
});
