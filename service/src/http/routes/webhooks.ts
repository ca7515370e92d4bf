// A generic JSON webhook for bounce, complaint and unsubscribe events from an ESP or a relay that
// rewrites the envelope sender (so VERP never comes back). Authenticated by a shared secret, as a
// bearer token or an HMAC-SHA256 of the body; each event must name our Message-ID, which proves
// the message was ours and names the recipient row.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { AppError } from '../../domain/errors.js';
import { handleWebhookEvent, type WebhookEvent, type WebhookEventDeps } from '../../inbound/webhook-events.js';

export interface WebhookDeps extends WebhookEventDeps {
  /** Unset: the webhook is disabled and answers 404. */
  secret: string | undefined;
}

const MAX_EVENTS = 1000;
const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();

function authorised(req: Request, body: Buffer, secret: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (bearer && timingSafeEqual(digest(bearer), digest(secret))) return true;
  const sig = /^sha256=([0-9a-f]{64})$/i.exec(req.get('x-leadfwd-signature') ?? '')?.[1];
  if (!sig) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(sig.toLowerCase(), 'hex'), expected);
}

export function webhookRoutes(deps: WebhookDeps): Router {
  const r = Router();
  r.post('/webhooks/events', express.raw({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    if (!deps.secret) throw new AppError('not_found', 'The event webhook is not configured');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!authorised(req, body, deps.secret)) throw new AppError('unauthorized', 'Bad or missing webhook credentials');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AppError('bad_json', 'Body is not valid JSON');
    }
    const events = Array.isArray(parsed)
      ? parsed
      : Array.isArray((parsed as { events?: unknown })?.events)
        ? (parsed as { events: unknown[] }).events
        : [parsed];
    if (events.length > MAX_EVENTS) throw new AppError('too_many_events', `At most ${MAX_EVENTS} events per call`);
    const results = [];
    for (const [i, e] of events.entries()) results.push(await handleWebhookEvent(deps, e as WebhookEvent, i));
    res.json({ results });
  });
  return r;
}
