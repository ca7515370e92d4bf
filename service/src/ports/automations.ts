// Automations, their enrolments and the exactly-once (enrolment, step) key.

import type { Instruction } from '../domain/automation.js';
import type { TargetPosition } from '../domain/automation-steps.js';
import type { Creator, Target } from '../domain/types.js';
import type { Awaitable } from './unit-of-work.js';

export type AutomationStatus = 'active' | 'paused' | 'stopped';
/** The automation step a campaign sends for. */
export interface AutomationStep {
  automationId: string;
  automationName: string;
  automationStatus: AutomationStatus;
  stepKey: string;
}
export interface NewAutomation {
  name: string;
  targetListIds: string[];
  definition: unknown;
  program: Instruction[];
  createdBy?: Creator;
}
export interface StoredAutomation extends NewAutomation {
  id: string;
  status: AutomationStatus;
  listsReadAt?: string;
  /** From `get` only: the winning path of each split decided so far, by step key (targets arriving take it). */
  splitWinners?: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}
export type EnrolmentStatus = 'active' | 'done' | 'left';
export interface Enrolment {
  id: number;
  automationId: string;
  status: EnrolmentStatus;
  leftReason?: string;
  target: Target & { addressKey: string };
  position: TargetPosition;
  dueAt: string; // '' = due now
}

/** Automations, their enrolled targets and the steps each target passed (once per target and step). */
export interface AutomationRepo {
  create(input: NewAutomation, id?: string): Awaitable<StoredAutomation>;
  /** Replaces name, lists and steps; false when it does not exist or is stopped. Progress rows are kept. */
  update(id: string, input: NewAutomation): Awaitable<boolean>;
  /**
   * `share`: in a transaction, lock the automation's row against a change of status until it ends (PostgreSQL): a tick's
   * batch reads it so, and a stop waits for the batches putting people on its steps.
   */
  get(id: string, o?: { share?: boolean }): Awaitable<StoredAutomation | undefined>;
  list(opts: { limit: number; offset: number }): Awaitable<StoredAutomation[]>;
  inStatus(status: AutomationStatus): Awaitable<StoredAutomation[]>;
  /** Compare-and-set; false when the current status is not in `from`. */
  setStatus(id: string, from: AutomationStatus[], to: AutomationStatus): Awaitable<boolean>;
  listsRead(id: string, atIso: string): Awaitable<void>;
  /** The internal campaign backing an email step; the first one recorded for a step stays. */
  /** False when the step already has a campaign (another process's tick set it first). */
  setStepCampaign(automationId: string, stepKey: string, campaignId: string): Awaitable<boolean>;
  /** After an edit changed a step's email: the step sends from `to` from now on. False when it no longer sent from `from` (another process replaced it first). */
  replaceStepCampaign(automationId: string, stepKey: string, from: string, to: string): Awaitable<boolean>;
  stepCampaigns(automationId: string): Awaitable<Map<string, string>>;
  /** True for a campaign backing a step of an automation not stopped: it stays open for targets reaching the step later. */
  isOpenStepCampaign(campaignId: string): Awaitable<boolean>;
  /** The automation step a campaign sends for, if it is one. */
  stepOf(campaignId: string): Awaitable<AutomationStep | undefined>;
  /** Idempotent per (automation, module, record); new targets stand at `firstKey`, due now. Returns how many were new. */
  enrol(automationId: string, targets: Array<Target & { addressKey: string }>, firstKey: string | null): Awaitable<number>;
  /**
   * Active enrolments of active automations due by `nowIso`, oldest due first. Within a unit of work they are claimed
   * for it: another process's unit of work skips them until it ends (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has
   * one writer).
   */
  due(nowIso: string, limit: number): Awaitable<Enrolment[]>;
  getEnrolment(id: number): Awaitable<Enrolment | undefined>;
  /** Only an active enrolment moves; `position.at` null means done. `dueAt` null: due now. False if it left meanwhile. */
  saveProgress(id: number, position: TargetPosition, dueAt: string | null): Awaitable<boolean>;
  /** The exactly-once key: true the first time a target passes a send step, false ever after. */
  markSent(enrolmentId: number, stepKey: string): Awaitable<boolean>;
  /** Remembers the ledger row a step's send got (for branching on its engagement). */
  linkLedgerRow(enrolmentId: number, stepKey: string, campaignId: string, addressKey: string): Awaitable<void>;
  /** Send steps a target passed, with the ledger row each got (absent when the ledger already had the address). */
  sends(enrolmentId: number): Awaitable<Map<string, number | undefined>>;
  /** Opt-out, hard bounce, complaint: active enrolments with these address keys leave every automation. */
  leave(addressKeys: string[], reason: string): Awaitable<number>;
  /** Every active enrolment whose address is suppressed leaves, with the suppression's reason. Returns the count. */
  leaveSuppressed(): Awaitable<number>;
  /**
   * Waits for every tick transaction moving this automation's targets, and keeps later ones off them, until the
   * caller's transaction ends: an edit then reads which steps were passed and saves the new steps with none passed in
   * between. PostgreSQL needs it (ticks claim with SKIP LOCKED); SQLite's transactions already run one at a time.
   */
  lockProgress(automationId: string): Awaitable<void>;
  counts(automationId: string): Awaitable<{
    enrolments: Record<EnrolmentStatus, number>;
    /** Active targets per instruction key they stand at (waiting there). */
    waitingAt: Record<string, number>;
    /** Targets that passed each send step. */
    passed: Record<string, number>;
  }>;
}
