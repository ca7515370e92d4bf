// Secrets the service keeps at rest (the relay secret Sugar shares with it) are sealed with a key derived from
// LEADFWD_SECRET, so a copied database file alone does not reveal them. Opening tries the current key, then the
// previous one, so a rotation of LEADFWD_SECRET keeps stored secrets readable.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 's1';
const keyFor = (serviceSecret: string, purpose: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(serviceSecret, 'utf8'), Buffer.alloc(0), `leadfwd-sealed:${purpose}`, 32));

export function seal(serviceSecret: string, purpose: string, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(serviceSecret, purpose), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The plain bytes, or undefined when no given secret opens it (wrong key, damaged or foreign value). */
export function unseal(serviceSecrets: readonly string[], purpose: string, sealed: string): Buffer | undefined {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) return undefined;
  for (const secret of serviceSecrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      // not this key; try the previous one
    }
  }
  return undefined;
}
