import { randomUUID } from 'node:crypto';
import type { IdentityApproval, IdentityPause, Readiness, SenderIdentity } from '../domain/identity.js';
import type { IdentityAuditEntry, IdentityRepo, IdentitySecrets, IdentitySettings } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { COLUMNS, FINISHED, type IdentityRow, toIdentity } from './identity-rows.js';
import { SqliteRepo } from './sqlite-repo.js';
import { fromJson, toJson } from './values.js';

function settingsJson(s: IdentitySettings): string {
  if (typeof s.name !== 'string' || !s.name.trim()) throw new StoreInputError('an identity needs a name');
  const { name: _name, ...rest } = s;
  return toJson(rest);
}

export class SqliteIdentityRepo extends SqliteRepo implements IdentityRepo {
  private readonly q = {
    insert: this.db.prepare(`INSERT INTO sender_identities (id, name, is_default, settings, dkim_key_sealed, relay_pass_sealed, created_at, updated_at)
      VALUES (@id, @name, (SELECT count(*) = 0 FROM sender_identities), @settings, @dkim, @pass, @now, @now)`),
    update: this.db.prepare(`UPDATE sender_identities SET name = @name, settings = @settings,
        dkim_key_sealed = CASE WHEN @keepDkim THEN dkim_key_sealed ELSE @dkim END,
        relay_pass_sealed = CASE WHEN @keepPass THEN relay_pass_sealed ELSE @pass END,
        updated_at = @now WHERE id = @id`),
    get: this.db.prepare(`SELECT ${COLUMNS} FROM sender_identities WHERE id = ?`),
    list: this.db.prepare(`SELECT ${COLUMNS} FROM sender_identities ORDER BY is_default DESC, name`),
    getDefault: this.db.prepare(`SELECT ${COLUMNS} FROM sender_identities WHERE is_default = 1`),
    clearDefault: this.db.prepare('UPDATE sender_identities SET is_default = 0 WHERE is_default = 1'),
    setDefault: this.db.prepare('UPDATE sender_identities SET is_default = 1, updated_at = ? WHERE id = ?'),
    remove: this.db.prepare('DELETE FROM sender_identities WHERE id = ?'),
    approval: this.db.prepare('UPDATE sender_identities SET approval = ?, updated_at = ? WHERE id = ?'),
    pause: this.db.prepare(`UPDATE sender_identities SET paused = @paused, updated_at = @now WHERE id = @id
      AND (@onlyIf IS NULL OR (@onlyIf = 'running' AND paused IS NULL) OR (@onlyIf = 'paused' AND paused IS NOT NULL))`),
    saveReadiness: this.db.prepare('UPDATE sender_identities SET readiness = ? WHERE id = ?'),
    readiness: this.db.prepare('SELECT readiness FROM sender_identities WHERE id = ?').pluck(),
    campaigns: this.db
      .prepare(`SELECT id FROM campaigns WHERE status NOT IN ${FINISHED}
      AND (sender_identity_id = @id OR (sender_identity_id IS NULL AND @isDefault))`)
      .pluck(),
    // Automation steps keep their sender identity inside the compiled program (JSON).
    automations: this.db
      .prepare(`SELECT a.id FROM automations a WHERE a.status != 'stopped' AND EXISTS (SELECT 1 FROM json_each(a.program) i
        WHERE json_extract(i.value, '$.email.senderIdentityId') = @id
           OR (@isDefault AND json_extract(i.value, '$.op') = 'send' AND json_extract(i.value, '$.email.senderIdentityId') IS NULL))`)
      .pluck(),
    audit: this.db.prepare('INSERT INTO sender_identity_audit (identity_id, at, by, action, detail) VALUES (?, ?, ?, ?, ?)'),
    auditLog: this.db.prepare('SELECT at, by, action, detail FROM sender_identity_audit WHERE identity_id = ? ORDER BY id DESC LIMIT ?'),
  };

  create(settings: IdentitySettings, secrets: IdentitySecrets, id: string = randomUUID()): SenderIdentity {
    this.q.insert.run({
      id,
      name: settings.name,
      settings: settingsJson(settings),
      dkim: secrets.dkimKeySealed ?? null,
      pass: secrets.relayPasswordSealed ?? null,
      now: this.now(),
    });
    return this.get(id)!;
  }

  update(id: string, settings: IdentitySettings, secrets: { dkimKeySealed?: string | null; relayPasswordSealed?: string | null }): boolean {
    return (
      this.q.update.run({
        id,
        name: settings.name,
        settings: settingsJson(settings),
        keepDkim: secrets.dkimKeySealed === undefined ? 1 : 0,
        dkim: secrets.dkimKeySealed ?? null,
        keepPass: secrets.relayPasswordSealed === undefined ? 1 : 0,
        pass: secrets.relayPasswordSealed ?? null,
        now: this.now(),
      }).changes === 1
    );
  }

  get(id: string): SenderIdentity | undefined {
    const r = this.q.get.get(id) as IdentityRow | undefined;
    return r && toIdentity(r);
  }

  list(): SenderIdentity[] {
    return (this.q.list.all() as IdentityRow[]).map(toIdentity);
  }

  getDefault(): SenderIdentity | undefined {
    const r = this.q.getDefault.get() as IdentityRow | undefined;
    return r && toIdentity(r);
  }

  setDefault(id: string): boolean {
    return this.db.transaction(() => {
      if (!this.q.get.get(id)) return false;
      this.q.clearDefault.run();
      return this.q.setDefault.run(this.now(), id).changes === 1;
    })();
  }

  remove(id: string): boolean {
    return this.q.remove.run(id).changes === 1;
  }

  secrets(id: string): IdentitySecrets | undefined {
    const r = this.q.get.get(id) as IdentityRow | undefined;
    if (!r) return undefined;
    return { ...(r.dkim_key_sealed ? { dkimKeySealed: r.dkim_key_sealed } : {}), ...(r.relay_pass_sealed ? { relayPasswordSealed: r.relay_pass_sealed } : {}) };
  }

  setApproval(id: string, approval: IdentityApproval | null): boolean {
    return this.q.approval.run(approval ? toJson(approval) : null, this.now(), id).changes === 1;
  }

  setPaused(id: string, pause: IdentityPause | null, onlyIf?: 'running' | 'paused'): boolean {
    return this.q.pause.run({ id, paused: pause ? toJson(pause) : null, now: this.now(), onlyIf: onlyIf ?? null }).changes === 1;
  }

  saveReadiness(id: string, r: Readiness): void {
    this.q.saveReadiness.run(toJson(r), id);
  }

  readiness(id: string): Readiness | undefined {
    return fromJson<Readiness | undefined>(this.q.readiness.get(id) as string | null | undefined, undefined);
  }

  usage(id: string): { campaigns: string[]; automations: string[] } {
    const isDefault = (this.q.get.get(id) as IdentityRow | undefined)?.is_default ?? 0;
    return { campaigns: this.q.campaigns.all({ id, isDefault }) as string[], automations: this.q.automations.all({ id, isDefault }) as string[] };
  }

  audit(id: string, entry: IdentityAuditEntry): void {
    this.q.audit.run(id, entry.at, entry.by, entry.action, entry.detail ?? null);
  }

  auditLog(id: string, limit: number): IdentityAuditEntry[] {
    return (this.q.auditLog.all(id, limit) as Array<{ at: string; by: string; action: string; detail: string | null }>).map((r) => ({
      at: r.at,
      by: r.by,
      action: r.action,
      ...(r.detail !== null ? { detail: r.detail } : {}),
    }));
  }
}
