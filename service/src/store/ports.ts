// Narrow storage interfaces the services code against. The SQLite classes implement them; a PostgreSQL
// adapter for multi-node deployments would implement the same ones. Only domain types cross this line.
import type {
  Audit, Campaign, CampaignContent, CampaignStatus, Creator, Recipient, RecipientState, Target, TargetModule,
} from '../domain/types.js';
import type { Instruction } from '../domain/automation.js';
import type { TargetPosition } from '../domain/automation-steps.js';

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
}

/** A campaign as stored; `testAddresses` is kept beside the shared Campaign shape. */
export type StoredCampaign = Campaign & { testAddresses?: string[] };

export interface CampaignHistoryEntry { status: CampaignStatus; at: string; reason?: string }

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
  saveAudit(id: string, audit: Audit): void;
  getAudit(id: string): Audit | undefined;
  setSugarCampaignId(id: string, sugarId: string): void;
  /** Link index = array index. Saving the same list again is a no-op; extending it appends; changing it throws. */
  saveLinks(id: string, links: string[]): void;
  links(id: string): string[];
}

/** A ledger row: the shared Recipient plus what the ledger itself tracks. */
export type LedgerRecipient = Recipient & {
  addressKey: string;
  retryAt?: string;    // set while a 4xx retry waits
  acceptedAt?: string; // when the relay accepted it (engagement timing uses it)
};

export type OutcomeState = 'accepted' | 'failed' | 'uncertain' | 'queued';
export interface Outcome {
  rowId: number;
  state: OutcomeState;
  messageId?: string;
  error?: string;
  retryAt?: string; // with state 'queued': not claimable before this time
  /** With state 'failed': the suppression list stopped it at hand-off (the write-back says `blocked`). */
  suppressed?: boolean;
}

export interface RecipientRepo {
  /** Ignores rows whose (campaign, address key) is already in the ledger; returns how many were new. */
  insertMany(campaignId: string, targets: Array<Target & { addressKey: string }>): number;
  /** Due queued rows → 'sending', attempts + 1, in one statement: no row is handed out twice. */
  claim(campaignId: string, limit: number, nowIso: string): LedgerRecipient[];
  /** One transaction. Only rows still in 'sending' change; returns the ids of those that did. */
  applyOutcomes(batch: Outcome[]): number[];
  /** applyOutcomes, counted. */
  markOutcomes(batch: Outcome[]): number;
  /** Claimed rows never handed to SMTP (graceful stop) go back to 'queued' without counting the attempt. */
  release(rowIds: number[]): number;
  /** After a crash: every 'sending' row → 'uncertain', never blindly resent. Returns the count. */
  recoverInFlight(): number;
  get(rowId: number): LedgerRecipient | undefined;
  counts(campaignId: string): Record<RecipientState, number>;
  list(campaignId: string, opts: { state?: RecipientState; limit: number; offset: number }): LedgerRecipient[];
}

export type SuppressionReason = 'unsubscribe' | 'hard_bounce' | 'complaint' | 'soft_bounce_limit' | 'manual';
export interface Suppression { addressKey: string; email: string; reason: SuppressionReason; source?: string; at: string }

export interface SuppressionRepo {
  /** Idempotent: the first reason recorded for a key is kept. True if the key was new. */
  add(addressKey: string, email: string, reason: SuppressionReason, source?: string): boolean;
  get(addressKey: string): { reason: SuppressionReason; at: string; email: string; source?: string } | undefined;
  filterSuppressed(keys: string[]): Set<string>;
  remove(addressKey: string): boolean;
}

export type ListSource = 'filter' | 'csv' | 'api';
export interface LeadfwdList { id: string; name: string; source: ListSource; createdAt: string; sugarListId?: string; createdBy?: Creator }
export interface ListMember { module: TargetModule; recordId: string; email?: string }

