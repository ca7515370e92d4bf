// Campaigns on PostgreSQL: the same port and behaviour as store/sqlite-campaign-repo.ts. Status changes are
// compare-and-set in one UPDATE, so two processes moving one campaign cannot both win.
import { randomUUID } from 'node:crypto';
import { canTransition } from '../../domain/lifecycle.js';
import type { Audit, CampaignStatus } from '../../domain/types.js';
import type { CampaignFilter, CampaignHistoryEntry, CampaignRef, CampaignRepo, NewCampaign, StoredCampaign, TrackedLinks } from '../../ports/index.js';
import { type CampaignRow, COLUMNS, toCampaign as campaignOf, STILL_HELD } from '../campaign-rows.js';
import { StoreInputError } from '../errors.js';
import { LINKS_OF, TRACKED_AMONG, TRACKED_SINCE, trackedLinks, trackedSpansSql, upcomingSql } from '../tracked-links.js';
import { isoTime, opt, stringArray, toJson } from '../values.js';
import { PgAtomicRepo, type Row } from './repos.js';

const toCampaign = (r: Row): StoredCampaign => campaignOf(r as CampaignRow);

function mustChange(changes: number | null, id: string): void {
  if (changes !== 1) throw new StoreInputError(`unknown campaign: ${id}`);
}

export class PgCampaignRepo extends PgAtomicRepo implements CampaignRepo {
  async create(input: NewCampaign, id: string = randomUUID()): Promise<StoredCampaign> {
    const now = this.now();
    const values = [
      id,
      input.name,
      input.subject,
      input.fromName,
      input.fromEmail,
      input.replyTo ?? null,
      input.mjml ?? null,
      input.html ?? null,
      toJson(stringArray(input.targetListIds, 'targetListIds')),
      toJson(stringArray(input.leadfwdListIds, 'leadfwdListIds')),
      toJson(stringArray(input.customFields, 'customFields')),
      input.testAddresses ? toJson(stringArray(input.testAddresses, 'testAddresses')) : null,
      isoTime(input.sendAt, 'sendAt'),
      input.sugarCampaignId ?? null,
      input.held ? 1 : 0,
      input.createdBy?.id ?? null,
      input.createdBy?.userName ?? null,
      input.senderIdentityId ?? null,
      input.sendAsAssignedUser ? 1 : 0,
      input.audiences?.length ? toJson(input.audiences) : null,
      input.followUpOf ? toJson(input.followUpOf) : null,
      input.abPart ? toJson(input.abPart) : null,
      input.localTime ? toJson(input.localTime) : null,
      now,
    ];
    await this.atomic(async (q) => {
      await q(
        `INSERT INTO campaigns (${COLUMNS}) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $24)`,
        values,
      );
      await q('INSERT INTO campaign_history (campaign_id, status, at, reason) VALUES ($1, $2, $3, NULL)', [id, 'draft', now]);
    });
    return (await this.get(id))!;
  }

  async staleHolds(createdBeforeIso: string): Promise<Array<{ id: string; status: CampaignStatus }>> {
    const { rows } = await this.q(`SELECT id, status FROM campaigns WHERE held = 1 AND created_at < $1 AND status IN ${STILL_HELD}`, [
      isoTime(createdBeforeIso, 'createdBefore'),
    ]);
    return rows as Array<{ id: string; status: CampaignStatus }>;
  }

  async release(id: string, sendAtIso: string): Promise<boolean> {
    const r = await this.q(`UPDATE campaigns SET held = 0, send_at = $1, updated_at = $2 WHERE id = $3 AND held = 1 AND status IN ${STILL_HELD}`, [
      isoTime(sendAtIso, 'sendAt'),
      this.now(),
      id,
    ]);
    return r.rowCount === 1;
  }

