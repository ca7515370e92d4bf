// At start, before anything reads or seals a shared secret: this process's LEADFWD_SECRET must be the database's.
import { judgeSecret, type SealedBefore } from '../domain/secret-check.js';
import { KEY_PURPOSE, PASSWORD_PURPOSE } from '../identities/service.js';
import type { StoreOps, StorePart } from '../ports/index.js';
import { PURPOSE as RELAY_PURPOSE } from '../relay/pairing.js';

export type SecretCheckStore = Pick<StoreOps, 'secretCheck' | 'putSecretCheck'> & StorePart<{ identities: 'list' | 'secrets'; relay: 'pairing' }>;

/** Undefined when the process may go on; else why it must not start. `secrets` is [current, previous?]. */
export async function refusalOfSecret(store: SecretCheckStore, secrets: readonly string[], now: Date): Promise<string | undefined> {
  // A lost compare-and-set means another process stored or rotated it just now: judge its value.
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await store.secretCheck();
    const verdict = judgeSecret(stored, secrets, stored === undefined ? await sealedBefore(store) : []);
    if ('keep' in verdict) return undefined;
    if ('refused' in verdict) return verdict.refused;
    if (await store.putSecretCheck(verdict.store, stored, now.toISOString())) return undefined;
  }
  return 'LEADFWD_SECRET keeps changing in the database under this process: other processes are starting with different secrets';
}

/** What the database already holds sealed with some process's secret (none on a new database). */
async function sealedBefore(store: SecretCheckStore): Promise<SealedBefore[]> {
  const out: SealedBefore[] = [];
  const pairing = await store.relay.pairing();
  if (pairing) out.push({ purpose: RELAY_PURPOSE, sealed: pairing.secretSealed });
  for (const identity of await store.identities.list()) {
    const s = await store.identities.secrets(identity.id);
    if (s?.dkimKeySealed) out.push({ purpose: KEY_PURPOSE, sealed: s.dkimKeySealed });
    if (s?.relayPasswordSealed) out.push({ purpose: PASSWORD_PURPOSE, sealed: s.relayPasswordSealed });
  }
  return out;
}
