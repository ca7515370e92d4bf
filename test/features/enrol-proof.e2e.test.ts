// Targets enrolled through the API were taken as given: {module, id, email, emailAddressId, listId} from the body,
// never asked of Sugar. The write-back, with the service's account, then wrote the person's own actions onto the
// record named: a marketer enrolled her own mailbox as the administrator user (or any Contact), unsubscribed, and
// every address of that record was opted out in Sugar. Now the record must be one the caller may see, the address
// must be its own, and the address id is Sugar's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createPerson } from '../support/sugar-seed.js';
import { asUser, recipientsOf, sugarToken } from './helpers.js';

let stack: Stack;
let vic: string;
let optedOut: string;

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_AUTOMATION_TICK_MS: '50' } });
  const admin = adminClient(stack.sim.url);
  vic = await createPerson(admin, { module: 'Contacts', first_name: 'Vic', emails: [{ address: 'vic@example.org' }] });
  optedOut = await createPerson(admin, { module: 'Contacts', first_name: 'Olga', emails: [{ address: 'olga@example.org', opt_out: true }] });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('enrolment through the API', () => {
  it("enrols a record the caller may see at its own address, with Sugar's address id, and skips the others saying why", async () => {
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const a = await sally('POST', '/automations', {
      name: 'Proof',
      steps: [{ type: 'send_email', name: 'Hi', subject: 'Proof hi', fromName: 'News', fromEmail: 'news@news.example.test', html: '<p>Hi</p>' }],
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const enrol = await sally('POST', `/automations/${a.body.id}/enrol`, {
      targets: [
        { module: 'Users', id: '1', email: 'mallory@evil.example' },
        { module: 'Contacts', id: vic, email: 'mallory2@evil.example' },
        { module: 'Contacts', id: 'no-such-record', email: 'x@example.org' },
        { module: 'Contacts', id: optedOut, email: 'olga@example.org' },
        { module: 'Contacts', id: vic, email: 'not an address' },
        { module: 'Contacts', id: vic, email: 'VIC@example.org', emailAddressId: 'forged-address-id', listId: 'forged-list' },
      ],
    });
    expect(enrol.status, JSON.stringify(enrol.body)).toBe(200);
    expect(enrol.body).toEqual({
      enrolled: 1,
      skipped: [
        { id: '1', reason: 'address_not_on_record' },
        { id: vic, reason: 'address_not_on_record' },
        { id: 'no-such-record', reason: 'not_found' },
        { id: optedOut, reason: 'opted_out' },
        { id: vic, reason: 'invalid_email' },
      ],
    });
    await waitFor(() => (recipientsOf(stack, 'Proof hi').length ? true : undefined), 'the welcome sent');
    expect(recipientsOf(stack, 'Proof hi')).toEqual(['vic@example.org']);
    const step = (await sally('GET', `/automations/${a.body.id}`)).body.steps[0];
    const [row] = await stack.service.store.recipients.list(step.campaignId, { limit: 10, offset: 0 });
    const sugarAddressId = stack.sim.db.prepare("SELECT id FROM email_addresses WHERE email_address_caps = 'VIC@EXAMPLE.ORG'").pluck().get();
    expect(row).toMatchObject({ module: 'Contacts', id: vic, emailAddressId: sugarAddressId, listId: 'api' });
  }, 60_000);
});
