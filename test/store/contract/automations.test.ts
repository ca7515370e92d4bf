// Automations, their enrolments and the exactly-once (enrolment, step) key.
import { describe, expect, it } from 'vitest';
import { compileAutomation } from '../../../service/src/domain/automation.js';
import type { Store } from '../../../service/src/ports/index.js';
import { newCampaign, targets } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

const send = (name: string) => ({ type: 'send_email', name, subject: name, fromName: 'Acme', fromEmail: 'news@acme.test', html: '<p>x</p>' });
const definition = { name: 'Onboarding', targetListIds: ['tl-1'], steps: [send('Welcome'), { type: 'wait', duration: 'P1D' }, send('Follow-up')] };
const compiled = compileAutomation(definition);

async function automation(store: Store) {
  return await store.automations.create({ ...compiled, definition });
}

describeOnAdapters('automations port', { start: '2026-11-26T10:00:00.000Z' }, ({ store }) => {
  describe('automation repo', () => {
    it('stores the definition and the compiled program and reads them back', async () => {
      const a = await automation(store);
      expect(await store.automations.get(a.id)).toMatchObject({
        name: 'Onboarding',
        status: 'active',
        targetListIds: ['tl-1'],
        definition,
        program: compiled.program,
      });
      expect((await store.automations.list({ limit: 10, offset: 0 })).map((x) => x.id)).toEqual([a.id]);
      expect(await store.automations.get('nope')).toBeUndefined();
    });

    it('status changes are compare-and-set', async () => {
      const a = await automation(store);
      expect(await store.automations.setStatus(a.id, ['active'], 'paused')).toBe(true);
      expect(await store.automations.setStatus(a.id, ['active'], 'stopped')).toBe(false);
      expect((await store.automations.inStatus('paused')).map((x) => x.id)).toEqual([a.id]);
      await expect((async () => await store.automations.setStatus(a.id, ['paused'], 'gone' as never))()).rejects.toThrow(/active, paused or stopped/);
    });

    it('enrolment is idempotent per record and only active automations have due targets', async () => {
      const a = await automation(store);
      expect(await store.automations.enrol(a.id, targets(3), 'steps[0]')).toBe(3);
      expect(await store.automations.enrol(a.id, targets(4), 'steps[0]')).toBe(1);
      expect(await store.automations.due('2026-11-26T10:00:00.000Z', 100)).toHaveLength(4);
      await store.automations.setStatus(a.id, ['active'], 'paused');
      expect(await store.automations.due('2026-11-26T10:00:00.000Z', 100)).toHaveLength(0);
      await expect((async () => await store.automations.enrol('nope', targets(1), null))()).rejects.toThrow(/unknown automation/);
    });

    it('progress moves the due time; done and left targets are never due again', async () => {
      const a = await automation(store);
      await store.automations.enrol(a.id, targets(2), 'steps[0]');
      const [e1, e2] = await store.automations.due('2026-11-26T10:00:00.000Z', 10);
      expect(e1.target).toMatchObject({ module: 'Contacts', id: 'c-0', email: 'Person0@Example.test', addressKey: 'person0@example.test' });
      await store.automations.saveProgress(
        e1.id,
        { at: 'steps[1]', waitUntil: '2026-11-27T10:00:00.000Z', lastSendKey: 'steps[0]' },
        '2026-11-27T10:00:00.000Z',
      );
      await store.automations.saveProgress(e2.id, { at: null, lastSendKey: 'steps[2]' }, null);
      expect(await store.automations.due('2026-11-27T09:59:59.000Z', 10)).toEqual([]);
      const [again] = await store.automations.due('2026-11-27T10:00:00.000Z', 10);
      expect(again).toMatchObject({ id: e1.id, position: { at: 'steps[1]', waitUntil: '2026-11-27T10:00:00.000Z', lastSendKey: 'steps[0]' } });
      expect((await store.automations.getEnrolment(e2.id))?.status).toBe('done');
      expect(await store.automations.counts(a.id)).toEqual({ enrolments: { active: 1, done: 1, left: 0 }, waitingAt: { 'steps[1]': 1 }, passed: {} });
    });

    it('a step is passed once per target, and the ledger row it got is remembered', async () => {
      const a = await automation(store);
      const c = await store.campaigns.create(newCampaign({ name: 'Onboarding – Welcome' }));
      await store.automations.setStepCampaign(a.id, 'steps[0]', c.id);
      await store.automations.setStepCampaign(a.id, 'steps[0]', 'other'); // the first one stays
      expect(await store.automations.stepCampaigns(a.id)).toEqual(new Map([['steps[0]', c.id]]));
      // After an edit two processes may replace it at once: only the one that saw the current campaign does.
      const [e1, e2] = [await store.campaigns.create(newCampaign({ name: 'edited 1' })), await store.campaigns.create(newCampaign({ name: 'edited 2' }))];
      expect(await store.automations.replaceStepCampaign(a.id, 'steps[0]', c.id, e1.id)).toBe(true);
      expect(await store.automations.replaceStepCampaign(a.id, 'steps[0]', c.id, e2.id)).toBe(false);
      expect(await store.automations.stepCampaigns(a.id)).toEqual(new Map([['steps[0]', e1.id]]));
      expect(await store.automations.replaceStepCampaign(a.id, 'steps[0]', e1.id, c.id)).toBe(true);
      expect(await store.automations.isOpenStepCampaign(c.id)).toBe(true);
      expect(await store.automations.isOpenStepCampaign('other')).toBe(false);
      const [t] = targets(1);
      await store.automations.enrol(a.id, [t], 'steps[0]');
      const [e] = await store.automations.due('2026-11-26T10:00:00.000Z', 1);
      expect(await store.automations.markSent(e.id, 'steps[0]')).toBe(true);
      await store.recipients.insertMany(c.id, [t]);
      await store.automations.linkLedgerRow(e.id, 'steps[0]', c.id, t.addressKey);
      expect(await store.automations.markSent(e.id, 'steps[0]')).toBe(false);
      const rowId = (await store.recipients.list(c.id, { limit: 1, offset: 0 }))[0].rowId;
      expect(await store.automations.sends(e.id)).toEqual(new Map([['steps[0]', rowId]]));
      expect((await store.automations.counts(a.id)).passed).toEqual({ 'steps[0]': 1 });
      await store.automations.setStatus(a.id, ['active'], 'stopped');
      expect(await store.automations.isOpenStepCampaign(c.id)).toBe(false);
    });

    it('an address that opts out leaves every automation, and a left target cannot be moved', async () => {
      const a = await automation(store);
      const b = await automation(store);
      const ts = targets(2);
      await store.automations.enrol(a.id, ts, 'steps[0]');
      await store.automations.enrol(b.id, ts, 'steps[0]');
      expect(await store.automations.leave([ts[0].addressKey], 'unsubscribe')).toBe(2);
      const due = await store.automations.due('2026-11-26T10:00:00.000Z', 10);
      expect(due.map((e) => e.target.id)).toEqual(['c-1', 'c-1']);
      const left = (await store.automations.counts(a.id)).enrolments;
      expect(left).toEqual({ active: 1, done: 0, left: 1 });
      const leftId = (await Promise.all([1, 2, 3, 4].map(async (id) => await store.automations.getEnrolment(id)))).find((e) => e?.status === 'left')!;
      expect(leftId.leftReason).toBe('unsubscribe');
      expect(await store.automations.saveProgress(leftId.id, { at: 'steps[1]' }, null)).toBe(false);
      expect(await store.automations.leave([], 'x')).toBe(0);
      await store.suppressions.add(ts[1].addressKey, ts[1].email, 'hard_bounce');
      expect(await store.automations.leaveSuppressed()).toBe(2);
      expect(await store.automations.leaveSuppressed()).toBe(0);
      expect((await store.automations.counts(b.id)).enrolments).toEqual({ active: 0, done: 0, left: 2 });
    });
  });
});
