// Every process on one database must hold the same LEADFWD_SECRET: links in mail already sent, sealed relay passwords
// and the shared Sugar session open only with it. A process started with another one would answer 404 to every link
// and re-seal the shared secrets with its own key, breaking them for the others; so the database keeps a value sealed
// with the secret, and a process that cannot open it with its current or previous secret is refused at start.
import { seal, unseal } from './sealed.js';

const PURPOSE = 'secret-check';
const CANARY = Buffer.from('leadfwd');

export type SecretVerdict = { keep: true } | { store: string } | { refused: string };

/** `secrets` is [current, previous?]; `stored` the database's value, undefined before any process kept one. */
export function judgeSecret(stored: string | undefined, secrets: readonly string[]): SecretVerdict {
  const opens = (keys: readonly string[]) => stored !== undefined && !!unseal(keys, PURPOSE, stored)?.equals(CANARY);
  if (opens(secrets.slice(0, 1))) return { keep: true };
  // First start on this database, or the first with a rotated secret: from now on the current one is the database's.
  if (stored === undefined || opens(secrets.slice(1))) return { store: seal(secrets[0], PURPOSE, CANARY) };
  return {
    refused:
      'LEADFWD_SECRET is not the secret this database is used with: links in mail already sent and the secrets it keeps ' +
      'would not open. Give this process the same LEADFWD_SECRET as the others; to rotate it, give the new one as ' +
      'LEADFWD_SECRET and the old one as LEADFWD_SECRET_PREVIOUS',
  };
}
