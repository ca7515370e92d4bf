// The Sugar sessions of every process on one database, kept as one (sugar/token-session.ts says why): the tokens
// are sealed with the service secret in the store, and a renewal runs under a lease, so one process logs in (or
// refreshes, or buys a sudo token) while the others wait for its result and adopt it.
import { seal, unseal } from '../domain/sealed.js';
import type { LeaseRepo, SugarSessionRepo } from '../ports/index.js';
import { EARLY_MS, type SessionShare, type SessionTokens } from '../ports/sugar-sessions.js';

const PURPOSE = 'sugar-session';

export interface SharedSessionsDeps {
  store: { leases: LeaseRepo; sugarSessions: SugarSessionRepo };
  owner: string;
  serviceSecrets: readonly string[];
  /** Longer than a login with its retries can take; a renewer that died frees it after this. */
  leaseTtlMs?: number;
  /** How long a process waits for another's renewal before giving up on this call. */
  waitMs?: number;
  pollMs?: number;
  now?: () => number;
}

export function createSharedSessions(deps: SharedSessionsDeps): (name: string) => SessionShare {
  const { store, owner } = deps;
  const ttl = deps.leaseTtlMs ?? 120_000;
  const now = deps.now ?? Date.now;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  return (name) => {
    const lease = `sugar-session:${name}`;
    const read = async (): Promise<SessionTokens | undefined> => {
      const sealed = await store.sugarSessions.get(name);
      const plain = sealed ? unseal(deps.serviceSecrets, PURPOSE, sealed) : undefined;
      // Sealed with a secret no longer configured: as if none were kept, so the next renewal replaces it.
      return plain ? (JSON.parse(plain.toString('utf8')) as SessionTokens) : undefined;
    };
    const usable = (t: SessionTokens | undefined, failed: string | undefined): t is SessionTokens =>
      !!t && t.access !== failed && (t.expiresAt === undefined || now() < t.expiresAt - EARLY_MS);

    return {
      async renew(failed, grant) {
        const until = now() + (deps.waitMs ?? ttl);
        for (;;) {
          const kept = await read();
          if (usable(kept, failed)) return kept;
          if (await store.leases.acquire(lease, owner, ttl)) {
            try {
              // Another process may have renewed between the read and the lease.
              const latest = await read();
              if (usable(latest, failed)) return latest;
              const fresh = await grant(latest);
              await store.sugarSessions.put(name, seal(deps.serviceSecrets[0], PURPOSE, Buffer.from(JSON.stringify(fresh), 'utf8')));
              return fresh;
            } finally {
              await store.leases.release(lease, owner);
            }
          }
          if (now() > until) throw new Error(`another process has been renewing the Sugar session ${name} for too long`);
          await sleep(deps.pollMs ?? 100);
        }
      },
    };
  };
}
