// Every process on one database must hold the same LEADFWD_SECRET: links in mail already sent, sealed relay passwords
// and the shared Sugar session open only with it. A process started with another one would answer 404 to every link
// and re-seal the shared secrets with its own key, breaking them for the others; so the database keeps a value sealed
// with the secret, and a process that cannot open it with its current or previous secret is refused at start.
import { seal, unseal } from './sealed.js';

const PURPOSE = 'secret-check';
const CANARY = Buffer.from('leadfwd');

export type SecretVerdict = { keep: true } | { store: string } | { refused: string };

/** A value some process sealed with its secret before (a relay password, a DKIM key, the relay pairing). */
export interface SealedBefore {
  purpose: string;
  sealed: string;
}

/** Whether `sealed`, a secret check, opens with one of `secrets`. */
export function opensWith(sealed: string, secrets: readonly string[]): boolean {
  return !!unseal(secrets, PURPOSE, sealed)?.equals(CANARY);
}

/**
 * `secrets` is [current, previous?]; `stored` the database's value, undefined before any process kept one;
 * `before` the values already sealed in the database, read only when `stored` is undefined.
 */
export function judgeSecret(stored: string | undefined, secrets: readonly string[], before: readonly SealedBefore[] = []): SecretVerdict {
  const opens = (keys: readonly string[]) => stored !== undefined && opensWith(stored, keys);
  if (opens(secrets.slice(0, 1))) return { keep: true };
  // A database used before the check existed (upgraded) has none stored yet, but may hold values sealed with its
  // secret: the first process started after the upgrade must not make its own secret the database's if it cannot
  // open one of them, or one misconfigured host restarted first would lock out all the rightly configured ones.
  if (stored === undefined && before.length > 0 && !before.some((b) => unseal(secrets, b.purpose, b.sealed) !== undefined)) {
    return {
      refused:
        'LEADFWD_SECRET is not the secret this database is used with: it holds relay passwords, DKIM keys or the relay ' +
        'pairing sealed with another one. Give this process the same LEADFWD_SECRET as the others (the old one as ' +
        'LEADFWD_SECRET_PREVIOUS to rotate it)',
    };
  }
  // First start on this database, or the first with a rotated secret: from now on the current one is the database's.
  if (stored === undefined || opens(secrets.slice(1))) return { store: seal(secrets[0], PURPOSE, CANARY) };
  return {
    refused:
      'LEADFWD_SECRET is not the secret this database is used with: links in mail already sent and the secrets it keeps ' +
      'would not open. Give this process the same LEADFWD_SECRET as the others; to rotate it, give the new one as ' +
      'LEADFWD_SECRET and the old one as LEADFWD_SECRET_PREVIOUS',
  };
}
