// Found by an attacker review: POST /campaigns/:id/test-send checked the caller's right to change the campaign, then
// sent through the campaign's sender identity without asking whether the caller may use it, as create, confirm and
// follow-up ask. max, whom Sugar lets edit sally's Campaign but who is not among the identity's users, mailed
// addresses of his choosing through the restricted "exec" identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedIdentity, identityBody } from '../support/identities.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';
import { adminClient, createListOf } from '../support/sugar-seed.js';
import { asUser, sugarToken } from './helpers.js';

let stack: Stack;
let listId: string;
let execId: string;

beforeAll(async () => {
  stack = await startStack({ env: { LEADFWD_SUGAR_RIGHTS_CACHE_MS: '0' } });
  listId = await createListOf(adminClient(stack.sim.url), 'People', [{ first_name: 'Ann', emails: [{ address: 'ann@example.org' }] }]);
  execId = await approvedIdentity(stack.api, identityBody('exec', stack.sink.port, { users: ['sally'] }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('test sends go out only through an identity the caller may use', () => {
  it('max may edit the campaign but not send as "exec": his test send is refused', async () => {
    // max without the owner-only limit: Sugar lets him change sally's Campaign (a colleague on her team, say).
    stack.sim.setRole('max', { denied: {} });
    const sally = asUser(stack, await sugarToken(stack, 'sally'));
    const max = asUser(stack, await sugarToken(stack, 'max'));
    const content = { subject: 'Board memo', fromName: 'The CEO', fromEmail: 'ceo@exec.example.test', html: '<p>memo</p>' };
    // max may not pick the identity himself.
    const own = await max('POST', '/campaigns', { name: 'Max exec', ...content, senderIdentityId: execId, targetListIds: [listId] });
    expect(own).toMatchObject({ status: 403, body: { error: 'identity_not_allowed' } });

    const c = await sally('POST', '/campaigns', { name: 'Exec memo', ...content, senderIdentityId: execId, targetListIds: [listId] });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    await waitFor(async () => ((await sally('GET', `/campaigns/${c.body.id}`)).body.writeback?.sugarCampaignId ? true : undefined), 'its Sugar Campaign');
    expect((await max('GET', `/campaigns/${c.body.id}`)).body.mayEdit).toBe(true);

    const t = await max('POST', `/campaigns/${c.body.id}/test-send`, { addresses: ['anyone@outside.example'] });
    expect(t.status, JSON.stringify(t.body)).toBe(403);
    expect(t.body.error).toBe('identity_not_allowed');
    // sally, one of its users, still may.
    const hers = await sally('POST', `/campaigns/${c.body.id}/test-send`, { addresses: ['sally.test@example.org'] });
    expect(hers.status, JSON.stringify(hers.body)).toBe(200);
    expect(stack.sink.messages.map((m) => m.envelope.to[0])).not.toContain('anyone@outside.example');
  }, 60_000);
});
