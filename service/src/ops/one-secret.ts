// At start, before anything reads or seals a shared secret: this process's LEADFWD_SECRET must be the database's.
import { judgeSecret } from '../domain/secret-check.js';
import type { StoreOps } from '../ports/index.js';

/** Undefined when the process may go on; else why it must not start. `secrets` is [current, previous?]. */
export async function refusalOfSecret(
  store: Pick<StoreOps, 'secretCheck' | 'putSecretCheck'>,
  secrets: readonly string[],
  now: Date,
): Promise<string | undefined> {
  // A lost compare-and-set means another process stored or rotated it just now: judge its value.
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await store.secretCheck();
    const verdict = judgeSecret(stored, secrets);
    if ('keep' in verdict) return undefined;
    if ('refused' in verdict) return verdict.refused;
    if (await store.putSecretCheck(verdict.store, stored, now.toISOString())) return undefined;
  }
  return 'LEADFWD_SECRET keeps changing in the database under this process: other processes are starting with different secrets';
}
