import { randomUUID } from 'node:crypto';
import { canTransition } from '../domain/lifecycle.js';
import type { Audit, CampaignStatus } from '../domain/types.js';
import type { CampaignFilter, CampaignHistoryEntry, CampaignRef, CampaignRepo, NewCampaign, StoredCampaign, TrackedLinks } from '../ports/index.js';
import { type CampaignRow, COLUMNS, STILL_HELD, toCampaign } from './campaign-rows.js';
import { StoreInputError } from './errors.js';
import { SqliteRepo } from './sqlite-repo.js';
import { LINKS_OF, TRACKED_AMONG, TRACKED_SINCE, trackedLinks, trackedSpansSql, upcomingSql } from './tracked-links.js';
import { isoTime, opt, stringArray, toJson } from './values.js';

export class SqliteCampaignRepo extends SqliteRepo implements CampaignRepo {
  private readonly q = {
    insert: this.db.prepare(`INSERT INTO campaigns (${COLUMNS}) VALUES (@id, @name, 'draft', @subject, @fromName,
      @fromEmail, @replyTo, @mjml, @html, @targetListIds, @leadfwdListIds, @customFields, @testAddresses, @sendAt,
      @sugarCampaignId, @held, @createdById, @createdByName, @senderIdentityId, @sendAsAssignedUser, @audiences, @followUpOf, @abPart, @localTime, @now, @now)`),
    get: this.db.prepare(`SELECT ${COLUMNS} FROM campaigns WHERE id = ?`),
    list: this.db.prepare(`SELECT ${COLUMNS} FROM campaigns WHERE (@status IS NULL OR status = @status)
      ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`),
    // Text is matched with instr() on lower(), so % and _ in what a person types are just characters.
    find: this.db.prepare(`SELECT id, name, sugar_campaign_id, created_by_id, created_by_name FROM campaigns c
      WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
        AND (@text IS NULL OR instr(lower(name), @text) > 0 OR instr(lower(subject), @text) > 0)
        AND (@fromEmail IS NULL OR lower(from_email) = @fromEmail)
        AND (@sendFrom IS NULL OR send_at >= @sendFrom)
        AND (@sendTo IS NULL OR send_at < @sendTo)
        AND (@held IS NULL OR held = @held)
        AND (@automation IS NULL
          OR (@automation = '' AND NOT EXISTS (SELECT 1 FROM automation_steps s WHERE s.campaign_id = c.id))
          OR EXISTS (SELECT 1 FROM automation_steps s WHERE s.campaign_id = c.id AND s.automation_id = @automation))
        AND (@sugarCampaignId IS NULL OR sugar_campaign_id = @sugarCampaignId)
        AND (@targetListId IS NULL OR EXISTS (SELECT 1 FROM json_each(target_list_ids) WHERE value = @targetListId))
      ORDER BY created_at DESC, id DESC`),
    note: this.db.prepare(`INSERT INTO campaign_history (campaign_id, status, at, reason) SELECT id, status, ?, ? FROM campaigns WHERE id = ?`),
    cas: this.db.prepare(`UPDATE campaigns SET status = @to, updated_at = @now
      WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`),
    addHistory: this.db.prepare('INSERT INTO campaign_history (campaign_id, status, at, reason) VALUES (?, ?, ?, ?)'),
    history: this.db.prepare('SELECT status, at, reason FROM campaign_history WHERE campaign_id = ? ORDER BY id'),
    due: this.db.prepare(`SELECT ${COLUMNS} FROM campaigns WHERE status = 'pending' AND held = 0 AND send_at <= ? ORDER BY send_at, id`),
    staleHolds: this.db.prepare(`SELECT id, status FROM campaigns WHERE held = 1 AND created_at < ? AND status IN ${STILL_HELD}`),
    release: this.db.prepare(`UPDATE campaigns SET held = 0, send_at = ?, updated_at = ? WHERE id = ? AND held = 1 AND status IN ${STILL_HELD}`),
    inStatus: this.db.prepare(`SELECT ${COLUMNS} FROM campaigns WHERE status IN (SELECT value FROM json_each(?))
      ORDER BY created_at, id`),
    withIdentity: this.db.prepare(`SELECT ${COLUMNS} FROM campaigns WHERE status IN (SELECT value FROM json_each(@statuses))
      AND (sender_identity_id = @id OR (@id IS NULL AND sender_identity_id IS NULL)) ORDER BY created_at, id`),
    saveAudit: this.db.prepare('UPDATE campaigns SET audit = ?, updated_at = ? WHERE id = ?'),
    getAudit: this.db.prepare('SELECT audit FROM campaigns WHERE id = ?'),
    setSugarId: this.db.prepare('UPDATE campaigns SET sugar_campaign_id = ?, updated_at = ? WHERE id = ?'),
    addLink: this.db.prepare('INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, ?, ?)'),
    linksSaved: this.db.prepare('UPDATE campaigns SET links_saved_at = coalesce(links_saved_at, ?) WHERE id = ?'),
    links: this.db.prepare('SELECT url FROM campaign_links WHERE campaign_id = ? ORDER BY idx').pluck(),
    trackedSpans: this.db.prepare(trackedSpansSql('?', '?')),
    linksOf: this.db.prepare(LINKS_OF('SELECT value FROM json_each(?)')),
    upcoming: this.db.prepare(upcomingSql('?')),
    trackedAmong: this.db.prepare(TRACKED_AMONG('SELECT value FROM json_each(?)')).pluck(),
    trackedSince: this.db.prepare(TRACKED_SINCE('?')).pluck(),
  };

