import { randomUUID } from 'node:crypto';
import type { Instruction } from '../domain/automation.js';
import type { TargetPosition } from '../domain/automation-steps.js';
import type { Target, TargetModule } from '../domain/types.js';
import type { AutomationRepo, AutomationStatus, AutomationStep, Enrolment, EnrolmentStatus, NewAutomation, StoredAutomation } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { SqliteRepo } from './sqlite-repo.js';
import { fromJson, isoTime, opt, toJson } from './values.js';

interface AutomationRow {
  id: string;
  name: string;
  status: AutomationStatus;
  definition: string;
  program: string;
  target_list_ids: string;
  lists_read_at: string | null;
  created_by_id: string | null;
  created_by_name: string | null;
  created_at: string;
  updated_at: string;
}
interface EnrolmentRow {
  id: number;
  automation_id: string;
  module: TargetModule;
  record_id: string;
  list_id: string;
  email: string;
  email_address_id: string | null;
  address_key: string;
  fields: string;
  tracking_consent: number;
  status: EnrolmentStatus;
  at_key: string | null;
  wait_until: string | null;
  last_send_key: string | null;
  due_at: string;
  left_reason: string | null;
}

const STATUSES = new Set<AutomationStatus>(['active', 'paused', 'stopped']);
const COLUMNS = [
  'id',
  'automation_id',
  'module',
  'record_id',
  'list_id',
  'email',
  'email_address_id',
  'address_key',
  'fields',
  'tracking_consent',
  'status',
  'at_key',
  'wait_until',
  'last_send_key',
  'due_at',
  'left_reason',
];
const ENROLMENT_COLUMNS = COLUMNS.join(', ');

function toAutomation(r: AutomationRow): StoredAutomation {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    definition: fromJson(r.definition, null),
    program: fromJson<Instruction[]>(r.program, []),
    targetListIds: fromJson<string[]>(r.target_list_ids, []),
    listsReadAt: opt(r.lists_read_at),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by_id ? { id: r.created_by_id, userName: r.created_by_name ?? '' } : undefined,
  };
}

function toEnrolment(r: EnrolmentRow): Enrolment {
  return {
    id: r.id,
    automationId: r.automation_id,
    status: r.status,
    leftReason: opt(r.left_reason),
    dueAt: r.due_at,
    target: {
      module: r.module,
      id: r.record_id,
      listId: r.list_id,
      email: r.email,
      emailAddressId: opt(r.email_address_id),
      fields: fromJson<Record<string, string>>(r.fields, {}),
      trackingConsent: r.tracking_consent === 1,
      addressKey: r.address_key,
    },
    position: { at: r.at_key, waitUntil: opt(r.wait_until), lastSendKey: opt(r.last_send_key) },
  };
}

