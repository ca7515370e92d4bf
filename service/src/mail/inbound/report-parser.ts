// Turns a raw inbound message into what the intake needs: the machine-readable report parts
// (delivery-status, feedback-report), the ids of the returned original message, and whether it is
// an auto-reply. postal-mime keeps report parts and the returned message as attachments.
import PostalMime from 'postal-mime';
import {
  type DeliveryStatus,
  type FeedbackReport,
  isAutoReply,
  messageIdsIn,
  parseDeliveryStatus,
  parseFeedbackReport,
  parseFieldBlocks,
} from '../../domain/dsn.js';
import type { InboundReport } from '../../ports/mail.js';

export type { InboundReport } from '../../ports/mail.js';

const DELIVERY_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const FEEDBACK_TYPES = new Set(['message/feedback-report']);
const ORIGINAL_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers', 'message/rfc822-headers']);
const decoder = new TextDecoder('utf-8', { fatal: false });
/**
 * What of a message is parsed. Anyone may write to the feedback-loop mailbox, and the parser runs on the main thread:
 * 774 KB of empty MIME parts held it 1.2–2.3 s, the pixel and the API with it. A report's parts come first and the returned
 * message's headers right after them, so its first 256 KB and 100 parts hold all a report needs.
 */
export const MAX_PARSED_BYTES = 256 * 1024;
export const MAX_PARSED_PARTS = 100;

/** The message up to `MAX_PARSED_BYTES`, cut before the boundary line past `MAX_PARSED_PARTS`. */
export function parsedPrefix(raw: Buffer | Uint8Array | string): Buffer {
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let end = Math.min(bytes.length, MAX_PARSED_BYTES);
  let parts = 0;
  for (let i = bytes.indexOf('\n--'); i !== -1 && i < end; i = bytes.indexOf('\n--', i + 3)) {
    if (++parts > MAX_PARSED_PARTS) {
      end = i + 1;
      break;
    }
  }
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

function text(content: ArrayBuffer | string | Uint8Array): string {
  return typeof content === 'string' ? content : decoder.decode(content);
}

/** The header block of a returned message (everything before its first empty line). */
function originalHeaderIds(part: string): string[] {
  const head = part
    .slice(0, 64 * 1024)
    .replace(/\r\n?/g, '\n')
    .split('\n\n')[0];
  const fields = parseFieldBlocks(head)[0];
  return messageIdsIn(fields?.get('message-id'));
}

export async function parseInboundReport(raw: Buffer | Uint8Array | string): Promise<InboundReport> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(parsedPrefix(raw), {
      forceRfc822Attachments: true,
      maxNestingDepth: 32,
      maxHeadersSize: 256 * 1024,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (err) {
    return { kind: 'other', autoReply: false, messageIds: [], error: (err as Error)?.message ?? 'unparseable' };
  }
  const header = (name: string) => email.headers.find((h) => h.key === name)?.value;
  const ids = new Set<string>([...messageIdsIn(header('in-reply-to')), ...messageIdsIn(header('references'))]);
  let delivery: DeliveryStatus | undefined;
  let feedback: FeedbackReport | undefined;
  for (const a of email.attachments.slice(0, 50)) {
    const type = (a.mimeType ?? '').toLowerCase();
    if (DELIVERY_TYPES.has(type) && !delivery) {
      const body = text(a.content);
      delivery = parseDeliveryStatus(body);
      const perMessage = parseFieldBlocks(body)[0];
      for (const id of messageIdsIn(perMessage?.get('x-original-message-id'))) ids.add(id);
    } else if (FEEDBACK_TYPES.has(type) && !feedback) {
      feedback = parseFeedbackReport(text(a.content));
    } else if (ORIGINAL_TYPES.has(type)) {
      for (const id of originalHeaderIds(text(a.content))) ids.add(id);
    }
  }
  const kind = feedback ? 'arf' : delivery ? 'dsn' : 'other';
  return {
    kind,
    autoReply: isAutoReply({
      autoSubmitted: header('auto-submitted'),
      subject: email.subject,
      precedence: header('precedence'),
      xAutoreply: header('x-autoreply'),
    }),
    subject: email.subject?.slice(0, 300),
    messageIds: [...ids].slice(0, 100),
    ...(delivery ? { delivery } : {}),
    ...(feedback ? { feedback } : {}),
    humanText: (email.text ?? '').slice(0, 4000) || undefined,
  };
}
