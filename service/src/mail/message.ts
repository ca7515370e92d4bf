// One recipient's message as raw MIME, built by string joining from the compiled campaign:
// tokens, per-recipient URLs, headers and quoted-printable bodies. DKIM is added at send time
// by the transport, which owns the key.
import { randomBytes } from 'node:crypto';
import { type ClickSigning, messageTokens, type TokenPerson } from '../domain/tokens.js';
import { verpAddress } from '../domain/verp.js';
import type { BuiltMessage, MessageContext, RecipientForMessage } from '../ports/mail.js';
import { encodeUnstructured, formatMailbox, rfc5322Date } from './mime.js';
import { type CompiledCampaign, renderContentQp, renderPreview } from './template.js';

export type { BuiltMessage, MessageContext, RecipientForMessage } from '../ports/mail.js';
export type { CompiledCampaign } from './template.js';

const ATOM_UNSAFE = /[^A-Za-z0-9-]/g;

// One CSPRNG call per 455 Message-IDs instead of one each: each call into OpenSSL costs ~5 µs.
const RANDOM_POOL = 4095;
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomId(): string {
  if (poolAt + 9 > pool.length) {
    pool = randomBytes(RANDOM_POOL);
    poolAt = 0;
  }
  poolAt += 9;
  return pool.toString('base64url', poolAt - 9, poolAt);
}

/** `person`: the row's campaign and address, which every token checks against the row it names. */
export function trackingUrls(ctx: MessageContext, rowId: number, person: TokenPerson, clicks?: ClickSigning) {
  const base = ctx.publicUrl.replace(/\/+$/, '');
  const tokens = messageTokens(ctx.secret, rowId, person, clicks);
  return {
    base,
    unsubscribeUrl: `${base}/u/${tokens.unsubscribe}`,
    unsubscribeMailto: `mailto:unsubscribe+${tokens.unsubscribe}@${ctx.bounceDomain}`,
    pixelUrl: `${base}/t/o/${tokens.open}`,
    clickUrl: (linkIndex: number) => `${base}/t/c/${tokens.click(linkIndex)}`,
  };
}

export function buildMessage(c: CompiledCampaign, r: RecipientForMessage, ctx: MessageContext): BuiltMessage {
  const urls = trackingUrls(ctx, r.rowId, { campaignId: c.campaignId, email: r.email }, c.internal.clicks);
  const consent = r.trackingConsent === true;
  const clickCache = new Map<number, string>();
  const content = renderContentQp(c, r.fields ?? {}, {
    // Without consent links stay as written: no per-person tokens at all.
    clickUrl: consent ? (i) => clickCache.get(i) ?? (clickCache.set(i, urls.clickUrl(i)), clickCache.get(i)!) : () => null,
    pixelUrl: consent ? urls.pixelUrl : '',
    unsubscribeUrl: urls.unsubscribeUrl,
    postalAddress: ctx.senderPostalAddress,
  });

  const campaignAtom = c.campaignId.replace(ATOM_UNSAFE, '-').slice(0, 64) || 'campaign';
  const messageId = `<lf.${campaignAtom}.${r.rowId}.${randomId()}@${ctx.messageIdDomain}>`;
  const feedbackId = `${campaignAtom.slice(0, 40)}:campaign:${ctx.feedbackSenderId.replace(ATOM_UNSAFE, '')}`;
  const { boundary, replyToHeader } = c.internal;
  // "Send as the record's assigned user": the send loop passes a From the identity allows.
  const fromHeader = r.from ? formatMailbox(r.from.name, r.from.email) : c.internal.fromHeader;

  const head =
    `From: ${fromHeader}\r\n` +
    (replyToHeader ? `Reply-To: ${replyToHeader}\r\n` : '') +
    `To: ${formatMailbox(undefined, r.email)}\r\n` +
    `Subject: ${encodeUnstructured(content.subject, 7)}\r\n` +
    `Date: ${rfc5322Date()}\r\n` +
    `Message-ID: ${messageId}\r\n` +
    'MIME-Version: 1.0\r\n' +
    `List-Unsubscribe: <${urls.unsubscribeUrl}>,\r\n <${urls.unsubscribeMailto}>\r\n` +
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n' +
    `Feedback-ID: ${feedbackId}\r\n` +
    `Content-Type: multipart/alternative; boundary="${boundary}"\r\n`;
  const body =
    `--${boundary}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
    content.textQp +
    `\r\n--${boundary}\r\n` +
    'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
    content.htmlQp +
    `\r\n--${boundary}--\r\n`;

  return { messageId, envelope: { from: verpAddress(ctx.secret, r.rowId, ctx.bounceDomain), to: [r.email] }, raw: head + '\r\n' + body, canonicalBody: true };
}

/**
 * One recipient's message as they would get it (their merge values and fields), for the review step's preview. Its
 * links lead straight where they go and the unsubscribe link is a placeholder, as in the content preview: a link
 * copied from a preview and opened would otherwise record a click (written to Sugar as Click-thru and taken as proof
 * the message arrived) or an opt-out for a person who never acted. No open pixel either. `tracked`: the sent
 * message's links carry the person's tracking tokens.
 */
export function renderForRecipient(
  c: CompiledCampaign,
  r: RecipientForMessage,
  ctx: MessageContext,
): { subject: string; html: string; text: string; tracked: boolean } {
  return { ...renderPreview(c, r.fields ?? {}, { senderPostalAddress: ctx.senderPostalAddress }), tracked: r.trackingConsent === true };
}