export class SqliteAutomationRepo extends SqliteRepo implements AutomationRepo {
  private readonly q = {
    create:
      this.db.prepare(`INSERT INTO automations (id, name, status, definition, program, target_list_ids, created_by_id, created_by_name, created_at, updated_at)
      VALUES (@id, @name, 'active', @definition, @program, @lists, @createdById, @createdByName, @now, @now)`),
    get: this.db.prepare('SELECT * FROM automations WHERE id = ?'),
    splitWinners: this.db.prepare('SELECT step_key, winner FROM automation_split_winners WHERE automation_id = ? AND winner IS NOT NULL'),
    list: this.db.prepare('SELECT * FROM automations ORDER BY created_at DESC, id LIMIT ? OFFSET ?'),
    inStatus: this.db.prepare('SELECT * FROM automations WHERE status = ? ORDER BY created_at, id'),
    setStatus: this.db.prepare(`UPDATE automations SET status = @to, updated_at = @now
      WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`),
    listsRead: this.db.prepare('UPDATE automations SET lists_read_at = ? WHERE id = ?'),
    setStep: this.db.prepare('INSERT INTO automation_steps (automation_id, step_key, campaign_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    replaceStep: this.db.prepare('UPDATE automation_steps SET campaign_id = ? WHERE automation_id = ? AND step_key = ? AND campaign_id = ?'),
    update: this.db.prepare(`UPDATE automations SET name = @name, definition = @definition, program = @program, target_list_ids = @lists,
      updated_at = @now WHERE id = @id AND status <> 'stopped'`),
    steps: this.db.prepare('SELECT step_key, campaign_id FROM automation_steps WHERE automation_id = ?'),
    stepOf: this.db.prepare(`SELECT s.automation_id AS automationId, a.name AS automationName, a.status AS automationStatus, s.step_key AS stepKey
      FROM automation_steps s JOIN automations a ON a.id = s.automation_id WHERE s.campaign_id = ?`),
    isOpenStep: this.db
      .prepare(`SELECT 1 FROM automation_steps s JOIN automations a ON a.id = s.automation_id
      WHERE s.campaign_id = ? AND a.status <> 'stopped'`)
      .pluck(),
    enrol: this.db.prepare(`INSERT INTO automation_enrolments (automation_id, module, record_id, list_id, email, email_address_id,
        address_key, fields, tracking_consent, at_key, enrolled_at, updated_at)
      VALUES (@automationId, @module, @recordId, @listId, @email, @emailAddressId, @addressKey, @fields, @consent, @atKey, @now, @now)
      ON CONFLICT (automation_id, module, record_id) DO NOTHING`),
    // Only enrolments of active automations move, so pause and stop need no per-target writes.
    due: this.db.prepare(`SELECT ${COLUMNS.map((c) => `e.${c}`).join(', ')} FROM automation_enrolments e
      JOIN automations a ON a.id = e.automation_id AND a.status = 'active'
      WHERE e.status = 'active' AND e.due_at <= @now ORDER BY e.due_at, e.id LIMIT @limit`),
    enrolment: this.db.prepare(`SELECT ${ENROLMENT_COLUMNS} FROM automation_enrolments WHERE id = ?`),
    save: this.db.prepare(`UPDATE automation_enrolments SET at_key = @at, wait_until = @waitUntil, last_send_key = @lastSendKey,
        due_at = @dueAt, status = @status, updated_at = @now WHERE id = @id AND status = 'active'`),
    markSent: this.db.prepare('INSERT INTO automation_sends (enrolment_id, step_key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    linkRow: this.db.prepare(`UPDATE automation_sends SET recipient_row_id =
        (SELECT row_id FROM recipients WHERE campaign_id = @campaignId AND address_key = @addressKey)
      WHERE enrolment_id = @enrolmentId AND step_key = @stepKey`),
    sends: this.db.prepare('SELECT step_key, recipient_row_id FROM automation_sends WHERE enrolment_id = ?'),
    leave: this.db.prepare(`UPDATE automation_enrolments SET status = 'left', left_reason = @reason, due_at = '', updated_at = @now
      WHERE status = 'active' AND address_key IN (SELECT value FROM json_each(@keys))`),
    // Driven from the (usually small) suppression list through the partial address index.
    leaveSuppressed: this.db.prepare(`UPDATE automation_enrolments AS e SET status = 'left', left_reason = s.reason, due_at = '', updated_at = @now
      FROM suppressions AS s WHERE e.address_key = s.address_key AND e.status = 'active'`),
    statusCounts: this.db.prepare('SELECT status, count(*) AS n FROM automation_enrolments WHERE automation_id = ? GROUP BY status'),
    waitingAt: this.db.prepare(`SELECT at_key, count(*) AS n FROM automation_enrolments
      WHERE automation_id = ? AND status = 'active' AND at_key IS NOT NULL GROUP BY at_key`),
    passedCounts: this.db.prepare(`SELECT s.step_key, count(*) AS n FROM automation_sends s
      JOIN automation_enrolments e ON e.id = s.enrolment_id WHERE e.automation_id = ? GROUP BY s.step_key`),
  };

  create(input: NewAutomation, id: string = randomUUID()): StoredAutomation {
    this.q.create.run({
      id,
      name: input.name,
      definition: toJson(input.definition),
      program: toJson(input.program),
      lists: toJson(input.targetListIds),
      createdById: input.createdBy?.id ?? null,
      createdByName: input.createdBy?.userName ?? null,
      now: this.now(),
    });
    return this.get(id)!;
  }

  update(id: string, input: NewAutomation): boolean {
    return (
      this.q.update.run({
        id,
        name: input.name,
        definition: toJson(input.definition),
        program: toJson(input.program),
        lists: toJson(input.targetListIds),
        now: this.now(),
      }).changes === 1
    );
  }

  get(id: string): StoredAutomation | undefined {
    const r = this.q.get.get(id) as AutomationRow | undefined;
    if (!r) return undefined;
    const won = this.q.splitWinners.all(id) as Array<{ step_key: string; winner: number }>;
    return { ...toAutomation(r), ...(won.length ? { splitWinners: Object.fromEntries(won.map((w) => [w.step_key, w.winner])) } : {}) };
  }

  list(opts: { limit: number; offset: number }): StoredAutomation[] {
    return (this.q.list.all(opts.limit, opts.offset) as AutomationRow[]).map(toAutomation);
  }

  inStatus(status: AutomationStatus): StoredAutomation[] {
    return (this.q.inStatus.all(status) as AutomationRow[]).map(toAutomation);
  }

  setStatus(id: string, from: AutomationStatus[], to: AutomationStatus): boolean {
    if (!STATUSES.has(to)) throw new StoreInputError(`automation status must be active, paused or stopped, got ${String(to)}`);
    return this.q.setStatus.run({ id, to, from: toJson(from), now: this.now() }).changes === 1;
  }

  listsRead(id: string, atIso: string): void {
    this.q.listsRead.run(isoTime(atIso, 'listsReadAt'), id);
  }

  setStepCampaign(automationId: string, stepKey: string, campaignId: string): boolean {
    return this.q.setStep.run(automationId, stepKey, campaignId).changes === 1;
  }

  replaceStepCampaign(automationId: string, stepKey: string, from: string, to: string): boolean {
    return this.q.replaceStep.run(to, automationId, stepKey, from).changes === 1;
  }

  stepCampaigns(automationId: string): Map<string, string> {
    const rows = this.q.steps.all(automationId) as Array<{ step_key: string; campaign_id: string }>;
    return new Map(rows.map((r) => [r.step_key, r.campaign_id]));
  }

  stepOf(campaignId: string): AutomationStep | undefined {
    return this.q.stepOf.get(campaignId) as AutomationStep | undefined;
  }

  isOpenStepCampaign(campaignId: string): boolean {
    return this.q.isOpenStep.get(campaignId) !== undefined;
  }

  enrol(automationId: string, targets: Array<Target & { addressKey: string }>, firstKey: string | null): number {
    const now = this.now();
    return this.db.transaction(() => {
      if (!this.q.get.get(automationId)) throw new StoreInputError(`unknown automation: ${automationId}`);
      let added = 0;
      for (const t of targets) {
        added += this.q.enrol.run({
          automationId,
          module: t.module,
          recordId: t.id,
          listId: t.listId,
          email: t.email,
          emailAddressId: t.emailAddressId ?? null,
          addressKey: t.addressKey,
          fields: toJson(t.fields ?? {}),
          consent: t.trackingConsent ? 1 : 0,
          atKey: firstKey,
          now,
        }).changes;
      }
      return added;
    })();
  }

  due(nowIso: string, limit: number): Enrolment[] {
    return (this.q.due.all({ now: isoTime(nowIso, 'now'), limit }) as EnrolmentRow[]).map(toEnrolment);
  }

  getEnrolment(id: number): Enrolment | undefined {
    const r = this.q.enrolment.get(id) as EnrolmentRow | undefined;
    return r && toEnrolment(r);
  }

  saveProgress(id: number, position: TargetPosition, dueAt: string | null): boolean {
    return (
      this.q.save.run({
        id,
        at: position.at,
        waitUntil: position.waitUntil ?? null,
        lastSendKey: position.lastSendKey ?? null,
        dueAt: dueAt === null ? '' : isoTime(dueAt, 'dueAt'),
        status: position.at === null ? 'done' : 'active',
        now: this.now(),
      }).changes === 1
    );
  }

  markSent(enrolmentId: number, stepKey: string): boolean {
    return this.q.markSent.run(enrolmentId, stepKey, this.now()).changes === 1;
  }

  linkLedgerRow(enrolmentId: number, stepKey: string, campaignId: string, addressKey: string): void {
    this.q.linkRow.run({ enrolmentId, stepKey, campaignId, addressKey });
  }

  sends(enrolmentId: number): Map<string, number | undefined> {
    const rows = this.q.sends.all(enrolmentId) as Array<{ step_key: string; recipient_row_id: number | null }>;
    return new Map(rows.map((r) => [r.step_key, opt(r.recipient_row_id)]));
  }

  leave(addressKeys: string[], reason: string): number {
    if (addressKeys.length === 0) return 0;
    return this.q.leave.run({ keys: toJson(addressKeys), reason, now: this.now() }).changes;
  }

  leaveSuppressed(): number {
    return this.q.leaveSuppressed.run({ now: this.now() }).changes;
  }

  lockProgress(_automationId: string): void {}

  counts(automationId: string) {
    const byStatus = Object.fromEntries((this.q.statusCounts.all(automationId) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
    const waiting = Object.fromEntries((this.q.waitingAt.all(automationId) as Array<{ at_key: string; n: number }>).map((r) => [r.at_key, r.n]));
    const passed = Object.fromEntries((this.q.passedCounts.all(automationId) as Array<{ step_key: string; n: number }>).map((r) => [r.step_key, r.n]));
    return {
      enrolments: { active: byStatus.active ?? 0, done: byStatus.done ?? 0, left: byStatus.left ?? 0 },
      waitingAt: waiting as Record<string, number>,
      passed: passed as Record<string, number>,
    };
  }
}
