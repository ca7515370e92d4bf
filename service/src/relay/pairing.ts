// Pairing (docs/relay.md): an administrator types a one-time code shown by the service into Sugar; Sugar trades
// it for the relay secret it will sign every forwarded call with. One pairing at a time; a new one replaces it.
import { randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { parseInput } from '../domain/input.js';
import { newPairingCode, normalisePairingCode, PAIRING_CODE_TTL_MS, PAIRING_MAX_FAILURES, pairingCodeHash } from '../domain/pairing-code.js';
import { seal, unseal } from '../domain/sealed.js';
import type { RelayRepo } from '../ports/index.js';
import { PairBody } from './schemas.js';

export interface PairingDeps {
  relay: RelayRepo;
  /** LEADFWD_SECRET first, then LEADFWD_SECRET_PREVIOUS: the relay secret is sealed with the first, opened with either. */
  serviceSecrets: readonly string[];
  now?: () => Date;
}

export const PURPOSE = 'relay-secret';
const invalid = () => new AppError('pairing_code_invalid', 'This pairing code is not valid: make a new one on the LeadFWD service and try again');

export function createPairing(deps: PairingDeps) {
  const now = deps.now ?? (() => new Date());
  let cached: { sealed: string; secret: Buffer | undefined } | undefined;

  async function newCode(): Promise<{ code: string; expiresAt: string }> {
    const code = newPairingCode();
    const expiresAt = new Date(now().getTime() + PAIRING_CODE_TTL_MS).toISOString();
    await deps.relay.newPairingCode(pairingCodeHash(normalisePairingCode(code)!), expiresAt);
    return { code, expiresAt };
  }

  /**
   * The code a starting process shows, unless one is out already (another process's, started beside it, or an earlier
   * start's): a new code replaces the live one, so each of several processes printing its own left only the last
   * one working. Then only when the live one runs out.
   */
  async function codeAtStart(): Promise<{ code: string; expiresAt: string } | { liveUntil: string }> {
    const live = await deps.relay.pairingCode();
    if (live && !live.usedAt && live.expiresAt > now().toISOString() && live.failures < PAIRING_MAX_FAILURES) return { liveUntil: live.expiresAt };
    return await newCode();
  }

  /** Trades a live code for a new relay secret, answered once and kept only sealed. */
  async function pair(body: unknown): Promise<{ service: 'leadfwd'; relay: 1; secret: string; pairedAt: string }> {
    const { code, sugarUrl } = parseInput(PairBody, typeof body === 'object' && body !== null ? body : {}, 'bad_request');
    const canonical = normalisePairingCode(code);
    const live = await deps.relay.pairingCode();
    const at = now().toISOString();
    const usable = live && !live.usedAt && live.expiresAt > at && live.failures < PAIRING_MAX_FAILURES;
    if (!canonical || !usable || live.codeHash !== pairingCodeHash(canonical) || !(await deps.relay.usePairingCode(live.codeHash, at, PAIRING_MAX_FAILURES))) {
      if (usable) await deps.relay.pairingCodeFailed();
      throw invalid();
    }
    const secret = randomBytes(32);
    await deps.relay.pair(seal(deps.serviceSecrets[0], PURPOSE, secret), sugarUrl, at);
    cached = undefined;
    return { service: 'leadfwd', relay: 1, secret: secret.toString('base64url'), pairedAt: at };
  }

  /** The relay secret, or undefined while not paired (or sealed with a secret the service no longer has). */
  async function secret(): Promise<Buffer | undefined> {
    const row = await deps.relay.pairing();
    if (!row) return undefined;
    if (cached?.sealed !== row.secretSealed) cached = { sealed: row.secretSealed, secret: unseal(deps.serviceSecrets, PURPOSE, row.secretSealed) };
    return cached.secret;
  }

  return {
    newCode,
    codeAtStart,
    pair,
    secret,
    status: async () => {
      const row = await deps.relay.pairing();
      return { paired: (await secret()) !== undefined, pairedAt: row?.pairedAt };
    },
  };
}

export type Pairing = ReturnType<typeof createPairing>;