  async get(id: string, o: { lock?: boolean } = {}): Promise<StoredCampaign | undefined> {
    // NO KEY: rows that refer to the campaign (events, outbox items) can still be added meanwhile.
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM campaigns WHERE id = $1${o.lock ? ' FOR NO KEY UPDATE' : ''}`, [id]);
    return rows[0] && toCampaign(rows[0]);
  }

  async list(opts: { limit: number; offset: number; status?: CampaignStatus }): Promise<StoredCampaign[]> {
    const { rows } = await this.q(
      `SELECT ${COLUMNS} FROM campaigns WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [opts.status ?? null, opts.limit, opts.offset],
    );
    return rows.map(toCampaign);
  }

  async find(filter: CampaignFilter): Promise<CampaignRef[]> {
    const automation = filter.automation === undefined ? null : filter.automation === 'none' ? '' : filter.automation.id;
    // strpos() on lower(), so % and _ in what a person types are just characters.
    const { rows } = await this.q(
      `SELECT id, name, sugar_campaign_id, created_by_id, created_by_name FROM campaigns c
        WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
          AND ($2::text IS NULL OR strpos(lower(name), $2) > 0 OR strpos(lower(subject), $2) > 0)
          AND ($3::text IS NULL OR lower(from_email) = $3)
          AND ($4::text IS NULL OR send_at >= $4)
          AND ($5::text IS NULL OR send_at < $5)
          AND ($6::int IS NULL OR held = $6)
          AND ($7::text IS NULL
            OR ($7 = '' AND NOT EXISTS (SELECT 1 FROM automation_steps s WHERE s.campaign_id = c.id))
            OR EXISTS (SELECT 1 FROM automation_steps s WHERE s.campaign_id = c.id AND s.automation_id = $7))
          AND ($8::text IS NULL OR sugar_campaign_id = $8)
          AND ($9::text IS NULL OR target_list_ids::jsonb ? $9)
        ORDER BY created_at DESC, id DESC`,
      [
        filter.statuses ?? null,
        filter.text ? filter.text.toLowerCase() : null,
        filter.fromEmail ? filter.fromEmail.toLowerCase() : null,
        filter.sendFrom ? isoTime(filter.sendFrom, 'sendFrom') : null,
        filter.sendTo ? isoTime(filter.sendTo, 'sendTo') : null,
        filter.held === undefined ? null : filter.held ? 1 : 0,
        automation,
        filter.sugarCampaignId ?? null,
        filter.targetListId ?? null,
      ],
    );
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      sugarCampaignId: opt(r.sugar_campaign_id as string | null),
      createdBy: r.created_by_id ? { id: r.created_by_id as string, userName: (r.created_by_name as string | null) ?? '' } : undefined,
    }));
  }

  async note(id: string, reason: string): Promise<boolean> {
    const r = await this.q('INSERT INTO campaign_history (campaign_id, status, at, reason) SELECT id, status, $1, $2 FROM campaigns WHERE id = $3', [
      this.now(),
      reason,
      id,
    ]);
    return r.rowCount === 1;
  }

  async transition(id: string, allowedFrom: CampaignStatus[], to: CampaignStatus, reason?: string): Promise<boolean> {
    const illegal = allowedFrom.filter((from) => !canTransition(from, to));
    if (illegal.length > 0) throw new StoreInputError(`illegal campaign transition: ${illegal.join('|')} → ${to}`);
    const now = this.now();
    // One statement: the compare-and-set and its history line, or neither.
    const { rows } = await this.q(
      `WITH moved AS (UPDATE campaigns SET status = $1, updated_at = $2 WHERE id = $3 AND status = ANY($4::text[]) RETURNING id)
        INSERT INTO campaign_history (campaign_id, status, at, reason) SELECT id, $1, $2, $5 FROM moved RETURNING 1`,
      [to, now, id, allowedFrom, reason ?? null],
    );
    return rows.length === 1;
  }

  async history(id: string): Promise<CampaignHistoryEntry[]> {
    const { rows } = await this.q('SELECT status, at, reason FROM campaign_history WHERE campaign_id = $1 ORDER BY id', [id]);
    return rows.map((r) =>
      r.reason === null
        ? { status: r.status as CampaignStatus, at: r.at as string }
        : { status: r.status as CampaignStatus, at: r.at as string, reason: r.reason as string },
    );
  }

  async due(nowIso: string): Promise<StoredCampaign[]> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM campaigns WHERE status = 'pending' AND held = 0 AND send_at <= $1 ORDER BY send_at, id`, [
      isoTime(nowIso, 'now'),
    ]);
    return rows.map(toCampaign);
  }

  async inStatus(statuses: CampaignStatus[]): Promise<StoredCampaign[]> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM campaigns WHERE status = ANY($1::text[]) ORDER BY created_at, id`, [statuses]);
    return rows.map(toCampaign);
  }

  async withIdentity(identityId: string | null, statuses: CampaignStatus[]): Promise<StoredCampaign[]> {
    const { rows } = await this.q(
      `SELECT ${COLUMNS} FROM campaigns WHERE status = ANY($1::text[])
        AND (sender_identity_id = $2 OR ($2::text IS NULL AND sender_identity_id IS NULL)) ORDER BY created_at, id`,
      [statuses, identityId],
    );
    return rows.map(toCampaign);
  }

  async saveAudit(id: string, audit: Audit): Promise<void> {
    mustChange((await this.q('UPDATE campaigns SET audit = $1, updated_at = $2 WHERE id = $3', [toJson(audit), this.now(), id])).rowCount, id);
  }

  async getAudit(id: string): Promise<Audit | undefined> {
    const { rows } = await this.q('SELECT audit FROM campaigns WHERE id = $1', [id]);
    const a = rows[0]?.audit as string | null | undefined;
    return a ? (JSON.parse(a) as Audit) : undefined;
  }

  async setSugarCampaignId(id: string, sugarId: string): Promise<void> {
    mustChange((await this.q('UPDATE campaigns SET sugar_campaign_id = $1, updated_at = $2 WHERE id = $3', [sugarId, this.now(), id])).rowCount, id);
  }

  /** The campaign row is locked while its links are compared and appended, so processes saving at once agree. */
  async saveLinks(id: string, links: string[]): Promise<void> {
    stringArray(links, 'links');
    await this.atomic(async (q) => {
      // Also takes the campaign's row lock, so two processes saving its links take turns.
      mustChange((await q('UPDATE campaigns SET links_saved_at = coalesce(links_saved_at, $2) WHERE id = $1', [id, this.now()])).rowCount, id);
      const existing = (await q('SELECT url FROM campaign_links WHERE campaign_id = $1 ORDER BY idx', [id])).rows.map((r) => r.url as string);
      const conflict = existing.findIndex((url, i) => i < links.length && links[i] !== url);
      if (conflict >= 0 || links.length < existing.length) {
        throw new StoreInputError(`links of campaign ${id} are already saved and differ at index ${conflict >= 0 ? conflict : links.length}`);
      }
      const fresh = links.slice(existing.length);
      if (fresh.length)
        await q('INSERT INTO campaign_links (campaign_id, idx, url) SELECT $1, $2::int + ord - 1, url FROM unnest($3::text[]) WITH ORDINALITY AS u(url, ord)', [
          id,
          existing.length,
          fresh,
        ]);
    });
  }

  async links(id: string): Promise<string[]> {
    const { rows } = await this.q('SELECT url FROM campaign_links WHERE campaign_id = $1 ORDER BY idx', [id]);
    return rows.map((r) => r.url as string);
  }

  async trackedLinks(sinceIso: string, maxSpans: number): Promise<TrackedLinks> {
    const since = isoTime(sinceIso, 'since');
    // In the order store/tracked-links.ts needs (each statement sees what the one before it saw, or more).
    const upcoming = (await this.q(upcomingSql('$1'), [since])).rows;
    const spans = (await this.q(trackedSpansSql('$1', '$2'), [since, maxSpans])).rows;
    const ids = [...new Set(spans.map((s) => s.campaign_id as string))];
    return trackedLinks(spans, (await this.q(LINKS_OF('SELECT unnest($1::text[])'), [ids])).rows, upcoming);
  }

  async trackedAmong(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    return (await this.q(TRACKED_AMONG('SELECT unnest($1::text[])'), [stringArray(ids, 'ids')])).rows.map((r) => r.id as string);
  }

  async trackedSince(sinceIso: string): Promise<string[]> {
    return (await this.q(TRACKED_SINCE('$1'), [isoTime(sinceIso, 'since')])).rows.map((r) => r.id as string);
  }
}