  create(input: NewCampaign, id: string = randomUUID()): StoredCampaign {
    const now = this.now();
    const row = {
      id,
      name: input.name,
      subject: input.subject,
      fromName: input.fromName,
      fromEmail: input.fromEmail,
      replyTo: input.replyTo ?? null,
      mjml: input.mjml ?? null,
      html: input.html ?? null,
      targetListIds: toJson(stringArray(input.targetListIds, 'targetListIds')),
      leadfwdListIds: toJson(stringArray(input.leadfwdListIds, 'leadfwdListIds')),
      customFields: toJson(stringArray(input.customFields, 'customFields')),
      testAddresses: input.testAddresses ? toJson(stringArray(input.testAddresses, 'testAddresses')) : null,
      sendAt: isoTime(input.sendAt, 'sendAt'),
      sugarCampaignId: input.sugarCampaignId ?? null,
      held: input.held ? 1 : 0,
      createdById: input.createdBy?.id ?? null,
      createdByName: input.createdBy?.userName ?? null,
      senderIdentityId: input.senderIdentityId ?? null,
      sendAsAssignedUser: input.sendAsAssignedUser ? 1 : 0,
      audiences: input.audiences?.length ? toJson(input.audiences) : null,
      followUpOf: input.followUpOf ? toJson(input.followUpOf) : null,
      abPart: input.abPart ? toJson(input.abPart) : null,
      localTime: input.localTime ? toJson(input.localTime) : null,
      now,
    };
    this.db.transaction(() => {
      this.q.insert.run(row);
      this.q.addHistory.run(id, 'draft', now, null);
    })();
    return this.get(id)!;
  }

  staleHolds(createdBeforeIso: string): Array<{ id: string; status: CampaignStatus }> {
    return this.q.staleHolds.all(isoTime(createdBeforeIso, 'createdBefore')) as Array<{ id: string; status: CampaignStatus }>;
  }

  release(id: string, sendAtIso: string): boolean {
    return this.q.release.run(isoTime(sendAtIso, 'sendAt'), this.now(), id).changes === 1;
  }

  get(id: string): StoredCampaign | undefined {
    const r = this.q.get.get(id) as CampaignRow | undefined;
    return r && toCampaign(r);
  }

  list(opts: { limit: number; offset: number; status?: CampaignStatus }): StoredCampaign[] {
    const rows = this.q.list.all({ status: opts.status ?? null, limit: opts.limit, offset: opts.offset }) as CampaignRow[];
    return rows.map(toCampaign);
  }

