// Which of our inbound mailboxes an envelope recipient names. Only signed addresses are accepted:
// a VERP return path (b-<row>-<sig>@bounce domain), a mailto unsubscribe
// (unsubscribe+<token>@bounce domain) or the feedback-loop mailbox for ARF complaints.
import { type VerifyKeys, verifyToken } from '../../domain/tokens.js';
import { parseVerp } from '../../domain/verp.js';
import type { InboundRoute } from '../../ports/mail.js';

export type { InboundRoute } from '../../ports/mail.js';

export const FBL_LOCAL_PART = 'fbl';

export function routeFor(address: string, secret: VerifyKeys, bounceDomain: string): InboundRoute | null {
  if (typeof address !== 'string' || address.length > 254) return null;
  const addr = address.trim().replace(/^<|>$/g, '');
  const at = addr.lastIndexOf('@');
  if (at <= 0 || addr.slice(at + 1).toLowerCase() !== bounceDomain.toLowerCase()) return null;
  const local = addr.slice(0, at);
  if (local.toLowerCase() === FBL_LOCAL_PART) return { type: 'fbl' };
  const unsub = /^unsubscribe\+(.{1,64})$/i.exec(local);
  if (unsub) {
    // Tokens are case-sensitive; an MTA that folds case breaks them, and then we refuse rather than guess.
    const p = verifyToken(secret, unsub[1], 'u');
    return p ? { type: 'unsubscribe', rowId: p.r, ...(p.p !== undefined ? { person: p.p } : {}) } : null;
  }
  const rowId = parseVerp(secret, addr, bounceDomain);
  return rowId === null ? null : { type: 'verp', rowId };
}
