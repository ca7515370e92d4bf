// Automations on PostgreSQL: the same port and behaviour as store/sqlite-automation-repo.ts. What several processes
// need: status changes are compare-and-set, an enrolment is one row per (automation, record) whichever process reads
// the lists, a step is passed once per enrolment (automation_sends' key), and only an active enrolment's progress is
// saved, and `due` claims the enrolments it returns for the caller's transaction (SKIP LOCKED).
import { randomUUID } from 'node:crypto';
import type { Instruction } from '../../domain/automation.js';
import type { TargetPosition } from '../../domain/automation-steps.js';
import type { Target, TargetModule } from '../../domain/types.js';
import type { AutomationRepo, AutomationStatus, AutomationStep, Enrolment, EnrolmentStatus, NewAutomation, StoredAutomation } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { fromJson, isoTime, opt, toJson } from '../values.js';
import { PgAtomicRepo, type Row } from './repos.js';

const STATUSES = new Set<AutomationStatus>(['active', 'paused', 'stopped']);
const ENROLMENT_COLUMNS = `id, automation_id, module, record_id, list_id, email, email_address_id, address_key, fields, tracking_consent,
  status, at_key, wait_until, last_send_key, due_at, left_reason`;
const ENROLMENT_COLUMNS_OF_E = ENROLMENT_COLUMNS.split(',')
  .map((c) => `e.${c.trim()}`)
  .join(', ');

function toAutomation(r: Row): StoredAutomation {
  return {
    id: r.id as string,
    name: r.name as string,
    status: r.status as AutomationStatus,
    definition: fromJson(r.definition as string, null),
    program: fromJson<Instruction[]>(r.program as string, []),
    targetListIds: fromJson<string[]>(r.target_list_ids as string, []),
    listsReadAt: opt(r.lists_read_at as string | null),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    createdBy: r.created_by_id ? { id: r.created_by_id as string, userName: (r.created_by_name as string | null) ?? '' } : undefined,
  };
}

function toEnrolment(r: Row): Enrolment {
  return {
    id: Number(r.id),
    automationId: r.automation_id as string,
    status: r.status as EnrolmentStatus,
    leftReason: opt(r.left_reason as string | null),
    dueAt: r.due_at as string,
    target: {
      module: r.module as TargetModule,
      id: r.record_id as string,
      listId: r.list_id as string,
      email: r.email as string,
      emailAddressId: opt(r.email_address_id as string | null),
      fields: fromJson<Record<string, string>>(r.fields as string, {}),
      trackingConsent: r.tracking_consent === 1,
      addressKey: r.address_key as string,
    },
    position: { at: r.at_key as string | null, waitUntil: opt(r.wait_until as string | null), lastSendKey: opt(r.last_send_key as string | null) },
  };
}

