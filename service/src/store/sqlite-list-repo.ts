import { randomUUID } from 'node:crypto';
import type { Creator, TargetModule } from '../domain/types.js';
import type { LeadfwdList, LeadfwdListRepo, ListMember, ListSource } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { checkMembers, checkSource, type ListRow, toList } from './list-rows.js';
import { SqliteRepo } from './sqlite-repo.js';
import { toJson } from './values.js';

export class SqliteLeadfwdListRepo extends SqliteRepo implements LeadfwdListRepo {
  private readonly q = {
    create: this.db.prepare('INSERT INTO leadfwd_lists (id, name, source, created_by_id, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    get: this.db.prepare('SELECT id, name, source, sugar_list_id, created_by_id, created_by_name, created_at FROM leadfwd_lists WHERE id = ?'),
    list: this.db.prepare(`SELECT l.id, l.name, l.source, l.sugar_list_id, l.created_by_id, l.created_by_name, l.created_at,
        (SELECT count(*) FROM leadfwd_list_members m WHERE m.list_id = l.id) AS member_count
      FROM leadfwd_lists l ORDER BY l.created_at, l.id`),
    nextPosition: this.db.prepare('SELECT coalesce(max(position), -1) + 1 FROM leadfwd_list_members WHERE list_id = ?').pluck(),
    addMember: this.db.prepare(`INSERT INTO leadfwd_list_members (list_id, module, record_id, email, position)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (list_id, module, record_id) DO NOTHING`),
    members: this.db.prepare('SELECT module, record_id, email FROM leadfwd_list_members WHERE list_id = ? ORDER BY position'),
    modules: this.db.prepare('SELECT DISTINCT module FROM leadfwd_list_members WHERE list_id = ?').pluck(),
    membersPage: this.db.prepare(`SELECT module, record_id, email, position FROM leadfwd_list_members
      WHERE list_id = ? AND position > ? ORDER BY position LIMIT ?`),
    memberCount: this.db.prepare('SELECT count(*) FROM leadfwd_list_members WHERE list_id = ?').pluck(),
    removeMembers: this.db.prepare('DELETE FROM leadfwd_list_members WHERE list_id = ?'),
    remove: this.db.prepare('DELETE FROM leadfwd_lists WHERE id = ?'),
    known: this.db.prepare('SELECT id FROM leadfwd_lists WHERE id IN (SELECT value FROM json_each(?))').pluck(),
    setSugarId: this.db.prepare('UPDATE leadfwd_lists SET sugar_list_id = ? WHERE id = ?'),
  };

  create(name: string, source: ListSource, id: string = randomUUID(), createdBy?: Creator): LeadfwdList {
    checkSource(source);
    this.q.create.run(id, name, source, createdBy?.id ?? null, createdBy?.userName ?? null, this.now());
    return this.get(id)!;
  }

  addMembers(listId: string, members: ListMember[]): number {
    checkMembers(members);
    return this.db.transaction(() => {
      if (!this.q.get.get(listId)) throw new StoreInputError(`unknown LeadFWD list: ${listId}`);
      // Positions keep the import order, so the list reads back the way it was built.
      let position = this.q.nextPosition.get(listId) as number;
      let added = 0;
      for (const m of members) {
        const changes = this.q.addMember.run(listId, m.module, m.recordId, m.email ?? null, position).changes;
        added += changes;
        position += changes;
      }
      return added;
    })();
  }

  members(listId: string): ListMember[] {
    const rows = this.q.members.all(listId) as Array<{ module: TargetModule; record_id: string; email: string | null }>;
    return rows.map((r) => (r.email === null ? { module: r.module, recordId: r.record_id } : { module: r.module, recordId: r.record_id, email: r.email }));
  }

  modules(listId: string): TargetModule[] {
    return this.q.modules.all(listId) as TargetModule[];
  }

  membersPage(listId: string, after: number, limit: number): { members: ListMember[]; next?: number } {
    const rows = this.q.membersPage.all(listId, after, limit) as Array<{ module: TargetModule; record_id: string; email: string | null; position: number }>;
    const members = rows.map((r) =>
      r.email === null ? { module: r.module, recordId: r.record_id } : { module: r.module, recordId: r.record_id, email: r.email },
    );
    return rows.length === limit ? { members, next: rows[rows.length - 1].position } : { members };
  }

  remove(id: string): void {
    this.db.transaction(() => {
      this.q.removeMembers.run(id);
      this.q.remove.run(id);
    })();
  }

  memberCount(listId: string): number {
    return this.q.memberCount.get(listId) as number;
  }

  get(id: string): LeadfwdList | undefined {
    const r = this.q.get.get(id) as ListRow | undefined;
    return r && toList(r);
  }

  list(): Array<LeadfwdList & { memberCount: number }> {
    return (this.q.list.all() as Array<ListRow & { member_count: number }>).map((r) => ({ ...toList(r), memberCount: r.member_count }));
  }

  exists(ids: string[]): string[] {
    if (ids.length === 0) return [];
    const known = new Set(this.q.known.all(toJson(ids)) as string[]);
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  setSugarListId(id: string, sugarListId: string): void {
    if (this.q.setSugarId.run(sugarListId, id).changes !== 1) throw new StoreInputError(`unknown LeadFWD list: ${id}`);
  }
}
