// Sugar Email Templates as LeadFWD content, asked as the user: list and pick one (its $contact_ variables become our
// merge tags, with a report of what could not be mapped, shown before the person goes on), and save LeadFWD content
// back as a Sugar Email Template (our merge tags become $contact_ variables). Plus the saved filters and reports a
// person may choose as an audience.
import type { Actor } from '../access/actor.js';
import { requireModule } from '../access/policy.js';
import { AppError } from '../domain/errors.js';
import { parseInput, text, z } from '../domain/input.js';
import { fromSugarTemplate, toSugarTemplate } from '../domain/sugar-template.js';
import { AUDIENCE_MODULES } from './audiences.js';

type Row = Record<string, unknown>;

export const SaveTemplateBody = z
  .object({
    name: text('name', 255, { description: 'The Sugar Email Template name' }),
    subject: text('subject', 255),
    html: text('html', 2_000_000, { required: false, description: 'HTML content (or mjml)' }),
    mjml: text('mjml', 2_000_000, { required: false, description: 'MJML content, saved as the HTML it renders' }),
    text: text('text', 2_000_000, { required: false, description: 'Plain-text version' }),
    description: text('description', 2000, { required: false }),
  })
  .refine((v) => !!v.html !== !!v.mjml, { message: 'give either html or mjml', when: () => true });

export interface SugarTemplateDeps {
  mjmlToHtml: (mjml: string) => string | Promise<string>;
}

const sugarOf = (actor: Actor) => actor.sugar as Actor['sugar'] & { post?<T>(path: string, body?: unknown): Promise<T> };

export function createSugarTemplates(deps: SugarTemplateDeps) {
  async function list(actor: Actor) {
    requireModule(actor, 'EmailTemplates', 'list');
    const out: Row[] = [];
    for await (const page of actor.sugar.filterPages('EmailTemplates', {
      fields: ['id', 'name', 'subject', 'type', 'description', 'date_modified'],
      pageSize: 1000,
    }))
      out.push(...page);
    return out
      .map((t) => ({
        id: String(t.id),
        name: String(t.name ?? ''),
        subject: String(t.subject ?? ''),
        type: String(t.type ?? ''),
        description: t.description ?? '',
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async function pick(id: string, actor: Actor) {
    requireModule(actor, 'EmailTemplates', 'view');
    const t = await actor.sugar.get<Row>(`/EmailTemplates/${encodeURIComponent(id)}`).catch((e: { status?: number }) => {
      if (e.status === 404 || e.status === 403) throw new AppError('not_found', `Sugar has no Email Template ${id} you may read`);
      throw e;
    });
    const mapped = fromSugarTemplate({ subject: String(t.subject ?? ''), body_html: String(t.body_html ?? ''), body: String(t.body ?? '') });
    return { id, name: String(t.name ?? ''), ...mapped };
  }

  async function save(body: unknown, actor: Actor) {
    requireModule(actor, 'EmailTemplates', 'create');
    const v = parseInput(SaveTemplateBody, body, 'invalid_input');
    const html = v.mjml ? await deps.mjmlToHtml(v.mjml) : v.html!;
    const mapped = toSugarTemplate({ subject: v.subject, html, text: v.text });
    const post = sugarOf(actor).post;
    if (!post) throw new Error('this Sugar client cannot write');
    const made = await post.call(actor.sugar, '/EmailTemplates', {
      name: v.name,
      subject: mapped.subject,
      body_html: mapped.body_html,
      body: mapped.body,
      ...(v.description ? { description: v.description } : {}),
      type: 'campaign',
      text_only: false,
    });
    return { id: String((made as Row).id), name: v.name, unmapped: mapped.unmapped };
  }

  /** Saved filters of people or accounts the user may read (Sugar's UI lists a user's own). */
  async function savedFilters(actor: Actor) {
    const out: Row[] = [];
    for await (const page of actor.sugar.filterPages('Filters', { fields: ['id', 'name', 'module_name'], pageSize: 1000 })) out.push(...page);
    return out
      .filter((f) => AUDIENCE_MODULES.has(String(f.module_name)))
      .map((f) => ({ id: String(f.id), name: String(f.name ?? ''), module: String(f.module_name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async function reports(actor: Actor) {
    const out: Row[] = [];
    for await (const page of actor.sugar.filterPages('Reports', { fields: ['id', 'name', 'module', 'report_type'], pageSize: 1000 })) out.push(...page);
    return out
      .filter((r) => !r.module || AUDIENCE_MODULES.has(String(r.module)))
      .map((r) => ({ id: String(r.id), name: String(r.name ?? ''), module: String(r.module ?? '') }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  return { list, pick, save, savedFilters, reports };
}

export type SugarTemplates = ReturnType<typeof createSugarTemplates>;
