// Sender identities through the service's API, as the end-to-end tests make them: sending through a relay on
// loopback, whose DNS checks cannot pass, so each is approved by force.
import { expect } from 'vitest';
import type { Stack } from './stack.js';

/** An identity sending as <name>.example.test through the relay on `relayPort`, with a generated key; `over` changes it. */
export const identityBody = (name: string, relayPort: number, over: Record<string, unknown> = {}) => ({
  name,
  fromDomains: [`${name}.example.test`],
  dkim: { domain: `${name}.example.test`, selector: 's1', generate: true },
  relay: { url: `smtp://127.0.0.1:${relayPort}` },
  bounceDomain: `bounces.${name}.example.test`,
  ...over,
});

/** Creates the identity (201, or the test fails showing the refusal) and approves it by force; answers its id. */
export async function approvedIdentity(api: Stack['api'], body: object, reason?: string): Promise<string> {
  const created = await api('POST', '/identities', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const approved = await api('POST', `/identities/${created.body.id}/approve`, { force: true, ...(reason ? { reason } : {}) });
  expect(approved.status).toBe(200);
  return created.body.id as string;
}
