// ESP and relay webhook events (bounce, complaint, unsubscribe) as facts: each must name our Message-ID, which
// proves the message was ours and names the recipient row; a recipient that does not match is refused.
import { addressKey } from '../domain/address.js';
import { type BounceVerdictKind, classifyBounce, isComplaintFeedback } from '../domain/bounce-rules.js';
import { rowIdFromMessageId } from '../domain/dsn.js';
import type { FactRecorder } from '../engagement/facts.js';
import type { RecipientLookup } from '../engagement/recipients.js';

export interface WebhookEventDeps {
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

const KINDS = new Set<BounceVerdictKind>(['hard', 'soft', 'block']);
const str = (v: unknown, max = 2000) => (typeof v === 'string' ? v.slice(0, max) : undefined);

export async function handleWebhookEvent(deps: WebhookEventDeps, e: WebhookEvent, index: number): Promise<Result> {
  if (typeof e !== 'object' || e === null) return { index, result: 'rejected', reason: 'not_an_object' };
  const messageId = str(e.messageId, 300)?.trim();
  const id = messageId ? (messageId.startsWith('<') ? messageId : `<${messageId}>`) : undefined;
  const rowId = id ? rowIdFromMessageId(id) : null;
  const row = rowId !== null ? await deps.lookup.get(rowId) : undefined;
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
      const verdict =
        status || diagnostic || !given || !KINDS.has(given)
          ? classifyBounce({ status, diagnostic })
          : { kind: given, rule: `webhook.${given}`, version: 'esp' };
      const res = await deps.facts.bounce(rowId, { ...verdict, diagnostic, source: 'webhook' });
      return { index, result: 'bounce', reason: `${verdict.kind}${res.recorded ? '' : ':replay'}` };
    }
    case 'complaint': {
      const type = str(e.feedbackType, 40) ?? 'abuse';
      if (!isComplaintFeedback(type)) return { index, result: 'ignored', reason: `feedback_type:${type}` };
      const res = await deps.facts.complaint(rowId, type, 'webhook');
      return { index, result: 'complaint', ...(res.recorded ? {} : { reason: 'replay' }) };
    }
    case 'unsubscribe': {
      const res = await deps.facts.optOut(rowId, 'webhook');
      return { index, result: 'optout', ...(res.recorded ? {} : { reason: 'replay' }) };
    }
    default:
      return { index, result: 'rejected', reason: 'unknown_type' };
  }
}
