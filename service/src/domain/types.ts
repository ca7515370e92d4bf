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
  createdAt: string;
  updatedAt: string;
}

export interface Audit {
  candidates: number;
  queued: number;
  skipped: Record<SkipReason, number>;
  /** Lists or pages processed so far while extraction runs. */
  progress?: { listsDone: number; listsTotal: number; recordsRead: number };
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
}

export interface Recipient extends Target {
  rowId: number;
  campaignId: string;
  state: RecipientState;
  messageId?: string;
  attempts: number;
  lastError?: string;
}