  find(filter: CampaignFilter): CampaignRef[] {
    const automation = filter.automation === undefined ? null : filter.automation === 'none' ? '' : filter.automation.id;
    const rows = this.q.find.all({
      statuses: filter.statuses ? toJson(filter.statuses) : null,
      text: filter.text ? filter.text.toLowerCase() : null,
      fromEmail: filter.fromEmail ? filter.fromEmail.toLowerCase() : null,
      sendFrom: filter.sendFrom ? isoTime(filter.sendFrom, 'sendFrom') : null,
      sendTo: filter.sendTo ? isoTime(filter.sendTo, 'sendTo') : null,
      held: filter.held === undefined ? null : filter.held ? 1 : 0,
      automation,
      sugarCampaignId: filter.sugarCampaignId ?? null,
      targetListId: filter.targetListId ?? null,
    }) as Array<{ id: string; name: string; sugar_campaign_id: string | null; created_by_id: string | null; created_by_name: string | null }>;
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      sugarCampaignId: opt(r.sugar_campaign_id),
      createdBy: r.created_by_id ? { id: r.created_by_id, userName: r.created_by_name ?? '' } : undefined,
    }));
  }

  note(id: string, reason: string): boolean {
    return this.q.note.run(this.now(), reason, id).changes === 1;
  }

  transition(id: string, allowedFrom: CampaignStatus[], to: CampaignStatus, reason?: string): boolean {
    const illegal = allowedFrom.filter((from) => !canTransition(from, to));
    if (illegal.length > 0) throw new StoreInputError(`illegal campaign transition: ${illegal.join('|')} → ${to}`);
    const now = this.now();
    return this.db.transaction(() => {
      const changed = this.q.cas.run({ id, to, now, from: toJson(allowedFrom) }).changes === 1;
      if (changed) this.q.addHistory.run(id, to, now, reason ?? null);
      return changed;
    })();
  }

  history(id: string): CampaignHistoryEntry[] {
    const rows = this.q.history.all(id) as Array<{ status: CampaignStatus; at: string; reason: string | null }>;
    return rows.map((r) => (r.reason === null ? { status: r.status, at: r.at } : { status: r.status, at: r.at, reason: r.reason }));
  }

  due(nowIso: string): StoredCampaign[] {
    return (this.q.due.all(isoTime(nowIso, 'now')) as CampaignRow[]).map(toCampaign);
  }

  inStatus(statuses: CampaignStatus[]): StoredCampaign[] {
    return (this.q.inStatus.all(toJson(statuses)) as CampaignRow[]).map(toCampaign);
  }

  withIdentity(identityId: string | null, statuses: CampaignStatus[]): StoredCampaign[] {
    return (this.q.withIdentity.all({ id: identityId, statuses: toJson(statuses) }) as CampaignRow[]).map(toCampaign);
  }

  saveAudit(id: string, audit: Audit): void {
    this.mustChange(this.q.saveAudit.run(toJson(audit), this.now(), id).changes, id);
  }

  getAudit(id: string): Audit | undefined {
    const r = this.q.getAudit.get(id) as { audit: string | null } | undefined;
    return r?.audit ? (JSON.parse(r.audit) as Audit) : undefined;
  }

  setSugarCampaignId(id: string, sugarId: string): void {
    this.mustChange(this.q.setSugarId.run(sugarId, this.now(), id).changes, id);
  }

  saveLinks(id: string, links: string[]): void {
    stringArray(links, 'links');
    this.db.transaction(() => {
      this.mustChange(this.q.linksSaved.run(this.now(), id).changes, id);
      const existing = this.links(id);
      const conflict = existing.findIndex((url, i) => i < links.length && links[i] !== url);
      if (conflict >= 0 || links.length < existing.length) {
        throw new StoreInputError(`links of campaign ${id} are already saved and differ at index ${conflict >= 0 ? conflict : links.length}`);
      }
      for (let i = existing.length; i < links.length; i++) this.q.addLink.run(id, i, links[i]);
    })();
  }

  links(id: string): string[] {
    return this.q.links.all(id) as string[];
  }

  trackedLinks(sinceIso: string, maxSpans: number): TrackedLinks {
    const since = isoTime(sinceIso, 'since');
    // One read transaction, in the order store/tracked-links.ts needs.
    return this.db.transaction(() => {
      const upcoming = this.q.upcoming.all(since) as Array<Record<string, unknown>>;
      const spans = this.q.trackedSpans.all(since, maxSpans) as Array<Record<string, unknown>>;
      const ids = [...new Set(spans.map((s) => s.campaign_id as string))];
      return trackedLinks(spans, this.q.linksOf.all(JSON.stringify(ids)) as Array<Record<string, unknown>>, upcoming);
    })();
  }

  trackedAmong(ids: string[]): string[] {
    return ids.length ? (this.q.trackedAmong.all(JSON.stringify(stringArray(ids, 'ids'))) as string[]) : [];
  }

  trackedSince(sinceIso: string): string[] {
    return this.q.trackedSince.all(isoTime(sinceIso, 'since')) as string[];
  }

  private mustChange(changes: number, id: string): void {
    if (changes !== 1) throw new StoreInputError(`unknown campaign: ${id}`);
  }
}
