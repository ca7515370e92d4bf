// Plain data shared by every layer. No I/O here.

export type CampaignStatus = 'draft' | 'extracting' | 'pending' | 'sending' | 'sent' | 'paused' | 'cancelled' | 'failed';

/** Ledger state of one recipient in one campaign. */
export type RecipientState = 'queued' | 'sending' | 'accepted' | 'failed' | 'uncertain';

/** Why a candidate target was not queued (the extraction audit's buckets). */
export type SkipReason = 'opted_out' | 'invalid' | 'duplicate' | 'no_address' | 'suppressed' | 'exempt' | 'malformed';

export type TargetModule = 'Contacts' | 'Leads' | 'Prospects' | 'Accounts' | 'Users';

export interface CampaignContent {
  subject: string;
  fromName: string;
  fromEmail: string;
  replyTo?: string;
  mjml?: string;
  html?: string;
}

/** Content to compile, named for the campaign it belongs to (link indexes and message ids are per campaign). */
export interface ContentSpec extends CampaignContent {
  campaignId: string;
}

/** The Sugar user who created a campaign, list or automation; absent when the API key did. */
export interface Creator {
  id: string;
  userName: string;
}

export interface Campaign extends CampaignContent {
  id: string;
  name: string;
  status: CampaignStatus;
  targetListIds: string[];
  leadfwdListIds: string[];
  customFields: string[];
  sendAt: string; // ISO time
  sugarCampaignId?: string;
  /** Extracted but waiting for a person to confirm it; the scheduler never starts a held campaign. */
  held?: boolean;
  createdBy?: Creator;
  /** The sender identity it sends as; absent: the default identity. */
  senderIdentityId?: string;
  /** From each target's assigned Sugar user, where the identity allows that address (else the campaign's From). */
  sendAsAssignedUser?: boolean;
  /** Audiences read from Sugar at send time (saved filters, reports), as the campaign's creator. */
  audiences?: SugarAudience[];
  /** A follow-up: it goes to recipients of that sent campaign who did not open (or click) it, read at its send time. */
  followUpOf?: FollowUpOf;
  /** Part of an A/B test: this campaign sends one variant to its share of the audience, or the winner to the rest. */
  abPart?: AbPart;
  /** Sent at this local time in each recipient's time zone (their record's, else `timeZone`). */
  localTime?: LocalTimeSending;
  createdAt: string;
  updatedAt: string;
}

/**
 * An audience that follows Sugar: a saved filter (Filters record, applied with filter_id) or a saved report (its
 * records), evaluated when the campaign is extracted, with its creator's rights. Name and module are what Sugar
 * said when the campaign was created (shown in the audit).
 */
export interface SugarAudience {
  kind: 'saved_filter' | 'report';
  id: string;
  module: TargetModule;
  name: string;
}

/**
 * A campaign's part of an A/B test: extraction keeps only the targets whose address hashes into `group` (a variant's
 * index, or 'rest' for the audience that waits for the winner), so every part reads the same audience and the parts
 * never overlap.
 */
export interface AbPart {
  testId: string;
  group: number | 'rest';
  share: number;
  variants: number;
}

/** Sending at a local time: `at` (HH:MM) in the recipient's zone, read from their record, else `timeZone`. */
export interface LocalTimeSending {
  at: string;
  timeZone: string;
}

/** The campaign a follow-up resends to, and to whom of its recipients. */
export interface FollowUpOf {
  campaignId: string;
  name: string;
  /** Its Sugar Campaign, named in the follow-up's own Sugar Campaign. */
  sugarCampaignId: string;
  /** `not_opened`: no human open (a human click is an open); `not_clicked`: no human click. */
  criterion: 'not_opened' | 'not_clicked';
  /** Recipients whose only opens were Apple MPP prefetches (unknown): included or left out, as the person chose. */
  mppOnly: 'include' | 'exclude';
}

/** What one audience source contributed to an extraction (the audit shows where targets came from). */
export interface AuditSource {
  kind: SugarAudience['kind'] | 'follow_up';
  id: string;
  name?: string;
  module?: string;
  /** Records read from this source. */
  records: number;
  /** Read as this Sugar user (sudo for the campaign's creator); absent: the service's own user. */
  readAs?: string;
}

export interface Audit {
  candidates: number;
  queued: number;
  skipped: Record<SkipReason, number>;
  /** Lists or pages processed so far while extraction runs. */
  progress?: { listsDone: number; listsTotal: number; recordsRead: number };
  /** Where candidates came from, one entry per Sugar audience (saved filter, report) read. */
  sources?: AuditSource[];
  /** Local-time sending: how many go when, per time zone (`fromRecord`: the zone came from the record). */
  localTimes?: Array<{ timeZone: string; at: string; count: number; fromRecord: boolean }>;
}

/** One target as extracted from Sugar, ready to merge and send. */
export interface Target {
  module: TargetModule;
  id: string;
  listId: string;
  email: string; // exactly as stored in Sugar; never rewritten
  emailAddressId?: string; // Sugar's shared email_addresses row
  fields: Record<string, string>;
  trackingConsent: boolean;
  /** Mailbox provider of the address (domain/mailbox-provider.ts), when known at extraction. */
  provider?: string;
  /** "Send as the record's assigned user": that user's name and address, when the campaign asks for it. */
  sender?: { name: string; email: string };
  /** Not to be sent before this time (local-time sending); absent: as soon as the campaign sends. */
  notBefore?: string;
}

export interface Recipient extends Target {
  rowId: number;
  campaignId: string;
  state: RecipientState;
  messageId?: string;
  attempts: number;
  lastError?: string;
}
