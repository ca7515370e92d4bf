// At start, before anything reads or seals a shared secret: this process's LEADFWD_SECRET must be the database's.
import { judgeSecret, opensWith, type SealedBefore } from '../domain/secret-check.js';
import { KEY_PURPOSE, PASSWORD_PURPOSE } from '../identities/service.js';
import type { StoreOps, StorePart } from '../ports/index.js';
import { PURPOSE as RELAY_PURPOSE } from '../relay/pairing.js';

export type SecretCheckStore = Pick<StoreOps, 'secretCheck' | 'putSecretCheck' | 'secretChecksElsewhere' | 'firstStart'> &
  StorePart<{ identities: 'list' | 'secrets'; relay: 'pairing' }>;

/** Undefined when the process may go on; else why it must not start. `secrets` is [current, previous?]. */
export async function refusalOfSecret(store: SecretCheckStore, secrets: readonly string[], now: Date): Promise<string | undefined> {
  if ((await store.secretCheck()) !== undefined) return await judgeAndKeep(store, secrets, now);
  // The first start of this store: the look at the database's other stores and the check kept here are one step for the
  // whole database, or two first starts in two schemas at once each saw nothing of the other (a review: 3 runs of 5).
  return await store.firstStart(async () => (await splitFrom(store, secrets)) ?? (await judgeAndKeep(store, secrets, now)));
}

async function judgeAndKeep(store: SecretCheckStore, secrets: readonly string[], now: Date): Promise<string | undefined> {
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

/**
 * A first start in a store while the database holds another store opened with this secret: one LeadFWD's
 * processes on two schemas (a search_path in one host's URL) split its work, and every link the other sent is a 404
 * here (an operator's trial). Another LeadFWD in the same database has a secret of its own.
 */
async function splitFrom(store: SecretCheckStore, secrets: readonly string[]): Promise<string | undefined> {
  const ours = (await store.secretChecksElsewhere()).filter((c) => opensWith(c.sealed, secrets)).map((c) => c.place);
  if (!ours.length) return undefined;
  return (
    `this LeadFWD (its LEADFWD_SECRET) keeps its data in ${ours.join(', ')} of this database, and this process's schema ` +
    'was never used with it: processes of one LeadFWD must share one schema (check the search_path in ' +
    "LEADFWD_DATABASE_URL's options). To run a second, separate LeadFWD in this database, give it a LEADFWD_SECRET of its own"
  );
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
