// Campaigns as stored: content, lifecycle (compare-and-set transitions), audit and tracked links.
import type { Audit, Campaign, CampaignContent, CampaignStatus, Creator } from '../domain/types.js';

export interface NewCampaign extends CampaignContent {
  name: string;
  targetListIds: string[];
  leadfwdListIds: string[];
  customFields: string[];
  sendAt: string; // ISO time; stored normalised to UTC `toISOString()` form
  sugarCampaignId?: string;
  testAddresses?: string[];
  /** Waits for confirm before the scheduler may start it (extraction still runs). */
  held?: boolean;
  createdBy?: Creator;
  /** The sender identity; absent: the default one at the time it sends. */
  senderIdentityId?: string;
  /** From each target's assigned Sugar user where the identity allows that address. */
  sendAsAssignedUser?: boolean;
}

/** A campaign as stored; `testAddresses` is kept beside the shared Campaign shape. */
export type StoredCampaign = Campaign & { testAddresses?: string[] };

export interface CampaignHistoryEntry {
  status: CampaignStatus;
  at: string;
  reason?: string;
}

export interface CampaignRepo {
  create(input: NewCampaign, id?: string): StoredCampaign;
  get(id: string): StoredCampaign | undefined;
  list(opts: { limit: number; offset: number; status?: CampaignStatus }): StoredCampaign[];
  /** Compare-and-set: false when the current status is not in `allowedFrom` (or the campaign is unknown). */
  transition(id: string, allowedFrom: CampaignStatus[], to: CampaignStatus, reason?: string): boolean;
  history(id: string): CampaignHistoryEntry[];
  due(nowIso: string): StoredCampaign[];
  /** Held campaigns created before `createdBeforeIso` and not finished: reviews nobody confirmed. */
  staleHolds(createdBeforeIso: string): Array<{ id: string; status: CampaignStatus }>;
  /** Confirms a held campaign for `sendAtIso`; false when it is not held (or already cancelled, failed or sent). */
  release(id: string, sendAtIso: string): boolean;
  inStatus(statuses: CampaignStatus[]): StoredCampaign[];
  /** Campaigns in these statuses sending through an identity (`null`: those without one, which use the default). */
  withIdentity(identityId: string | null, statuses: CampaignStatus[]): StoredCampaign[];
  saveAudit(id: string, audit: Audit): void;
  getAudit(id: string): Audit | undefined;
  setSugarCampaignId(id: string, sugarId: string): void;
  /** Link index = array index. Saving the same list again is a no-op; extending it appends; changing it throws. */
  saveLinks(id: string, links: string[]): void;
  links(id: string): string[];
}
