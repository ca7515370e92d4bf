// The campaign report's read model: what the ledger, the engagement counters and the facts say per recipient, read
// together (by recipient domain, as lists of people, as export rows). Reads only; the facts are written elsewhere.

import type { Creator, RecipientState, TargetModule } from '../domain/types.js';
import type { RecipientFact } from './engagement.js';
import type { UncertainAction } from './recipients.js';
import type { Awaitable } from './unit-of-work.js';

/** One recipient domain of a campaign: its recipients, their delivery and what people did (each recipient once). */
export interface DomainTally {
  /** Lower case, as the address has it after the "@". */
  domain: string;
  /**
   * The mailbox provider extraction found from the domain's MX (MailboxProvider: google, microsoft, yahoo, apple,
   * mx:<domain>, unknown), when it did; a domain whose rows disagree (MX changed between extractions) has a tally each.
   */
  provider?: string;
  recipients: number;
  accepted: number;
  failed: number;
  uncertain: number;
  /** Recipients a person opened for (a click counts as an open). */
  opened: number;
  clicked: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  optOuts: number;
}

/** The report's lists of people: bounces (hard and soft), complaints, opt-outs, and uncertain messages. */
export type PeopleKind = 'bounced' | 'complaint' | 'opted_out' | 'uncertain';

export interface PersonRow {
  rowId: number;
  email: string;
  module: TargetModule;
  recordId: string;
  /** The merge fields extraction read (names come from here). */
  fields: Record<string, string>;
  state: RecipientState;
  /** The fact this row is about (bounce, complaint or opt-out lists). */
  fact?: RecipientFact;
  /** When it happened: the fact's time, or for an uncertain message its hand-off. */
  at?: string;
  detail?: string;
  /** Uncertain messages: the latest decision about it. */
  resolution?: { action: UncertainAction; by?: Creator; at: string };
}

export interface ExportRow {
  rowId: number;
  email: string;
  module: TargetModule;
  recordId: string;
  state: RecipientState;
  acceptedAt?: string;
  /** A person's opens and clicks (hits). */
  opens: number;
  clicks: number;
  bounce?: 'hard' | 'soft';
  optedOut: boolean;
  complaint: boolean;
}

export interface ReportRepo {
  byDomain(campaignId: string): Awaitable<DomainTally[]>;
  /**
   * A page of one list of people, only of `modules` (those the reader may see); `total` counts those, `hidden` the
   * others. Facts newest first; uncertain messages still undecided first, then by ledger row.
   */
  people(
    campaignId: string,
    kind: PeopleKind,
    opts: { modules: readonly string[]; limit: number; offset: number },
  ): Awaitable<{ rows: PersonRow[]; total: number; hidden: number }>;
  /** Recipients of `modules` after `afterRowId`, in ledger order, at most `limit`: one export page. */
  exportRows(campaignId: string, opts: { modules: readonly string[]; afterRowId: number; limit: number }): Awaitable<ExportRow[]>;
}
