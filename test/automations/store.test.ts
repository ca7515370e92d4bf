import { describe, expect, it } from 'vitest';
import { compileAutomation } from '../../service/src/domain/automation.js';
import type { Store } from '../../service/src/store/db.js';
import { targets } from '../store/helpers.js';
import { useStoreFiles } from './store-files.js';

const send = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: '<p>x</p>' });
const definition = { name: 'Onboarding', targetListIds: ['tl-1'], steps: [send('Welcome'), { type: 'wait', duration: 'P1D' }, send('Follow-up')] };
const compiled = compileAutomation(definition);

const open = useStoreFiles(() => new Date('2026-11-26T10:00:00.000Z'));

async function automation(store: Store) {
  return await store.automations.create({ ...compiled, definition });
}

describe('automation repo on SQLite', () => {
  it('everything survives a reopen of the file', async () => {
    const { store, dir } = open();
    const a = await automation(store);
    await store.automations.enrol(a.id, targets(1), 'steps[0]');
    const [e] = await store.automations.due('2026-11-26T10:00:00.000Z', 1);
    await store.automations.markSent(e.id, 'steps[0]');
    store.close();
    const { store: reopened } = open(dir);
    expect(await reopened.automations.markSent(e.id, 'steps[0]')).toBe(false);
    expect((await reopened.automations.get(a.id))?.program).toEqual(compiled.program);
  });
});
