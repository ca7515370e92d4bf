// Unsubscribe. POST /u/<token> is RFC 8058 one-click (urlencoded or multipart, no cookies, no CSRF
// or auth: the signed token is the authority), idempotent, 200 and never a redirect. GET only shows
// a confirmation page with a real form button, because link scanners fetch every URL they see.
// Through a database outage a tracking process with a spool keeps both working from the token alone: the page
// leaves out the masked address it cannot read, and the POST is answered 200 once the opt-out is on disk (a mailbox
// provider's one-click must never fail); the spool's replay suppresses and writes it back.
import { createHash } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { type VerifyKeys, verifyToken } from '../../domain/tokens.js';
import type { FactResult } from '../../engagement/facts.js';
import type { RecipientLookup } from '../../engagement/recipients.js';
import { StoreUnavailableError } from '../../ports/errors.js';
import type { Log } from '../../ports/log.js';

export interface UnsubscribeDeps {
  /** Current secret first, then the one before a rotation (LEADFWD_SECRET_PREVIOUS). */
  secret: VerifyKeys;
  /** Records the opt-out; undefined: kept in the spool, to be recorded once the database answers. */
  facts: { optOut(rowId: number, source: 'one_click' | 'page', person?: string): Promise<FactResult | undefined> };
  lookup: Pick<RecipientLookup, 'get'>;
  /** True while hits and opt-outs go to the spool: the page is shown without reading the row. */
  spooling?: () => boolean;
  senderName: string;
  senderAddress: string;
  logger?: Pick<Log, 'error'>;
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1a1a1a;background:#f6f6f6}' +
  'main{max-width:32rem;margin:0 auto;background:#fff;padding:2rem;border-radius:8px}' +
  'button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#1f4fd1;color:#fff;cursor:pointer}' +
  'button:focus{outline:3px solid #f5a623;outline-offset:2px}address{font-style:normal;color:#555;margin-top:2rem}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

const SECURITY_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Enough for the reader to recognise their address, not enough to harvest it from a forwarded link. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  return `${local[0]}${'*'.repeat(Math.min(Math.max(local.length - 1, 2), 8))}${email.slice(at)}`;
}

function page(deps: UnsubscribeDeps, title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)} – ${escapeHtml(deps.senderName)}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}` +
    `<address>${escapeHtml(deps.senderName)}<br>${escapeHtml(deps.senderAddress)}</address></main></body></html>`
  );
}

function send(res: Response, status: number, html: string) {
  res.status(status).set(SECURITY_HEADERS).send(html);
}

export function unsubscribeRoutes(deps: UnsubscribeDeps): Router {
  const r = Router();
  const tryAgain = (res: Response) =>
    send(res.set('Retry-After', '60'), 503, page(deps, 'Please try again', '<p>We could not take your request just now. Please try again in a minute.</p>'));
  const invalid = (res: Response) =>
    send(res, 404, page(deps, 'Link not valid', '<p>This unsubscribe link is not valid. If you copied it, please use the link from the message itself.</p>'));

  r.use('/u', async (req: Request, res: Response, next) => {
    const path = req.url.split('?')[0];
    const token = path.slice(1);
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return next();
    const p = verifyToken(deps.secret, token, 'u');
    if (!p) return invalid(res);

    if (req.method !== 'POST') {
      let email: string | undefined;
      if (!deps.spooling?.()) {
        try {
          const r0 = await deps.lookup.get(p.r, p.p);
          if (!r0) return invalid(res);
          email = r0.email;
        } catch (err) {
          // Only with a spool can the POST be taken without the database; otherwise a person reads "try again", not JSON.
          if (!(err instanceof StoreUnavailableError) || !deps.spooling) {
            deps.logger?.error({ err, rowId: p.r }, 'unsubscribe.page_failed');
            return tryAgain(res);
          }
        }
      }
      const at = email === undefined ? '' : ` at <strong>${escapeHtml(maskEmail(email))}</strong>`;
      return send(
        res,
        200,
        page(
          deps,
          'Unsubscribe',
          `<p id="what">Stop receiving these emails from ${escapeHtml(deps.senderName)}${at}?</p>` +
            '<form method="post" action="?via=page"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
            '<button type="submit" aria-describedby="what">Unsubscribe</button></form>',
        ),
      );
    }

    req.resume(); // the body (List-Unsubscribe=One-Click, either encoding) carries nothing we need
    let result: FactResult | undefined;
    try {
      result = await deps.facts.optOut(p.r, /(?:^|&)via=page(?:&|$)/.test(req.url.split('?')[1] ?? '') ? 'page' : 'one_click', p.p);
    } catch (err) {
      // Never claim success we did not record: the client may retry, the reader can try again.
      deps.logger?.error({ err, rowId: p.r }, 'unsubscribe.failed');
      return tryAgain(res);
    }
    if (result && !result.known) return invalid(res);
    send(res, 200, page(deps, 'You are unsubscribed', `<p>You will not receive these emails from ${escapeHtml(deps.senderName)} any more.</p>`));
  });
  return r;
}
