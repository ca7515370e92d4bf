// Two automations enrol the same person; two processes' ticks each claim one of the two enrolments, and each finds the
// address suppressed since. Each batch then takes the person out of every automation (leave): each waited for the
// enrolment the other batch holds, and PostgreSQL aborted one batch as a deadlock. An enrolment another batch holds is
// now left to that batch (it checks suppressions itself) or to the next tick. Found by a concurrency review, 2026-12-06.
import { describe, expect, it } from 'vitest';
import { compileAutomation } from '../../service/src/domain/automation.js';
import { targets } from '../store/helpers.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';

const definition = {
  name: 'Drip',
  targetListIds: [],
  steps: [{ type: 'send_email', name: 'One', subject: 'One', fromName: 'Acme', fromEmail: 'news@acme.test', html: '<p>One</p>' }],
};

describe.skipIf(!debianPgBin())('a suppressed person leaving automations from two batches at once (PostgreSQL)', () => {
  const { stores } = useProcessStores('automation_leave', { owners: ['a', 'b'], poolSize: 3 });

  it('takes them out without a deadlock: each batch leaves what it holds, the next tick the rest', async () => {
    const [a, b] = stores;
    const [person] = targets(1);
    const one = await a.automations.create({ ...compileAutomation(definition), definition });
    const two = await a.automations.create({ ...compileAutomation(definition), definition });
    await a.automations.enrol(one.id, [person], 'steps[0]');
    await b.automations.enrol(two.id, [person], 'steps[0]');
    const soon = new Date(Date.now() + 60_000).toISOString();
    let claimedBoth!: () => void;
    const both = new Promise<void>((r) => (claimedBoth = r));
    let claims = 0;
    // Each batch claims one enrolment (the other batch's is skipped), then both leave the person's automations.
    const batch = (store: typeof a) =>
      store.transaction(async (tx) => {
        const due = await tx.automations.due(soon, 1);
        if (++claims === 2) claimedBoth();
        await both;
        return [due.length, await tx.automations.leave([person.addressKey], 'suppressed')] as const;
      });
    const results = await Promise.allSettled([batch(a), batch(b)]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.value))).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const left = await a.automations.leaveSuppressed();
    expect(left).toBe(0);
    for (const id of [one.id, two.id]) expect((await a.automations.counts(id)).enrolments).toMatchObject({ active: 0, left: 1 });
  }, 60_000);
});
