// An automation edit checks which steps were passed and saves the new steps under the automation's progress lock: a
// tick of another process meanwhile claims none of its targets (SKIP LOCKED) until the edit has committed, so no step
// is sent between the check and the save.
import { describe, expect, it } from 'vitest';
import { compileAutomation } from '../../service/src/domain/automation.js';
import { targets } from '../store/helpers.js';
import { debianPgBin, useProcessStores, whileHeldOpen } from '../support/postgres.js';

const send = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: `<p>${name}</p>` });
const definition = { name: 'Drip', targetListIds: [], steps: [send('One'), { type: 'wait', duration: 'P1D' }, send('Two')] };

describe.skipIf(!debianPgBin())("an automation edit's progress lock on PostgreSQL", () => {
  const { stores } = useProcessStores('automation_edit', { owners: ['api', 'ticker'] });

  it('keeps ticks off the automation until the edit commits, then they claim as before', async () => {
    const [api, ticker] = stores;
    const a = await api.automations.create({ ...compileAutomation(definition), definition });
    await api.automations.enrol(a.id, targets(3), 'steps[0]');
    const soon = () => new Date(Date.now() + 60_000).toISOString();
    const claim = () => ticker.transaction(async (tx) => (await tx.automations.due(soon(), 10)).length);
    const [, duringEdit] = await whileHeldOpen(api, (tx) => tx.automations.lockProgress(a.id), claim);
    expect(duringEdit).toBe(0);
    expect(await claim()).toBe(3);
  });
});
