// The send flow's review step (issue 13): the people a held campaign would reach, and the real message one of them
// would get — their merge values, custom fields and defaults — so a person checks what is sent before confirming it.
// Nothing is recorded, then or later: the preview has no open pixel and none of the person's tracking or unsubscribe
// tokens (a copied link would record a click or an opt-out they never made), and a preview is not a send. Also the MJML → HTML conversion the content step offers when its format is switched.

import type { Actor } from '../access/actor.js';
import { personShown, requireModule, requireReadableFields, viewableModules } from '../access/policy.js';
import { AppError } from '../domain/errors.js';
import { shown } from '../domain/input.js';
import { mergedFields } from '../domain/merge-fields.js';
import type { Campaign } from '../domain/types.js';
import type { StorePart } from '../ports/index.js';
import type { CompiledCampaign } from '../ports/mail.js';
import type { LedgerRecipient } from '../ports/recipients.js';

/** `C`: compiled content as the mail adapter makes it (opaque here: compiled by one dep, rendered by another). */
export interface RecipientPreviewDeps<C extends CompiledCampaign = CompiledCampaign> {
  /** The campaign if the actor may `action` it (Sugar's rights, applied by the campaign use cases). */
  campaigns: { allowed(id: string, actor: Actor, action: 'view' | 'edit'): Promise<Campaign> };
  store: StorePart<{ recipients: 'list' | 'get' | 'moduleCounts' }>;
  compile: (c: Campaign) => Promise<C>;
  /** The recipient's message as sent, its links untracked and without an open pixel. */
  render: (compiled: C, row: LedgerRecipient) => { subject: string; html: string; text: string; tracked: boolean };
  /** MJML compiled to HTML, merge tags left as they are; refuses content over the size limit or that does not compile. */
  mjmlToHtml: (mjml: string) => Promise<string>;
}

export interface RecipientChoice {
  rowId: number;
  email: string;
  name: string;
  module: string;
  recordId: string;
  state: string;
}
export interface RecipientMessage {
  rowId: number;
  to: string;
  name: string;
  subject: string;
  html: string;
  text: string;
  tracked: boolean;
  links: string[];
}

/** A recipient's name from the fields extraction read ('' when it has none). */
export const recipientName = (fields: Record<string, string> | undefined) => {
  const f = fields ?? {};
  return String(f.full_name || f.name || [f.first_name, f.last_name].filter(Boolean).join(' ') || '').trim();
};
const nameOf = (r: LedgerRecipient) => recipientName(r.fields);

export function createRecipientPreview<C extends CompiledCampaign>(deps: RecipientPreviewDeps<C>) {
  /**
   * Seeing a recipient's merged message shows their data: changing the campaign is asked for (its creator, or whom
   * Sugar lets edit its Campaign), and every merged field must be readable by the asker in Sugar.
   */
  async function mayPreview(id: string, actor: Actor): Promise<Campaign> {
    const c = await deps.campaigns.allowed(id, actor, 'edit');
    requireReadableFields(actor, c.customFields ?? []);
    return c;
  }

  return {
    /** Only people of the modules Sugar lets the asker view; `hidden` counts the others, as the report's lists do. */
    async recipients(
      id: string,
      actor: Actor,
      page: { limit: number; offset: number },
    ): Promise<{ recipients: RecipientChoice[]; total: number; hidden: number }> {
      await mayPreview(id, actor);
      const modules = viewableModules(actor);
      const shown = personShown(actor);
      const perModule = Object.entries(await deps.store.recipients.moduleCounts(id));
      const count = (shownHere: boolean) => perModule.reduce((n, [m, k]) => n + ((modules as string[]).includes(m) === shownHere ? k : 0), 0);
      const rows = await deps.store.recipients.list(id, { modules, limit: page.limit, offset: page.offset });
      return {
        total: count(true),
        hidden: count(false),
        recipients: rows.map((r) => shown({ rowId: r.rowId, email: r.email, name: nameOf(r), module: r.module, recordId: r.id, state: r.state })),
      };
    },

    async message(id: string, rowId: unknown, actor: Actor): Promise<RecipientMessage> {
      const c = await mayPreview(id, actor);
      const row = typeof rowId === 'number' && Number.isSafeInteger(rowId) ? await deps.store.recipients.get(rowId) : undefined;
      if (!row || row.campaignId !== c.id) throw new AppError('not_found', `Campaign ${id} has no recipient ${shown(rowId)}`);
      requireModule(actor, row.module, 'view');
      const compiled = await deps.compile(c);
      requireReadableFields(actor, mergedFields(c.customFields, compiled));
      const person = personShown(actor)({ module: row.module, email: row.email, name: nameOf(row) });
      return { rowId: row.rowId, to: person.email, name: person.name, ...deps.render(compiled, row), links: compiled.links };
    },

    async mjmlToHtml(body: { mjml?: unknown }, actor: Actor): Promise<{ html: string }> {
      requireModule(actor, 'Campaigns', 'create');
      const mjml = typeof body.mjml === 'string' ? body.mjml : '';
      if (!mjml.trim()) throw new AppError('invalid_template', 'mjml is required', [{ message: 'mjml is required' }]);
      return { html: await deps.mjmlToHtml(mjml) };
    },
  };
}

export type RecipientPreview = ReturnType<typeof createRecipientPreview>;
