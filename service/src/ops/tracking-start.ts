// Whether a tracking process may start from what an earlier run left in its data folder while PostgreSQL is down
// (store-start.ts): only from a snapshot of the schema this code has, saved against a secret check this process's
// secret opens. Anything else waits for the database, as a start always did, and its checks say what is wrong.
import { judgeSecret } from '../domain/secret-check.js';
import type { TrackingSnapshot } from '../ports/spool.js';

export function snapshotRefusal(s: TrackingSnapshot, schemaVersion: number, secrets: readonly string[]): string | undefined {
  if (s.schemaVersion !== schemaVersion)
    return `it was saved against schema version ${s.schemaVersion}, and this process has ${schemaVersion}: only the database can say which is right`;
  if ('refused' in judgeSecret(s.secretCheck, secrets)) return 'LEADFWD_SECRET does not open the secret check it holds';
  return undefined;
}
