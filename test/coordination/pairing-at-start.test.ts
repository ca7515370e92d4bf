// Three processes with the api role start at once on one PostgreSQL while no Sugar is paired: each used to make its
// own pairing code, each replacing the one before, so only the last one printed worked. Taking turns under a lease,
// the first makes a code and the others name its expiry; that code pairs.
import { describe, expect, it } from 'vitest';
import { createLeaseRunner } from '../../service/src/coordination/lease-runner.js';
import { createPairing } from '../../service/src/relay/pairing.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';
import { randomSecret } from '../support/secrets.js';

describe.skipIf(!debianPgBin())('pairing codes of processes starting together', () => {
  const owners = ['a', 'b', 'c'];
  const { stores } = useProcessStores('pairing', { owners });
  const secret = randomSecret();

  it('makes one code, which the others name and which pairs', async () => {
    const shown = await Promise.all(
      stores.map((store, i) => {
        const pairing = createPairing({ relay: store.relay, serviceSecrets: [secret] });
        const leases = createLeaseRunner({ leases: store.leases, owner: owners[i], ttlMs: 3000 });
        return leases.inTurn('start:pairing-code', pairing.codeAtStart);
      }),
    );
    const codes = shown.filter((s): s is { code: string; expiresAt: string } => 'code' in s);
    expect(codes).toHaveLength(1);
    const others = shown.filter((s): s is { liveUntil: string } => 'liveUntil' in s);
    expect(others.map((o) => o.liveUntil)).toEqual([codes[0].expiresAt, codes[0].expiresAt]);
    const paired = await createPairing({ relay: stores[2].relay, serviceSecrets: [secret] }).pair({ code: codes[0].code });
    expect(paired).toMatchObject({ service: 'leadfwd', relay: 1 });
  });
});
