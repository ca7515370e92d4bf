// The people behind a campaign report: its bounces, complaints, opt-outs and uncertain messages as lists (each row
// names its Sugar record), and the CSV export of every recipient. A reader sees only records of the modules Sugar
// lets them view; the others are counted, never shown. Whether they may see the campaign at all is asked first.
import type { Actor } from '../access/actor.js';
import { personShown, requireModule, viewableModules } from '../access/policy.js';
import type { RecipientChoice } from '../campaigns/recipient-preview.js';
import { recipientName } from '../campaigns/recipient-preview.js';
import { parseInput, queryNumber, z } from '../domain/input.js';
import type { ExportRow, PeopleKind, PersonRow, StorePart } from '../ports/index.js';

export type PeopleStore = StorePart<{ reports: 'people' | 'exportRows' }>;

export const PEOPLE_KINDS: readonly PeopleKind[] = ['bounced', 'complaint', 'opted_out', 'uncertain'];

export const PeopleQuery = z.object({
  kind: z.enum(PEOPLE_KINDS as [PeopleKind, ...PeopleKind[]], { error: `kind must be one of ${PEOPLE_KINDS.join(', ')}` }).describe('Which list'),
  limit: queryNumber('limit', 'People per page, 1 to 500 (default 50)', { digits: 4, message: 'limit must be a number from 1 to 500' }),
  offset: queryNumber('offset', 'People to skip'),
});

/** A person on one of the report's lists: the recipient as the preview names them, and what happened. */
export interface PersonView extends RecipientChoice {
  fact?: string;
  at?: string;
  detail?: string;
  resolution?: { action: string; by: string | null; at: string };
}

const view = (p: PersonRow): PersonView => ({
  rowId: p.rowId,
  email: p.email,
  name: recipientName(p.fields),
  module: p.module,
  recordId: p.recordId,
  state: p.state,
  ...(p.fact ? { fact: p.fact } : {}),
  ...(p.at ? { at: p.at } : {}),
  ...(p.detail ? { detail: p.detail } : {}),
  ...(p.resolution ? { resolution: { action: p.resolution.action, by: p.resolution.by?.userName ?? null, at: p.resolution.at } } : {}),
});

/** One page of one list; `hidden` counts the people in modules the reader may not view. */
export async function campaignPeople(store: PeopleStore, campaignId: string, query: unknown, actor: Actor) {
  const q = parseInput(PeopleQuery, query, 'invalid_input');
  const limit = Math.min(Math.max(Number(q.limit ?? 50), 1), 500);
  const offset = Number(q.offset ?? 0);
  const { rows, total, hidden } = await store.reports.people(campaignId, q.kind, { modules: viewableModules(actor), limit, offset });
  const shown = personShown(actor);
  return { kind: q.kind, people: rows.map((r) => shown(view(r))), total, hidden, limit, offset };
}

export const CSV_COLUMNS = ['email', 'module', 'record_id', 'state', 'accepted_at', 'opens', 'clicks', 'bounce', 'opted_out', 'complaint'] as const;

/**
 * One CSV field: quoted when it holds a separator, quote or line break, and a leading = + - @ or control character
 * made inert for spreadsheets (an address may start with one).
 */
export function csvField(value: string | number | boolean | undefined): string {
  let s = value === undefined ? '' : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (r: ExportRow) =>
  [r.email, r.module, r.recordId, r.state, r.acceptedAt, r.opens, r.clicks, r.bounce, r.optedOut, r.complaint].map(csvField).join(',') + '\r\n';

/**
 * The export, a page of rows at a time (ledger order), so a large campaign is streamed, never held whole. Exporting
 * asks for Sugar's export right on Campaigns; rows of modules the reader may not view are left out.
 */
export async function* campaignCsv(store: PeopleStore, campaignId: string, actor: Actor, pageSize = 1000): AsyncGenerator<string> {
  requireModule(actor, 'Campaigns', 'export');
  const modules = viewableModules(actor);
  const shown = personShown(actor);
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  let after = 0;
  for (;;) {
    const rows = await store.reports.exportRows(campaignId, { modules, afterRowId: after, limit: pageSize });
    if (rows.length) yield rows.map((r) => csvLine(shown(r))).join('');
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].rowId;
  }
}
