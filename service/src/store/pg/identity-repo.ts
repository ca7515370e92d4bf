// Sender identities on PostgreSQL: the same port and behaviour as store/sqlite-identity-repo.ts. The first identity
// made becomes the default in its INSERT; changing the default clears and sets it in one transaction, and the
// partial unique index keeps at most one whichever process writes. Both take the default's advisory lock first, as
// SQLite's one writer would: two "first" identities made at once, unlocked, both read none and the second failed on
// the index.
import { randomUUID } from 'node:crypto';
import type { IdentityApproval, IdentityPause, Readiness, SenderIdentity } from '../../domain/identity.js';
import type { IdentityAuditEntry, IdentityRepo, IdentitySecrets, IdentitySettings } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { COLUMNS, FINISHED, toIdentity as fromRow, type IdentityRow } from '../identity-rows.js';
import { fromJson, toJson } from '../values.js';
import { PgAtomicRepo, type Row } from './repos.js';

const toIdentity = (r: Row) => fromRow(r as unknown as IdentityRow);

/** Held to the end of the transaction; the next statement's snapshot sees what the holder before committed. */
const DEFAULT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('leadfwd.identity_default'))";

function settingsJson(s: IdentitySettings): string {
  if (typeof s.name !== 'string' || !s.name.trim()) throw new StoreInputError('an identity needs a name');
  const { name: _name, ...rest } = s;
  return toJson(rest);
}

export class PgIdentityRepo extends PgAtomicRepo implements IdentityRepo {
  async create(settings: IdentitySettings, secrets: IdentitySecrets, id: string = randomUUID()): Promise<SenderIdentity> {
    const now = this.now();
    const json = settingsJson(settings);
    return await this.atomic(async (q) => {
      await q(DEFAULT_LOCK);
      const { rows } = await q(
        `INSERT INTO sender_identities (id, name, is_default, settings, dkim_key_sealed, relay_pass_sealed, created_at, updated_at)
          VALUES ($1, $2, CASE WHEN EXISTS (SELECT 1 FROM sender_identities) THEN 0 ELSE 1 END, $3, $4, $5, $6, $6) RETURNING ${COLUMNS}`,
        [id, settings.name, json, secrets.dkimKeySealed ?? null, secrets.relayPasswordSealed ?? null, now],
      );
      return toIdentity(rows[0]);
    });
  }

  async update(id: string, settings: IdentitySettings, secrets: { dkimKeySealed?: string | null; relayPasswordSealed?: string | null }): Promise<boolean> {
    const r = await this.q(
      `UPDATE sender_identities SET name = $2, settings = $3,
          dkim_key_sealed = CASE WHEN $4 THEN dkim_key_sealed ELSE $5 END,
          relay_pass_sealed = CASE WHEN $6 THEN relay_pass_sealed ELSE $7 END,
          updated_at = $8 WHERE id = $1`,
      [
        id,
        settings.name,
        settingsJson(settings),
        secrets.dkimKeySealed === undefined,
        secrets.dkimKeySealed ?? null,
        secrets.relayPasswordSealed === undefined,
        secrets.relayPasswordSealed ?? null,
        this.now(),
      ],
    );
    return r.rowCount === 1;
  }

