// LeadFWD lists on PostgreSQL: the same port and behaviour as store/sqlite-list-repo.ts.
import { randomUUID } from 'node:crypto';
import type { Creator, TargetModule } from '../../domain/types.js';
import type { LeadfwdList, LeadfwdListRepo, ListMember, ListSource } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { checkMembers, checkSource, type ListRow, toList as listOf } from '../list-rows.js';
import { PgAtomicRepo, type Row } from './repos.js';

const COLUMNS = 'id, name, source, sugar_list_id, created_by_id, created_by_name, created_at';

const toList = (r: Row): LeadfwdList => listOf(r as ListRow);
const toMember = (r: Row): ListMember =>
  r.email === null
    ? { module: r.module as TargetModule, recordId: r.record_id as string }
    : { module: r.module as TargetModule, recordId: r.record_id as string, email: r.email as string };

export class PgLeadfwdListRepo extends PgAtomicRepo implements LeadfwdListRepo {
  async create(name: string, source: ListSource, id: string = randomUUID(), createdBy?: Creator): Promise<LeadfwdList> {
    checkSource(source);
    const { rows } = await this.q(
      `INSERT INTO leadfwd_lists (id, name, source, created_by_id, created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [id, name, source, createdBy?.id ?? null, createdBy?.userName ?? null, this.now()],
    );
    return toList(rows[0]);
  }

  /** Positions keep the import order; the list row is locked meanwhile, so two processes adding at once number apart. */
  async addMembers(listId: string, members: ListMember[]): Promise<number> {
    checkMembers(members);
    return await this.atomic(async (q) => {
      if (!(await q('SELECT 1 FROM leadfwd_lists WHERE id = $1 FOR UPDATE', [listId])).rowCount) throw new StoreInputError(`unknown LeadFWD list: ${listId}`);
      if (!members.length) return 0;
      const { rows } = await q(
        `WITH start AS (SELECT coalesce(max(position), -1) AS p FROM leadfwd_list_members WHERE list_id = $1),
          incoming AS (SELECT m.module, m.record_id, m.email, m.ord FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(module, record_id, email, ord)),
          fresh AS (SELECT DISTINCT ON (i.module, i.record_id) i.* FROM incoming i
            WHERE NOT EXISTS (SELECT 1 FROM leadfwd_list_members x WHERE x.list_id = $1 AND x.module = i.module AND x.record_id = i.record_id)
            ORDER BY i.module, i.record_id, i.ord)
        INSERT INTO leadfwd_list_members (list_id, module, record_id, email, position)
          SELECT $1, f.module, f.record_id, f.email, (SELECT p FROM start) + row_number() OVER (ORDER BY f.ord) FROM fresh f
        RETURNING 1`,
        [listId, members.map((m) => m.module), members.map((m) => m.recordId), members.map((m) => m.email ?? null)],
      );
      return rows.length;
    });
  }

  async members(listId: string): Promise<ListMember[]> {
    const { rows } = await this.q('SELECT module, record_id, email FROM leadfwd_list_members WHERE list_id = $1 ORDER BY position', [listId]);
    return rows.map(toMember);
  }

  async modules(listId: string): Promise<TargetModule[]> {
    const { rows } = await this.q('SELECT DISTINCT module FROM leadfwd_list_members WHERE list_id = $1', [listId]);
    return rows.map((r) => r.module as TargetModule);
  }

  async membersPage(listId: string, after: number, limit: number): Promise<{ members: ListMember[]; next?: number }> {
    const { rows } = await this.q(
      'SELECT module, record_id, email, position FROM leadfwd_list_members WHERE list_id = $1 AND position > $2 ORDER BY position LIMIT $3',
      [listId, after, limit],
    );
    const members = rows.map(toMember);
    return rows.length === limit ? { members, next: rows[rows.length - 1].position as number } : { members };
  }

  async remove(id: string): Promise<void> {
    await this.q('DELETE FROM leadfwd_lists WHERE id = $1', [id]); // members go with it (ON DELETE CASCADE)
  }

  async memberCount(listId: string): Promise<number> {
    const { rows } = await this.q('SELECT count(*)::int AS n FROM leadfwd_list_members WHERE list_id = $1', [listId]);
    return rows[0].n as number;
  }

  async get(id: string): Promise<LeadfwdList | undefined> {
    const { rows } = await this.q(`SELECT ${COLUMNS} FROM leadfwd_lists WHERE id = $1`, [id]);
    return rows[0] && toList(rows[0]);
  }

  async list(): Promise<Array<LeadfwdList & { memberCount: number }>> {
    const { rows } = await this.q(`SELECT l.id, l.name, l.source, l.sugar_list_id, l.created_by_id, l.created_by_name, l.created_at,
        (SELECT count(*)::int FROM leadfwd_list_members m WHERE m.list_id = l.id) AS member_count
      FROM leadfwd_lists l ORDER BY l.created_at, l.id`);
    return rows.map((r) => ({ ...toList(r), memberCount: r.member_count as number }));
  }

  async exists(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.q('SELECT id FROM leadfwd_lists WHERE id = ANY($1::text[])', [ids]);
    const known = new Set(rows.map((r) => r.id as string));
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  async setSugarListId(id: string, sugarListId: string): Promise<void> {
    if ((await this.q('UPDATE leadfwd_lists SET sugar_list_id = $1 WHERE id = $2', [sugarListId, id])).rowCount !== 1)
      throw new StoreInputError(`unknown LeadFWD list: ${id}`);
  }
}