export interface LeadfwdListRepo {
  create(name: string, source: ListSource, id?: string, createdBy?: Creator): LeadfwdList;
  /** Ignores members already in the list (same module and record id); returns how many were new. */
  addMembers(listId: string, members: ListMember[]): number;
  members(listId: string): ListMember[];
  /** The modules a list's members belong to. */
  modules(listId: string): TargetModule[];
  /**
   * Members in list order, `limit` at a time after the position `after` (-1: from the start). `next` is the
   * position to pass for the following page, undefined after the last. Big lists are read this way, so no caller
   * holds a whole list or blocks the event loop reading one.
   */
  membersPage(listId: string, after: number, limit: number): { members: ListMember[]; next?: number };
  memberCount(listId: string): number;
  /** Deletes a list and its members (a list whose building was refused half-way). */
  remove(id: string): void;
  get(id: string): LeadfwdList | undefined;
  list(): Array<LeadfwdList & { memberCount: number }>;
  /** Returns the ids that do not exist. */
  exists(ids: string[]): string[];
  /** The Sugar Target List this list was copied to by the write-back. */
  setSugarListId(id: string, sugarListId: string): void;
}

export interface EngagementEvent {
  id: number;
  recipientRowId: number;
  campaignId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

export interface EventRepo {
  add(e: { recipientRowId: number; campaignId: string; type: string; at: string; data?: Record<string, unknown> }): number;
  list(campaignId: string, opts: { type?: string; limit: number; afterId?: number }): EngagementEvent[];
  pruneOlderThan(iso: string): number;
  /** Raw events of a campaign per UTC hour ('2026-11-26T09'), machine hits (data.machine) apart. */
  countByHour(campaignId: string): Array<{ hour: string; type: string; machine: boolean; count: number }>;
}

export interface OutboxClaim { id: number; key: string; kind: string; campaignId?: string; payload: unknown; attempts: number }
export interface OutboxStats { pending: number; done: number; dead: number; oldestPendingAt?: string }

export interface OutboxRepo {
  /** False when an item with the same key exists (pending, done or dead): facts are written back once. */
  enqueue(item: { key: string; kind: string; campaignId?: string; payload: unknown; runAt?: string }): boolean;
  /** Due pending rows not locked, or locked before the stale limit; `attempts` counts this claim. */
  claim(limit: number, workerId: string, nowIso: string): OutboxClaim[];
  complete(ids: number[]): void;
  /** retryAt null: the row is dead (kept with its error for the API). */
  fail(id: number, error: string, retryAt: string | null): void;
  /** Unlocks pending rows locked before `olderThanIso`; returns the count. */
  sweepStale(olderThanIso: string): number;
  stats(campaignId?: string): OutboxStats;
  dead(limit: number, campaignId?: string): Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }>;
  /** Operator action once the cause is fixed: dead rows become pending again with attempts reset. */
  revive(ids: number[], runAtIso: string): number;
  /** Claimed rows put back unattempted (waiting on another row): unlocked, the claim not counted, due at `runAtIso`. */
  defer(ids: number[], runAtIso: string): void;
  /** A done row keeps a note (what could not be done, e.g. a deleted record's flag) in place of an error. */
  note(id: number, text: string): void;
  /** Done rows that carry a note, newest first. */
  notes(limit: number, campaignId: string): Array<{ id: number; key: string; kind: string; note: string }>;
  /** State of each known key; unknown keys are absent. */
  states(keys: string[]): Map<string, 'pending' | 'done' | 'dead'>;
  /** Rows of a campaign still pending that failed at least once, newest first, with their last error. */
  retrying(limit: number, campaignId?: string): Array<{ id: number; key: string; kind: string; lastError: string; attempts: number; runAt: string }>;
}

/** A CampaignLog row confirmed in Sugar. `hits` for viewed/link rows: the value written. */
export interface WrittenLogRow {
  logId: string;
  campaignId: string;
  recipientRowId: number;
  activityType: string;
  targetId: string;
  linkIndex?: number;
  hits?: number;
}

export interface StaleHits { logId: string; campaignId: string; recipientRowId: number; activityType: string; linkIndex: number; written: number; current: number }

