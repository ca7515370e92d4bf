// Sugar Email Templates ⇄ LeadFWD content. Sugar's campaign sender fills `$contact_<field>` from the target (Contacts,
// Leads, Prospects and Users alike), `$contact_user_<field>` from the target's assigned user and `$account_<field>`
// only for Account targets; a campaign to people leaves `$account_name` as typed, and tracked links are
// `{tracker name}` placeholders (EmailMan / EmailTemplate::parse_email_template, Sugar 8.0 and 12.0). LeadFWD merges
// Liquid tags from the target's own fields, so `$contact_x` becomes `{{ x }}`; what has no equivalent is reported,
// never silently dropped.

export interface MappedTemplate {
  subject: string;
  html: string;
  text: string;
  /** Record fields the content now merges (the campaign must read them: custom fields). */
  fields: string[];
  /** Sugar variables and placeholders left as they were, with why. */
  unmapped: Array<{ variable: string; reason: string }>;
}

const SUGAR_VARIABLE = /\$(contact_user|contact|account)_([A-Za-z0-9_]+)/g;
const TRACKER = /\{([A-Za-z][^{}\n]{0,60})\}/g;
const LIQUID = /\{\{|\{%/g;

/** Liquid markup already in Sugar's text would run as Liquid: it is shown as written instead. */
const escapeLiquid = (s: string) => s.replace(LIQUID, (m) => `{{ '${m}' }}`);

export function fromSugarTemplate(t: { subject?: string; body_html?: string; body?: string }): MappedTemplate {
  const fields = new Set<string>();
  const unmapped = new Map<string, string>();
  const map = (s: string) =>
    escapeLiquid(s)
      .replace(SUGAR_VARIABLE, (whole, prefix: string, field: string) => {
        if (prefix === 'contact') {
          fields.add(field);
          return `{{ ${field} }}`;
        }
        unmapped.set(
          whole,
          prefix === 'contact_user'
            ? "the assigned user's fields are not read for a campaign; kept as typed"
            : 'Sugar fills $account_ variables only for Account targets; for people use $contact_account_name. Kept as typed',
        );
        return whole;
      })
      .replace(TRACKER, (whole, name: string) => {
        if (/^\{\{|^'/.test(whole) || name.includes('{')) return whole;
        unmapped.set(whole, 'a Sugar tracker placeholder: put the link itself in the content (LeadFWD tracks every link)');
        return whole;
      });
  return {
    subject: map(t.subject ?? ''),
    html: map(t.body_html ?? ''),
    text: map(t.body ?? ''),
    fields: [...fields],
    unmapped: [...unmapped].map(([variable, reason]) => ({ variable, reason })),
  };
}

const SIMPLE_TAG = /\{\{\s*([A-Za-z0-9_]+)\s*(\|[^}]*)?\}\}/g;
const OTHER_LIQUID = /\{\{[^}]*\}\}|\{%[^%]*%\}/g;

/** LeadFWD content as a Sugar Email Template: merge tags become $contact_ variables; the rest is reported. */
export function toSugarTemplate(c: { subject: string; html: string; text?: string }): {
  subject: string;
  body_html: string;
  body: string;
  unmapped: Array<{ variable: string; reason: string }>;
} {
  const unmapped = new Map<string, string>();
  const map = (s: string) =>
    s
      .replace(SIMPLE_TAG, (whole, field: string, filters?: string) => {
        if (filters) unmapped.set(whole, `Sugar has no filters: "${filters.slice(1).trim()}" is dropped, the field is kept`);
        return `$contact_${field}`;
      })
      .replace(OTHER_LIQUID, (whole) => {
        unmapped.set(whole, 'Liquid logic has no Sugar equivalent; kept as typed');
        return whole;
      });
  return {
    subject: map(c.subject),
    body_html: map(c.html),
    body: map(c.text ?? ''),
    unmapped: [...unmapped].map(([variable, reason]) => ({ variable, reason })),
  };
}
