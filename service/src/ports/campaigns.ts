// Campaigns as stored: content, lifecycle (compare-and-set transitions), audit and tracked links.
import type { Audit, Campaign, CampaignStatus, Creator } from '../domain/types.js';
import type { Awaitable } from './unit-of-work.js';

/** What a new campaign is stored from: everything but what the store sets (id, status, times). */
export type NewCampaign = Omit<Campaign, 'id' | 'status' | 'createdAt' | 'updatedAt'> & {
  /** Test sends only: the addresses it goes to. */
  testAddresses?: string[];
};

/** A campaign as stored; `testAddresses` is kept beside the shared Campaign shape. */
export type StoredCampaign = Campaign & { testAddresses?: string[] };

export interface CampaignHistoryEntry {
  status: CampaignStatus;
  at: string;
  reason?: string;
}

/** Which campaigns a list shows; every condition given must hold. */
export interface CampaignFilter {
  statuses?: CampaignStatus[];
  /** Text in the name or the subject, compared without case. */
  text?: string;
  /** The From address, compared without case. */
  fromEmail?: string;
  /** The send time (scheduled, or when sending started): at or after `sendFrom`, before `sendTo` (ISO times). */
  sendFrom?: string;
  sendTo?: string;
  held?: boolean;
  /** 'none': campaigns that send no automation step; an id: only that automation's step campaigns. */
  automation?: 'none' | { id: string };
  /** Sent as (or set up as) this Sugar Campaign. */
  sugarCampaignId?: string;
  /** Sending to this Sugar Target List among others. */
  targetListId?: string;
}

/** A campaign as a list first needs it: enough to apply Sugar's rights before reading the page shown. */
export interface CampaignRef {
  id: string;
  name: string;
  sugarCampaignId?: string;
  createdBy?: Creator;
}

/**
 * What a click redirect needs when the database cannot be reached: which campaign a ledger row belongs to, as runs
 * of consecutive row ids all of one campaign, and each such campaign's stored links (fixed once it sends).
 */
export interface TrackedLinks {
  /** Newest runs first. */
  spans: Array<{ campaignId: string; first: number; last: number }>;
  links: Record<string, string[]>;
  /**
   * Campaigns that may still send whose rows are not here: not sending yet, or sending with their links not saved
   * yet (a campaign's rows are named only with its links). Asked after again soon (`trackedAmong`).
   */
  upcoming?: string[];
}

export interface CampaignRepo {
  create(input: NewCampaign, id?: string): Awaitable<StoredCampaign>;
  /**
   * `lock`: first take the campaign's change lock, held to the end of the transaction, so two decisions that read the
   * campaign and its ledger (the end of sending, a resend of uncertain rows) are made one after the other. PostgreSQL
   * needs it; SQLite's transactions already run one at a time.
   */
  get(id: string, o?: { lock?: boolean }): Awaitable<StoredCampaign | undefined>;
  list(opts: { limit: number; offset: number; status?: CampaignStatus }): Awaitable<StoredCampaign[]>;
  /** Every campaign the filter lets through, newest first. */
  find(filter: CampaignFilter): Awaitable<CampaignRef[]>;
  /** Compare-and-set: false when the current status is not in `allowedFrom` (or the campaign is unknown). */
  transition(id: string, allowedFrom: CampaignStatus[], to: CampaignStatus, reason?: string): Awaitable<boolean>;
  history(id: string): Awaitable<CampaignHistoryEntry[]>;
  /** A line in the campaign's history that changes nothing (the status stays as it is); false for an unknown campaign. */
  note(id: string, reason: string): Awaitable<boolean>;
  due(nowIso: string): Awaitable<StoredCampaign[]>;
  /** Held campaigns created before `createdBeforeIso` and not finished: reviews nobody confirmed. */
  staleHolds(createdBeforeIso: string): Awaitable<Array<{ id: string; status: CampaignStatus }>>;
  /** Confirms a held campaign for `sendAtIso`; false when it is not held (or already cancelled, failed or sent). */
  release(id: string, sendAtIso: string): Awaitable<boolean>;
  inStatus(statuses: CampaignStatus[]): Awaitable<StoredCampaign[]>;
  /** Campaigns in these statuses sending through an identity (`null`: those without one, which use the default). */
  withIdentity(identityId: string | null, statuses: CampaignStatus[]): Awaitable<StoredCampaign[]>;
  saveAudit(id: string, audit: Audit): Awaitable<void>;
  getAudit(id: string): Awaitable<Audit | undefined>;
  setSugarCampaignId(id: string, sugarId: string): Awaitable<void>;
  /** Link index = array index. Saving the same list again is a no-op; extending it appends; changing it throws. */
  saveLinks(id: string, links: string[]): Awaitable<void>;
  links(id: string): Awaitable<string[]>;
  /**
   * The rows and links of campaigns sending or paused now, or sent, cancelled or failed since `sinceIso`, whose links
   * are saved (never a campaign's rows without its links): at most `maxSpans` runs, the newest.
   */
  trackedLinks(sinceIso: string, maxSpans: number): Awaitable<TrackedLinks>;
  /** Which of these campaigns `trackedLinks` would name now: sending, paused or ended, with their links saved. */
  trackedAmong(ids: string[]): Awaitable<string[]>;
  /** The campaigns `trackedLinks` would name now whose links were saved at or after `sinceIso` (made since a re-read). */
  trackedSince(sinceIso: string): Awaitable<string[]>;
}