  async get(id: string): Promise<SenderIdentity | undefined> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM sender_identities WHERE id = $1`, [id]);
    return rows[0] && toIdentity(rows[0]);
  }

  async list(): Promise<SenderIdentity[]> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM sender_identities ORDER BY is_default DESC, name`);
    return rows.map(toIdentity);
  }

  async getDefault(): Promise<SenderIdentity | undefined> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM sender_identities WHERE is_default = 1`);
    return rows[0] && toIdentity(rows[0]);
  }

  async setDefault(id: string): Promise<boolean> {
    return this.atomic(async (q) => {
      await q(DEFAULT_LOCK);
      if ((await q('SELECT 1 FROM sender_identities WHERE id = $1 FOR UPDATE', [id])).rows.length === 0) return false;
      await q('UPDATE sender_identities SET is_default = 0 WHERE is_default = 1');
      return (await q('UPDATE sender_identities SET is_default = 1, updated_at = $1 WHERE id = $2', [this.now(), id])).rowCount === 1;
    });
  }

  async remove(id: string): Promise<boolean> {
    return (await this.q('DELETE FROM sender_identities WHERE id = $1', [id])).rowCount === 1;
  }

  async secrets(id: string): Promise<IdentitySecrets | undefined> {
    const { rows } = await this.q('SELECT dkim_key_sealed, relay_pass_sealed FROM sender_identities WHERE id = $1', [id]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      ...(r.dkim_key_sealed ? { dkimKeySealed: r.dkim_key_sealed as string } : {}),
      ...(r.relay_pass_sealed ? { relayPasswordSealed: r.relay_pass_sealed as string } : {}),
    };
  }

  async setApproval(id: string, approval: IdentityApproval | null): Promise<boolean> {
    const r = await this.q('UPDATE sender_identities SET approval = $1, updated_at = $2 WHERE id = $3', [approval ? toJson(approval) : null, this.now(), id]);
    return r.rowCount === 1;
  }

  /** Compare-and-set with `onlyIf`: of two processes pausing (or resuming) at once, one changes it. */
  async setPaused(id: string, pause: IdentityPause | null, onlyIf?: 'running' | 'paused'): Promise<boolean> {
    const r = await this.q(
      `UPDATE sender_identities SET paused = $2, updated_at = $3 WHERE id = $1
        AND ($4::text IS NULL OR ($4 = 'running' AND paused IS NULL) OR ($4 = 'paused' AND paused IS NOT NULL))`,
      [id, pause ? toJson(pause) : null, this.now(), onlyIf ?? null],
    );
    return r.rowCount === 1;
  }

  async saveReadiness(id: string, r: Readiness): Promise<void> {
    await this.q('UPDATE sender_identities SET readiness = $1 WHERE id = $2', [toJson(r), id]);
  }

  async readiness(id: string): Promise<Readiness | undefined> {
    const { rows } = await this.q('SELECT readiness FROM sender_identities WHERE id = $1', [id]);
    return fromJson<Readiness | undefined>(rows[0]?.readiness as string | null | undefined, undefined);
  }

  async usage(id: string): Promise<{ campaigns: string[]; automations: string[] }> {
    const { rows: own } = await this.q('SELECT is_default FROM sender_identities WHERE id = $1', [id]);
    const isDefault = own[0]?.is_default === 1;
    const [campaigns, automations] = await Promise.all([
      this.q(`SELECT id FROM campaigns WHERE status NOT IN ${FINISHED} AND (sender_identity_id = $1 OR (sender_identity_id IS NULL AND $2)) ORDER BY id`, [
        id,
        isDefault,
      ]),
      // Automation steps keep their sender identity inside the compiled program (JSON).
      this.q(
        `SELECT a.id FROM automations a WHERE a.status <> 'stopped' AND EXISTS (SELECT 1 FROM jsonb_array_elements(a.program::jsonb) i
          WHERE i.value #>> '{email,senderIdentityId}' = $1
             OR ($2 AND i.value->>'op' = 'send' AND i.value #>> '{email,senderIdentityId}' IS NULL)) ORDER BY a.id`,
        [id, isDefault],
      ),
    ]);
    return { campaigns: campaigns.rows.map((r) => r.id as string), automations: automations.rows.map((r) => r.id as string) };
  }

  async audit(id: string, entry: IdentityAuditEntry): Promise<void> {
    await this.q('INSERT INTO sender_identity_audit (identity_id, at, by, action, detail) VALUES ($1, $2, $3, $4, $5)', [
      id,
      entry.at,
      entry.by,
      entry.action,
      entry.detail ?? null,
    ]);
  }

  async auditLog(id: string, limit: number): Promise<IdentityAuditEntry[]> {
    const { rows } = await this.q('SELECT at, by, action, detail FROM sender_identity_audit WHERE identity_id = $1 ORDER BY id DESC LIMIT $2', [id, limit]);
    return rows.map((r) => ({
      at: r.at as string,
      by: r.by as string,
      action: r.action as string,
      ...(r.detail !== null ? { detail: r.detail as string } : {}),
    }));
  }
}
