// A generic JSON webhook for bounce, complaint and unsubscribe events from an ESP or a relay that
// rewrites the envelope sender (so VERP never comes back). Authenticated by a shared secret, as a
// bearer token or an HMAC-SHA256 of the body; each event must name our Message-ID, which proves
// the message was ours and names the recipient row.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { addressKey } from '../../domain/address.js';
import { classifyBounce, isComplaintFeedback, type BounceVerdictKind } from '../../domain/bounce-rules.js';
import { rowIdFromMessageId } from '../../domain/dsn.js';
import { AppError } from '../../domain/errors.js';
import type { FactRecorder } from '../../services/engagement/facts.js';
import type { RecipientLookup } from '../../services/engagement/recipients.js';

export interface WebhookDeps {
  /** Unset: the webhook is disabled and answers 404. */
  secret: string | undefined;
  facts: FactRecorder;
  lookup: Pick<RecipientLookup, 'get'>;
}

export interface WebhookEvent {
  type?: unknown;
  messageId?: unknown;
  recipient?: unknown;
  bounceType?: unknown;
  status?: unknown;
  diagnostic?: unknown;
  feedbackType?: unknown;
}

type Result = { index: number; result: string; reason?: string };

const MAX_EVENTS = 1000;
const KINDS = new Set<BounceVerdictKind>(['hard', 'soft', 'block']);
const str = (v: unknown, max = 2000) => (typeof v === 'string' ? v.slice(0, max) : undefined);
const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();

function authorised(req: Request, body: Buffer, secret: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (bearer && timingSafeEqual(digest(bearer), digest(secret))) return true;
  const sig = /^sha256=([0-9a-f]{64})$/i.exec(req.get('x-leadfwd-signature') ?? '')?.[1];
  if (!sig) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(sig.toLowerCase(), 'hex'), expected);
}

export function handleWebhookEvent(deps: Pick<WebhookDeps, 'facts' | 'lookup'>, e: WebhookEvent, index: number): Result {
  if (typeof e !== 'object' || e === null) return { index, result: 'rejected', reason: 'not_an_object' };
  const messageId = str(e.messageId, 300)?.trim();
  const id = messageId ? (messageId.startsWith('<') ? messageId : `<${messageId}>`) : undefined;
  const rowId = id ? rowIdFromMessageId(id) : null;
  const row = rowId !== null ? deps.lookup.get(rowId) : undefined;
  if (rowId === null || !row?.messageId || row.messageId.toLowerCase() !== id!.toLowerCase()) {
    return { index, result: 'rejected', reason: 'not_our_message' };
  }
  const recipient = str(e.recipient, 320);
  if (recipient !== undefined && addressKey(recipient) !== row.addressKey) return { index, result: 'rejected', reason: 'recipient_mismatch' };

  switch (e.type) {
    case 'bounce': {
      const status = str(e.status, 20);
      const diagnostic = str(e.diagnostic);
      const given = str(e.bounceType) as BounceVerdictKind | undefined;
      // The reply text and code decide when present; the ESP's own label only when nothing else is given.
      const verdict = status || diagnostic || !given || !KINDS.has(given)
        ? classifyBounce({ status, diagnostic })
        : { kind: given, rule: `webhook.${given}`, version: 'esp' };
      const res = deps.facts.bounce(rowId, { ...verdict, diagnostic, source: 'webhook' });
      return { index, result: 'bounce', reason: `${verdict.kind}${res.recorded ? '' : ':replay'}` };
    }
    case 'complaint': {
      const type = str(e.feedbackType, 40) ?? 'abuse';
      if (!isComplaintFeedback(type)) return { index, result: 'ignored', reason: `feedback_type:${type}` };
      const res = deps.facts.complaint(rowId, type, 'webhook');
      return { index, result: 'complaint', ...(res.recorded ? {} : { reason: 'replay' }) };
    }
    case 'unsubscribe': {
      const res = deps.facts.optOut(rowId, 'webhook');
      return { index, result: 'optout', ...(res.recorded ? {} : { reason: 'replay' }) };
    }
    default:
      return { index, result: 'rejected', reason: 'unknown_type' };
  }
}

export function webhookRoutes(deps: WebhookDeps): Router {
  const r = Router();
  r.post('/webhooks/events', express.raw({ type: () => true, limit: '1mb' }), (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    if (!deps.secret) throw new AppError('not_found', 'The event webhook is not configured');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!authorised(req, body, deps.secret)) throw new AppError('unauthorized', 'Bad or missing webhook credentials');
    let parsed: unknown;
    try { parsed = JSON.parse(body.toString('utf8')); } catch {
      throw new AppError('bad_json', 'Body is not valid JSON');
    }
    const events = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { events?: unknown })?.events) ? (parsed as { events: unknown[] }).events : [parsed];
    if (events.length > MAX_EVENTS) throw new AppError('too_many_events', `At most ${MAX_EVENTS} events per call`);
    res.json({ results: events.map((e, i) => handleWebhookEvent(deps, e as WebhookEvent, i)) });
  });
  return r;
}