export class PgAutomationRepo extends PgAtomicRepo implements AutomationRepo {
  async create(input: NewAutomation, id: string = randomUUID()): Promise<StoredAutomation> {
    const now = this.now();
    const { rows } = await this.q(
      `INSERT INTO automations (id, name, status, definition, program, target_list_ids, created_by_id, created_by_name, created_at, updated_at)
        VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
      [
        id,
        input.name,
        toJson(input.definition),
        toJson(input.program),
        toJson(input.targetListIds),
        input.createdBy?.id ?? null,
        input.createdBy?.userName ?? null,
        now,
      ],
    );
    return toAutomation(rows[0]);
  }

  async update(id: string, input: NewAutomation): Promise<boolean> {
    const r = await this.q(
      `UPDATE automations SET name = $2, definition = $3, program = $4, target_list_ids = $5, updated_at = $6 WHERE id = $1 AND status <> 'stopped'`,
      [id, input.name, toJson(input.definition), toJson(input.program), toJson(input.targetListIds), this.now()],
    );
    return r.rowCount === 1;
  }

  async get(id: string, o: { share?: boolean } = {}): Promise<StoredAutomation | undefined> {
    const [{ rows }, won] = await Promise.all([
      this.q(`SELECT * FROM automations WHERE id = $1${o.share ? ' FOR SHARE' : ''}`, [id]),
      this.q('SELECT step_key, winner FROM automation_split_winners WHERE automation_id = $1 AND winner IS NOT NULL', [id]),
    ]);
    if (!rows[0]) return undefined;
    const winners = won.rows.map((w) => [w.step_key as string, w.winner as number]);
    return { ...toAutomation(rows[0]), ...(winners.length ? { splitWinners: Object.fromEntries(winners) } : {}) };
  }

  async list(opts: { limit: number; offset: number }): Promise<StoredAutomation[]> {
    const { rows } = await this.q('SELECT * FROM automations ORDER BY created_at DESC, id LIMIT $1 OFFSET $2', [opts.limit, opts.offset]);
    return rows.map(toAutomation);
  }

  async inStatus(status: AutomationStatus): Promise<StoredAutomation[]> {
    const { rows } = await this.q('SELECT * FROM automations WHERE status = $1 ORDER BY created_at, id', [status]);
    return rows.map(toAutomation);
  }

  async setStatus(id: string, from: AutomationStatus[], to: AutomationStatus): Promise<boolean> {
    if (!STATUSES.has(to)) throw new StoreInputError(`automation status must be active, paused or stopped, got ${String(to)}`);
    const r = await this.q('UPDATE automations SET status = $2, updated_at = $3 WHERE id = $1 AND status = ANY($4::text[])', [id, to, this.now(), from]);
    return r.rowCount === 1;
  }

  async listsRead(id: string, atIso: string): Promise<void> {
    await this.q('UPDATE automations SET lists_read_at = $1 WHERE id = $2', [isoTime(atIso, 'listsReadAt'), id]);
  }

  async setStepCampaign(automationId: string, stepKey: string, campaignId: string): Promise<boolean> {
    const r = await this.q('INSERT INTO automation_steps (automation_id, step_key, campaign_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      automationId,
      stepKey,
      campaignId,
    ]);
    return r.rowCount === 1;
  }

  async replaceStepCampaign(automationId: string, stepKey: string, from: string, to: string): Promise<boolean> {
    const r = await this.q('UPDATE automation_steps SET campaign_id = $1 WHERE automation_id = $2 AND step_key = $3 AND campaign_id = $4', [
      to,
      automationId,
      stepKey,
      from,
    ]);
    return r.rowCount === 1;
  }

  async stepCampaigns(automationId: string): Promise<Map<string, string>> {
    const { rows } = await this.q('SELECT step_key, campaign_id FROM automation_steps WHERE automation_id = $1', [automationId]);
    return new Map(rows.map((r) => [r.step_key as string, r.campaign_id as string]));
  }

  async stepOf(campaignId: string): Promise<AutomationStep | undefined> {
    const { rows } = await this.q(
      `SELECT s.automation_id AS "automationId", a.name AS "automationName", a.status AS "automationStatus", s.step_key AS "stepKey"
        FROM automation_steps s JOIN automations a ON a.id = s.automation_id WHERE s.campaign_id = $1`,
      [campaignId],
    );
    return rows[0] as unknown as AutomationStep | undefined;
  }

  async isOpenStepCampaign(campaignId: string): Promise<boolean> {
    const { rows } = await this.q(
      `SELECT 1 FROM automation_steps s JOIN automations a ON a.id = s.automation_id WHERE s.campaign_id = $1 AND a.status <> 'stopped'`,
      [campaignId],
    );
    return rows.length > 0;
  }

  /** One INSERT … SELECT over unnest(); the automation must exist (checked in the same transaction). */
  async enrol(automationId: string, targets: Array<Target & { addressKey: string }>, firstKey: string | null): Promise<number> {
    const now = this.now();
    return this.atomic(async (q) => {
      if ((await q('SELECT 1 FROM automations WHERE id = $1', [automationId])).rows.length === 0)
        throw new StoreInputError(`unknown automation: ${automationId}`);
      if (targets.length === 0) return 0;
      const r = await q(
        `INSERT INTO automation_enrolments (automation_id, module, record_id, list_id, email, email_address_id, address_key, fields,
            tracking_consent, at_key, enrolled_at, updated_at)
          SELECT $1, m, rid, l, e, ea, k, f, tc, $10, $11, $11
          FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[]) WITH ORDINALITY
            AS t(m, rid, l, e, ea, k, f, tc, n)
          ORDER BY n
          ON CONFLICT (automation_id, module, record_id) DO NOTHING`,
        [
          automationId,
          targets.map((t) => t.module),
          targets.map((t) => t.id),
          targets.map((t) => t.listId),
          targets.map((t) => t.email),
          targets.map((t) => t.emailAddressId ?? null),
          targets.map((t) => t.addressKey),
          targets.map((t) => toJson(t.fields ?? {})),
          targets.map((t) => (t.trackingConsent ? 1 : 0)),
          firstKey,
          now,
        ],
      );
      return r.rowCount ?? 0;
    });
  }

  /** Only enrolments of active automations move, so pause and stop need no per-target writes. */
  async due(nowIso: string, limit: number): Promise<Enrolment[]> {
    const { rows } = await this.q(
      `SELECT ${ENROLMENT_COLUMNS_OF_E} FROM automation_enrolments e JOIN automations a ON a.id = e.automation_id AND a.status = 'active'
        WHERE e.status = 'active' AND e.due_at <= $1 ORDER BY e.due_at, e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED`,
      [isoTime(nowIso, 'now'), limit],
    );
    return rows.map(toEnrolment);
  }

  async getEnrolment(id: number): Promise<Enrolment | undefined> {
    const { rows } = await this.q(`SELECT ${ENROLMENT_COLUMNS} FROM automation_enrolments WHERE id = $1`, [id]);
    return rows[0] && toEnrolment(rows[0]);
  }

  async saveProgress(id: number, position: TargetPosition, dueAt: string | null): Promise<boolean> {
    const r = await this.q(
      `UPDATE automation_enrolments SET at_key = $2, wait_until = $3, last_send_key = $4, due_at = $5, status = $6, updated_at = $7
        WHERE id = $1 AND status = 'active'`,
      [
        id,
        position.at,
        position.waitUntil ?? null,
        position.lastSendKey ?? null,
        dueAt === null ? '' : isoTime(dueAt, 'dueAt'),
        position.at === null ? 'done' : 'active',
        this.now(),
      ],
    );
    return r.rowCount === 1;
  }

  async markSent(enrolmentId: number, stepKey: string): Promise<boolean> {
    const r = await this.q('INSERT INTO automation_sends (enrolment_id, step_key, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      enrolmentId,
      stepKey,
      this.now(),
    ]);
    return r.rowCount === 1;
  }

  async linkLedgerRow(enrolmentId: number, stepKey: string, campaignId: string, addressKey: string): Promise<void> {
    await this.q(
      `UPDATE automation_sends SET recipient_row_id = (SELECT row_id FROM recipients WHERE campaign_id = $3 AND address_key = $4)
        WHERE enrolment_id = $1 AND step_key = $2`,
      [enrolmentId, stepKey, campaignId, addressKey],
    );
  }

  async sends(enrolmentId: number): Promise<Map<string, number | undefined>> {
    const { rows } = await this.q('SELECT step_key, recipient_row_id FROM automation_sends WHERE enrolment_id = $1', [enrolmentId]);
    return new Map(rows.map((r) => [r.step_key as string, r.recipient_row_id === null ? undefined : Number(r.recipient_row_id)]));
  }

  // Enrolments another transaction holds (a tick's batch) are skipped, not waited for: two batches each leaving a
  // person from every automation waited for each other's claims (a deadlock). The holder checks suppressions itself,
  // and the next tick's leaveSuppressed takes out what is left.
  async leave(addressKeys: string[], reason: string): Promise<number> {
    if (addressKeys.length === 0) return 0;
    const r = await this.q(
      `UPDATE automation_enrolments SET status = 'left', left_reason = $2, due_at = '', updated_at = $3
        WHERE id IN (SELECT id FROM automation_enrolments WHERE status = 'active' AND address_key = ANY($1::text[]) FOR UPDATE SKIP LOCKED)`,
      [addressKeys, reason, this.now()],
    );
    return r.rowCount ?? 0;
  }

  async leaveSuppressed(): Promise<number> {
    const r = await this.q(
      `UPDATE automation_enrolments AS e SET status = 'left', left_reason = x.reason, due_at = '', updated_at = $1
        FROM (SELECT e.id, s.reason FROM automation_enrolments e JOIN suppressions s ON s.address_key = e.address_key
          WHERE e.status = 'active' FOR UPDATE OF e SKIP LOCKED) AS x
        WHERE e.id = x.id`,
      [this.now()],
    );
    return r.rowCount ?? 0;
  }

  async lockProgress(automationId: string): Promise<void> {
    await this.q('SELECT FROM automation_enrolments WHERE automation_id = $1 ORDER BY id FOR UPDATE', [automationId]);
  }

  async counts(automationId: string) {
    const [status, waiting, passed] = await Promise.all([
      this.q('SELECT status, count(*)::int AS n FROM automation_enrolments WHERE automation_id = $1 GROUP BY status', [automationId]),
      this.q(
        `SELECT at_key, count(*)::int AS n FROM automation_enrolments WHERE automation_id = $1 AND status = 'active' AND at_key IS NOT NULL GROUP BY at_key`,
        [automationId],
      ),
      this.q(
        `SELECT s.step_key, count(*)::int AS n FROM automation_sends s JOIN automation_enrolments e ON e.id = s.enrolment_id
          WHERE e.automation_id = $1 GROUP BY s.step_key`,
        [automationId],
      ),
    ]);
    const byStatus = Object.fromEntries(status.rows.map((r) => [r.status as string, r.n as number]));
    return {
      enrolments: { active: byStatus.active ?? 0, done: byStatus.done ?? 0, left: byStatus.left ?? 0 },
      waitingAt: Object.fromEntries(waiting.rows.map((r) => [r.at_key as string, r.n as number])) as Record<string, number>,
      passed: Object.fromEntries(passed.rows.map((r) => [r.step_key as string, r.n as number])) as Record<string, number>,
    };
  }
}
