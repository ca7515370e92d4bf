// The one way tests get a secret the service accepts (LEADFWD_SECRET, LEADFWD_SECRET_PREVIOUS, LEADFWD_API_KEY,
// LEADFWD_WEBHOOK_SECRET): 32 random bytes, base64url, as `openssl rand -base64 32` would give. A fresh one per
// call, so no test leans on a value anyone could know.
import { randomBytes } from 'node:crypto';

export function randomSecret(label = ''): string {
  return label + randomBytes(32).toString('base64url');
}
