// Sender identities for tests that drive the send path without the service: an approved identity with generous
// rates, and the profile (relay, key) delivery sends with.
import type { SenderIdentity } from '../../service/src/domain/identity.js';
import type { SenderProfile } from '../../service/src/ports/index.js';
import type { SenderChoice } from '../../service/src/sending/send-loop.js';

export function testIdentity(over: Partial<SenderIdentity> = {}): SenderIdentity {
  return {
    id: 'identity-test',
    name: 'Test identity',
    isDefault: true,
    fromDomains: ['example.test', 'acme.example'],
    fromAddresses: [],
    relay: { url: 'smtp://127.0.0.1:25', hasPassword: false, maxConnections: 5 },
    bounceDomain: 'bounces.acme.example',
    rate: { perSecond: 100_000, perHour: 0, perDay: 0 },
    providerLimits: {},
    users: [],
    approval: { how: 'forced', by: 'test', at: '2026-01-01T00:00:00.000Z' },
    fromEnvironment: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function testProfile(smtpUrl: string, over: Partial<SenderProfile> = {}): SenderProfile {
  return {
    identityId: 'identity-test',
    key: `test:${smtpUrl}`,
    smtpUrl,
    maxConnections: 2,
    bounceDomain: 'bounces.acme.example',
    messageIdDomain: 'acme.example',
    ...over,
  };
}

/** Every campaign sends as this identity with this profile. */
export const sendsAs =
  (profile: SenderProfile, identity: SenderIdentity = testIdentity()) =>
  async (): Promise<SenderChoice> => ({ identity, profile });
