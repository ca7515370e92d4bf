// Relationships of sugar-platform.md §5 over the join tables and foreign keys of vardefs.ts.
import { SugarError } from './errors.js';
import type { RecordStore } from './record-store.js';
import type { Rows } from './rows.js';
import { newId } from './util.js';
import type { LinkDef } from './vardefs.js';

export class Links {
  constructor(
    private rows: Rows,
    private store: RecordStore,
  ) {}

  def(module: string, link: string): LinkDef {
    const l = Object.hasOwn(this.rows.def(module).links, link) ? this.rows.def(module).links[link] : undefined;
    if (!l) throw new SugarError(404, 'not_found', `Could not find a relationship named: ${link}`);
    return l;
  }

  relatedIds(module: string, id: string, link: string): string[] {
    const l = this.def(module, link);
    if (l.kind === 'm2m') {
      const role = l.role ? ` AND ${l.role.col} = ?` : '';
      const sql = `SELECT ${l.otherCol} AS rid FROM ${l.table} WHERE ${l.selfCol} = ?${role} AND deleted = 0`;
      const params = l.role ? [id, l.role.value] : [id];
      return (this.rows.prepare(sql).all(...params) as Array<{ rid: string }>).map((r) => r.rid);
    }
    if (l.kind === 'fk_many') {
      const sql = `SELECT id FROM ${this.rows.def(l.module).table} WHERE "${l.fkField}" = ?`;
      return (this.rows.prepare(sql).all(id) as Array<{ id: string }>).map((r) => r.id);
    }
    const own = this.store.get(module, id)?.[l.fkField];
    return typeof own === 'string' && own ? [own] : [];
  }

  add(module: string, id: string, link: string, rid: string, now: string): void {
    const l = this.def(module, link);
    if (l.kind === 'm2m') {
      const roleCols = l.role ? `, ${l.role.col}` : '';
      const roleWhere = l.role ? ` AND ${l.role.col} = ?` : '';
      const params = l.role ? [id, rid, l.role.value] : [id, rid];
      const existing = this.rows.prepare(`SELECT id, deleted FROM ${l.table} WHERE ${l.selfCol} = ? AND ${l.otherCol} = ?${roleWhere}`).get(...params) as
        | { id: string; deleted: number }
        | undefined;
      if (existing?.deleted === 0) return;
      if (existing) {
        this.rows.prepare(`UPDATE ${l.table} SET deleted = 0, date_modified = ? WHERE id = ?`).run(now, existing.id);
      } else {
        const ph = l.role ? ', ?' : '';
        this.rows
          .prepare(`INSERT INTO ${l.table} (id, ${l.selfCol}, ${l.otherCol}${roleCols}, date_modified, deleted) VALUES (?, ?, ?${ph}, ?, 0)`)
          .run(newId(), ...params, now);
      }
      this.store.touch(module, id);
      this.store.touch(l.module, rid);
    } else if (l.kind === 'fk_many') {
      this.rows.update(l.module, rid, { [l.fkField]: id });
      this.store.changed(l.module, rid, false);
    } else {
      this.rows.update(module, id, { [l.fkField]: rid });
      this.store.changed(module, id, false);
    }
  }

  remove(module: string, id: string, link: string, rid: string, now: string): void {
    const l = this.def(module, link);
    if (l.kind === 'm2m') {
      const roleWhere = l.role ? ` AND ${l.role.col} = ?` : '';
      const params = l.role ? [now, id, rid, l.role.value] : [now, id, rid];
      this.rows.prepare(`UPDATE ${l.table} SET deleted = 1, date_modified = ? WHERE ${l.selfCol} = ? AND ${l.otherCol} = ?${roleWhere}`).run(...params);
      this.store.touch(module, id);
      this.store.touch(l.module, rid);
    } else if (l.kind === 'fk_many') {
      if (this.store.get(l.module, rid)?.[l.fkField] === id) {
        this.rows.update(l.module, rid, { [l.fkField]: null });
        this.store.changed(l.module, rid, false);
      }
    } else if (this.store.get(module, id)?.[l.fkField] === rid) {
      this.rows.update(module, id, { [l.fkField]: null });
      this.store.changed(module, id, false);
    }
  }

  // Deleting a bean also ends its many-to-many memberships, as Sugar's mark_deleted does.
  unlinkAll(module: string, id: string, now: string): void {
    for (const l of Object.values(this.rows.def(module).links)) {
      if (l.kind !== 'm2m') continue;
      this.rows.prepare(`UPDATE ${l.table} SET deleted = 1, date_modified = ? WHERE ${l.selfCol} = ? AND deleted = 0`).run(now, id);
    }
    this.store.invalidate('ProspectLists');
  }
}
