// Fairness across processes on PostgreSQL (issue 15): while two processes send a large campaign under one shared rate,
// a small campaign created after it through the other process, and an automation's welcome email to a person enrolled
// meanwhile, both go out long before the large campaign is half way. Real processes, real PostgreSQL, real SMTP sink.
import { describe, expect, it } from 'vitest';
import { usePgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';
import { adminClient, createPerson } from '../support/sugar-seed.js';

// One rate for both processes together: the large campaign alone would take about 15 s.
const ENV = { LEADFWD_SMTP_RATE: '100' };
const LARGE = 1500;

describe.skipIf(!debianPgBin())('fairness between campaigns and automations across processes', () => {
  const rig = usePgProcessRig('fair');

  it('sends a small campaign and an automation step started later long before a large campaign is half way', async () => {
    const [p1, p2] = await Promise.all([rig.start('p1', ENV), rig.start('p2', ENV)]);
    const large = rig.sim.seedBulk(cleanLists({ lists: 1, perList: LARGE })).listIds;
    const small = rig.sim.seedBulk(cleanLists({ lists: 1, perList: 20 })).listIds;
    const bySubject = (subject: string) => rig.sink.messages.filter((m) => m.raw.toString().includes(`\r\nSubject: ${subject}\r\n`)).length;

    await rig.createCampaign(p1, 'Large', large, { subject: 'Large' });
    await waitFor(() => bySubject('Large') >= 50 || undefined, 'the large campaign sending', 30_000);

    const smallId = await rig.createCampaign(p2, 'Small', small, { subject: 'Small' });
    const automation = await rig.api(p1, '/automations', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Welcome',
        targetListIds: [],
        steps: [{ type: 'send_email', name: 'Welcome', subject: 'Welcome', fromName: 'Ops', fromEmail: 'ops@example.com', html: '<p>Welcome</p>' }],
      }),
    });
    expect(typeof automation.id, JSON.stringify(automation)).toBe('string');
    // Enrolled through the API at the Contact's own address, as Sugar has it (the enrolment reads the record).
    const person = await createPerson(adminClient(rig.sim.url), { module: 'Contacts', first_name: 'Wendy', emails: [{ address: 'welcome@example.com' }] });
    const enrol = await rig.api(p2, `/automations/${automation.id}/enrol`, {
      method: 'POST',
      body: JSON.stringify({ targets: [{ module: 'Contacts', id: person, email: 'welcome@example.com' }] }),
    });
    expect(enrol.enrolled, JSON.stringify(enrol)).toBe(1);

    await waitFor(async () => (await rig.store.campaigns.get(smallId))?.status === 'sent' || undefined, 'the small campaign sent', 30_000);
    await waitFor(() => bySubject('Welcome') === 1 || undefined, "the automation's welcome email", 30_000);
    const largeThen = bySubject('Large');
    console.log(`the large campaign had sent ${largeThen} of ${LARGE} when the small one and the automation step were done`);
    expect(bySubject('Small')).toBe(20);
    expect(largeThen, `the large campaign had sent ${largeThen} of ${LARGE}`).toBeLessThan(LARGE / 2);
  }, 90_000);
});
