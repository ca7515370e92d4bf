import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import { dbFields, MODULES, type ModuleDef } from './vardefs.js';

export type Row = Record<string, unknown>;

const toSql = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);

// Plain table access per module; statements are prepared once per column set because bulk work reuses them.
export class Rows {
  private stmts = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {}

  def(module: string): ModuleDef {
    const m = MODULES.get(module);
    if (!m) throw new Error(`unknown module ${module}`);
    return m;
  }

  private stmt(key: string, sql: () => string): Database.Statement {
    let s = this.stmts.get(key);
    if (!s) {
      s = this.db.prepare(sql());
      this.stmts.set(key, s);
    }
    return s;
  }

  get(module: string, id: string): Row | undefined {
    const m = this.def(module);
    return this.stmt(`get:${module}`, () => `SELECT * FROM ${m.table} WHERE id = ?`).get(id) as Row | undefined;
  }

  // Arrays, not objects: building wide row objects is several times slower for tens of thousands of rows.
  allRaw(module: string): { columns: string[]; rows: unknown[][] } {
    const m = this.def(module);
    const s = this.stmt(`all:${module}`, () => `SELECT * FROM ${m.table}`);
    return { columns: s.columns().map((c) => c.name), rows: s.raw(true).all() as unknown[][] };
  }

  insert(module: string, values: Row): void {
    const m = this.def(module);
    const cols = dbFields(m);
    if (module === 'Users') cols.push('user_hash');
    const s = this.stmt(`ins:${module}`, () => `INSERT INTO ${m.table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    s.run(cols.map((c) => toSql(values[c])));
  }

  update(module: string, id: string, values: Row): void {
    const m = this.def(module);
    const cols = Object.keys(values).filter((c) => c !== 'id');
    if (cols.length === 0) return;
    const s = this.stmt(`upd:${module}:${cols.join(',')}`, () => `UPDATE ${m.table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`);
    s.run([...cols.map((c) => toSql(values[c])), id]);
  }

  nextAutoIncrement(module: string, field: string): number {
    const m = this.def(module);
    const r = this.stmt(`ai:${module}:${field}`, () => `SELECT COALESCE(MAX("${field}"), 0) + 1 AS n FROM ${m.table}`).get() as { n: number };
    return r.n;
  }

  prepare(sql: string): Database.Statement {
    return this.stmt(`raw:${sql}`, () => sql);
  }
}
