// The send flow's review step (issue 13): the people a held campaign would reach, and the real message one of them
// would get — their merge values, custom fields and defaults, with the tracking links of their own ledger row — so
// a person checks what is sent before confirming it. Nothing is recorded: the preview has no open pixel, and a
// preview is not a send. Also the MJML → HTML conversion the content step offers when its format is switched.
import type { Actor } from '../access/actor.js';
import { requireModule, requireReadableFields } from '../access/policy.js';
import type { Campaign } from '../domain/types.js';
import { trackingUrls, type MessageContext } from '../mail/message.js';
import { compileMjml } from '../mail/mjml-compile.js';
import { ContentTooLargeError, TemplateError, renderContent, type CompiledCampaign } from '../mail/template.js';
import type { LedgerRecipient, RecipientRepo } from '../store/ports.js';
import { UseCaseError } from '../services/use-case-error.js';

export interface RecipientPreviewDeps {
  /** The campaign if the actor may `action` it (Sugar's rights, applied by the campaign use cases). */
  campaigns: { allowed(id: string, actor: Actor, action: 'view' | 'edit'): Promise<Campaign> };
  recipients: Pick<RecipientRepo, 'list' | 'get' | 'counts'>;
  compile: (c: Campaign) => Promise<CompiledCampaign>;
  /** Read at each call: tests and the demo learn the public URL once the server listens. */
  messageContext: MessageContext;
  contentMaxBytes: number;
}

export interface RecipientChoice { rowId: number; email: string; name: string; module: string; recordId: string; state: string }

const nameOf = (r: LedgerRecipient) => {
  const f = r.fields ?? {};
  return String(f.full_name || f.name || [f.first_name, f.last_name].filter(Boolean).join(' ') || '').trim();
};

/**
 * Seeing a recipient's merged message shows their data: changing the campaign is asked for (its creator, or whom
 * Sugar lets edit its Campaign), and every merged field must be readable by the asker in Sugar.
 */
async function mayPreview(deps: RecipientPreviewDeps, id: string, actor: Actor): Promise<Campaign> {
  const c = await deps.campaigns.allowed(id, actor, 'edit');
  requireReadableFields(actor, c.customFields ?? []);
  return c;
}

export async function listRecipients(deps: RecipientPreviewDeps, id: string, actor: Actor, page: { limit: number; offset: number }): Promise<{ recipients: RecipientChoice[]; total: number }> {
  await mayPreview(deps, id, actor);
  const counts = deps.recipients.counts(id);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const rows = deps.recipients.list(id, { limit: page.limit, offset: page.offset });
  return {
    total,
    recipients: rows.map((r) => ({ rowId: r.rowId, email: r.email, name: nameOf(r), module: r.module, recordId: r.id, state: r.state })),
  };
}

export interface RecipientMessage { rowId: number; to: string; name: string; subject: string; html: string; text: string; tracked: boolean; links: string[] }

export async function previewForRecipient(deps: RecipientPreviewDeps, id: string, rowId: unknown, actor: Actor): Promise<RecipientMessage> {
  const c = await mayPreview(deps, id, actor);
  const row = typeof rowId === 'number' && Number.isSafeInteger(rowId) ? deps.recipients.get(rowId) : undefined;
  if (!row || row.campaignId !== c.id) throw new UseCaseError(404, 'not_found', `Campaign ${id} has no recipient ${String(rowId)}`);
  const compiled = await deps.compile(c);
  const urls = trackingUrls(deps.messageContext, row.rowId);
  const consent = row.trackingConsent === true;
  const content = renderContent(compiled, row.fields ?? {}, {
    clickUrl: consent ? urls.clickUrl : () => null,
    pixelUrl: '', // a preview is not an open
    unsubscribeUrl: urls.unsubscribeUrl,
    postalAddress: deps.messageContext.senderPostalAddress,
  });
  return { rowId: row.rowId, to: row.email, name: nameOf(row), subject: content.subject, html: content.html, text: content.text, tracked: consent, links: compiled.links };
}

/** MJML compiled to HTML with its merge tags left as they are, for a person switching the content format. */
export async function mjmlToHtml(deps: Pick<RecipientPreviewDeps, 'contentMaxBytes'>, body: { mjml?: unknown }, actor: Actor): Promise<{ html: string }> {
  requireModule(actor, 'Campaigns', 'create');
  const mjml = typeof body.mjml === 'string' ? body.mjml : '';
  if (!mjml.trim()) throw new UseCaseError(422, 'invalid_template', 'mjml is required', [{ message: 'mjml is required' }]);
  const bytes = Buffer.byteLength(mjml, 'utf8');
  if (bytes > deps.contentMaxBytes) throw new ContentTooLargeError('mjml', bytes, deps.contentMaxBytes);
  const r = await compileMjml(mjml);
  if (!r.html) throw new TemplateError(r.problems);
  return { html: r.html };
}
