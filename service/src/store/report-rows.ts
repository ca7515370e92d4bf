// The report's rows as both adapters' SQL returns them (same column names; SQLite gives 0/1 where PostgreSQL gives
// booleans, and PostgreSQL a bigint row id as text), turned into the port's answers by one copy of the mapping.
// Types, not interfaces, so PostgreSQL's untyped rows (Record<string, unknown>) convert to them with a plain `as`.
import type { RecipientState, TargetModule } from '../domain/types.js';
import type { DomainTally, ExportRow, PeopleKind, PersonRow, RecipientFact, UncertainAction } from '../ports/index.js';
import { fromJson, opt } from './values.js';

export const FACTS_OF: Record<Exclude<PeopleKind, 'uncertain'>, RecipientFact[]> = {
  bounced: ['hard_bounce', 'soft_bounce'],
  complaint: ['complaint'],
  opted_out: ['opt_out'],
};

/** A tally as the SQL names it: the provider may be NULL, and three counts have their column names. */
export type DomainSqlRow = Omit<DomainTally, 'provider' | 'hardBounces' | 'softBounces' | 'optOuts'> & {
  provider: string | null;
  hard: number;
  soft: number;
  opt_outs: number;
};

export type PersonSqlRow = {
  row_id: number | string;
  email: string;
  module: TargetModule;
  record_id: string;
  fields: string;
  state: RecipientState;
  fact: RecipientFact | null;
  at: string | null;
  detail: string | null;
  action: UncertainAction | null;
  by_id: string | null;
  by_name: string | null;
  resolved_at: string | null;
};

export type ExportSqlRow = {
  row_id: number | string;
  email: string;
  module: TargetModule;
  record_id: string;
  state: RecipientState;
  accepted_at: string | null;
  opens: number;
  clicks: number;
  hard: number | boolean;
  soft: number | boolean;
  opted_out: number | boolean;
  complaint: number | boolean;
};

export function toDomainTally({ provider, hard, soft, opt_outs, ...counts }: DomainSqlRow): DomainTally {
  return { ...counts, ...(provider ? { provider } : {}), hardBounces: hard, softBounces: soft, optOuts: opt_outs };
}

export function toPerson(r: PersonSqlRow): PersonRow {
  const p: PersonRow = { rowId: Number(r.row_id), email: r.email, module: r.module, recordId: r.record_id, fields: fromJson(r.fields, {}), state: r.state };
  if (r.fact) p.fact = r.fact;
  if (r.at) p.at = r.at;
  const detail = opt(r.detail);
  if (detail) p.detail = detail;
  if (r.action && r.resolved_at) p.resolution = { action: r.action, at: r.resolved_at, ...(r.by_id ? { by: { id: r.by_id, userName: r.by_name ?? '' } } : {}) };
  return p;
}

export function toExportRow(r: ExportSqlRow): ExportRow {
  const row: ExportRow = {
    rowId: Number(r.row_id),
    email: r.email,
    module: r.module,
    recordId: r.record_id,
    state: r.state,
    opens: r.opens,
    clicks: r.clicks,
    optedOut: Boolean(r.opted_out),
    complaint: Boolean(r.complaint),
  };
  if (r.accepted_at) row.acceptedAt = r.accepted_at;
  if (r.hard || r.soft) row.bounce = r.hard ? 'hard' : 'soft';
  return row;
}
