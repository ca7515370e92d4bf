// An edit of an automation whose steps have no ids (keyed by position) is refused once a step was sent. Validating an
// edit takes a while (Sugar, every email compiled): a tick that sends the first step meanwhile must still make the
// edit refused, or the inserted step would shift positions and a person get the first email twice.
import { expect, it } from 'vitest';
import { createAutomationEngine } from '../../service/src/automations/engine.js';
import { createAutomationService } from '../../service/src/automations/service.js';
import { memoryStore } from '../store/helpers.js';

const email = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: `<p>${name}</p>` });
const operator = { kind: 'operator', sugar: {} } as never;

it('refuses an edit when a step without an id was sent while the edit was being validated', async () => {
  const store = memoryStore();
  const engine = createAutomationEngine({ store, now: () => new Date('2026-11-26T10:00:00.000Z') });
  let duringValidation: (() => Promise<unknown>) | undefined;
  const service = createAutomationService({
    store,
    engine,
    senders: { forSending: async () => ({ id: 'identity-test' }) as never },
    compile: async () => {
      const run = duringValidation;
      duringValidation = undefined;
      await run?.();
      return { baseFieldsRead: [] };
    },
  });
  const steps = [email('First'), { type: 'wait', duration: 'P1D' }, email('Second')];
  const created = await service.create({ name: 'No ids', targetListIds: [], steps }, operator);
  await engine.enrol(created.id, [{ module: 'Contacts', id: 'c-1', email: 'ann@example.test' }]);
  expect(Object.keys((await store.automations.counts(created.id)).passed)).toEqual([]);

  duringValidation = () => engine.tick();
  const edit = service.update(created.id, { name: 'No ids', targetListIds: [], steps: [email('Inserted'), ...steps] }, operator);
  await expect(edit).rejects.toMatchObject({ code: 'not_editable' });
  expect(Object.keys((await store.automations.counts(created.id)).passed)).toEqual(['steps[0]']);
  expect((await store.automations.get(created.id))!.program.filter((i) => i.op === 'send')).toHaveLength(2);
  store.close();
});