/** What the write-back wrote to Sugar, and the hit counters it keeps equal to the local human counts. */
export interface WritebackRepo {
  /** Idempotent per logId. A viewed/link row is marked stale at once if the local count already moved on. */
  recordWritten(rows: WrittenLogRow[]): void;
  /** Written viewed/link rows whose local human count differs from what Sugar holds. */
  staleHits(limit: number): StaleHits[];
  /** After Sugar confirmed `hits`; stays stale if the local count moved again meanwhile. */
  hitsWritten(logId: string, hits: number): void;
  /** Gives up on a row's hits (deleted in Sugar): no longer stale. */
  dropStale(logId: string): void;
  /** Confirmed CampaignLog rows per activity type. */
  counts(campaignId: string): Record<string, number>;
  rows(campaignId: string): Array<{ logId: string; activityType: string; targetId: string }>;
  staleCount(campaignId: string): number;
}

/** Per recipient counters of opens and clicks, human and machine kept apart. */
export interface EngagementCounter {
  kind: 'open' | 'click';
  linkIndex?: number;
  humanHits: number;
  machineHits: number;
  firstHumanAt?: string;
  lastHumanAt?: string;
  lastMachineAt?: string;
}

/** Per-recipient delivery and consent facts; each recipient has a fact at most once. */
export type RecipientFact = 'hard_bounce' | 'soft_bounce' | 'block' | 'complaint' | 'opt_out';

/** Campaign totals from the counters and facts (these outlive raw-event retention). */
export interface EngagementSummary {
  opens: { people: number; machineOnly: number; humanHits: number; machineHits: number };
  clicks: { people: number; machineOnly: number; humanHits: number; machineHits: number };
  links: Array<{ linkIndex: number; people: number; humanHits: number; machineHits: number }>;
  facts: Record<RecipientFact, number>;
}

export interface EngagementRepo {
  /**
   * Bumps the counter; `firstHuman` is true when this was the recipient's first human hit of that kind/link,
   * `hits` counts every hit of that kind/link, human or machine, this one included.
   */
  record(e: { recipientRowId: number; campaignId: string; kind: 'open' | 'click'; linkIndex?: number; at: string; human: boolean }):
    { firstHuman: boolean; humanHits: number; hits: number };
  forRecipient(recipientRowId: number): EngagementCounter[];
  /** Soft bounces seen for an address key across campaigns; returns the new total. */
  countSoftBounce(addressKey: string, at: string): number;
  softBounces(addressKey: string): number;
  /** True when the fact is new for the recipient; a repeat changes nothing. */
  addFact(f: { recipientRowId: number; campaignId: string; fact: RecipientFact; at: string; detail?: string }): boolean;
  summary(campaignId: string): EngagementSummary;
}

export type AutomationStatus = 'active' | 'paused' | 'stopped';
/** The automation step a campaign sends for. */
export interface AutomationStep { automationId: string; automationName: string; automationStatus: AutomationStatus; stepKey: string }
export interface NewAutomation { name: string; targetListIds: string[]; definition: unknown; program: Instruction[]; createdBy?: Creator }
export interface StoredAutomation extends NewAutomation {
  id: string; status: AutomationStatus; listsReadAt?: string; createdAt: string; updatedAt: string;
}
export type EnrolmentStatus = 'active' | 'done' | 'left';
export interface Enrolment {
  id: number; automationId: string; status: EnrolmentStatus; leftReason?: string;
  target: Target & { addressKey: string };
  position: TargetPosition;
  dueAt: string; // '' = due now
}

/** Automations, their enrolled targets and the steps each target passed (once per target and step). */
export interface AutomationRepo {
  create(input: NewAutomation, id?: string): StoredAutomation;
  /** Replaces name, lists and steps; false when it does not exist or is stopped. Progress rows are kept. */
  update(id: string, input: NewAutomation): boolean;
  get(id: string): StoredAutomation | undefined;
  list(opts: { limit: number; offset: number }): StoredAutomation[];
  inStatus(status: AutomationStatus): StoredAutomation[];
  /** Compare-and-set; false when the current status is not in `from`. */
  setStatus(id: string, from: AutomationStatus[], to: AutomationStatus): boolean;
  listsRead(id: string, atIso: string): void;
  /** The internal campaign backing an email step; the first one recorded for a step stays. */
  setStepCampaign(automationId: string, stepKey: string, campaignId: string): void;
  /** After an edit changed a step's email: the step sends from this campaign from now on. */
  replaceStepCampaign(automationId: string, stepKey: string, campaignId: string): void;
  stepCampaigns(automationId: string): Map<string, string>;
  /** True for a campaign backing a step of an automation not stopped: it stays open for targets reaching the step later. */
  isOpenStepCampaign(campaignId: string): boolean;
  /** The automation step a campaign sends for, if it is one. */
  stepOf(campaignId: string): AutomationStep | undefined;
  /** Idempotent per (automation, module, record); new targets stand at `firstKey`, due now. Returns how many were new. */
  enrol(automationId: string, targets: Array<Target & { addressKey: string }>, firstKey: string | null): number;
  /** Active enrolments of active automations due by `nowIso`, oldest due first. */
  due(nowIso: string, limit: number): Enrolment[];
  getEnrolment(id: number): Enrolment | undefined;
  /** Only an active enrolment moves; `position.at` null means done. `dueAt` null: due now. False if it left meanwhile. */
  saveProgress(id: number, position: TargetPosition, dueAt: string | null): boolean;
  /** The exactly-once key: true the first time a target passes a send step, false ever after. */
  markSent(enrolmentId: number, stepKey: string): boolean;
  /** Remembers the ledger row a step's send got (for branching on its engagement). */
  linkLedgerRow(enrolmentId: number, stepKey: string, campaignId: string, addressKey: string): void;
  /** Send steps a target passed, with the ledger row each got (absent when the ledger already had the address). */
  sends(enrolmentId: number): Map<string, number | undefined>;
  /** Opt-out, hard bounce, complaint: active enrolments with these address keys leave every automation. */
  leave(addressKeys: string[], reason: string): number;
  /** Every active enrolment whose address is suppressed leaves, with the suppression's reason. Returns the count. */
  leaveSuppressed(): number;
  counts(automationId: string): {
    enrolments: Record<EnrolmentStatus, number>;
    /** Active targets per instruction key they stand at (waiting there). */
    waitingAt: Record<string, number>;
    /** Targets that passed each send step. */
    passed: Record<string, number>;
  };
}

/** The Sugar relay's pairing, its one-time code, seen nonces, and test sends per actor (docs/relay.md). */
export interface RelayRepo {
  pairing(): { secretSealed: string; sugarUrl: string | null; pairedAt: string } | undefined;
  /** Replaces any earlier pairing. */
  pair(secretSealed: string, sugarUrl: string | undefined, atIso: string): void;
  pairingCode(): { codeHash: string; expiresAt: string; failures: number; usedAt: string | null } | undefined;
  /** Replaces the live code. */
  newPairingCode(codeHash: string, expiresAtIso: string): void;
  pairingCodeFailed(): void;
  /** True once: marks the live code used if it has this hash and was not used. */
  usePairingCode(codeHash: string, atIso: string): boolean;
  /** True the first time a nonce is seen (until it expires); prunes expired ones. */
  seeNonce(nonce: string, expiresAtIso: string, nowIso: string): boolean;
  /** Records a test send unless `actor` already made `max` since `sinceIso`; false when over the limit. */
  takeTestSend(actor: string, sinceIso: string, max: number, nowIso: string): boolean;
}

/**
 * The transaction boundary. Synchronous today (SQLite); nested calls become savepoints and everything inside
 * commits or rolls back together.
 */
export interface UnitOfWork {
  transaction<T>(fn: () => T): T;
}

export interface Store {
  relay: RelayRepo;
  automations: AutomationRepo;
  campaigns: CampaignRepo;
  recipients: RecipientRepo;
  suppressions: SuppressionRepo;
  lists: LeadfwdListRepo;
  events: EventRepo;
  outbox: OutboxRepo;
  engagement: EngagementRepo;
  writeback: WritebackRepo;
  /** Synchronous; nested calls become savepoints. Everything inside commits or rolls back together. */
  transaction<T>(fn: () => T): T;
  close(): void;
  readonly path: string;
}
