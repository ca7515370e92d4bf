// Records as the API shows them, cached per module so filtering tens of thousands of rows stays in memory.
// Writers call touch() for one record or invalidate() for a whole module.
import type { EmailEntry, Emails } from './emails.js';
import type { Row, Rows } from './rows.js';
import { dependentsOf, type FieldDef, MODULES, type ModuleDef } from './vardefs.js';

export type SimRecord = Record<string, unknown>;

const STRINGY = new Set(['id', 'varchar', 'name', 'text', 'enum', 'relate', 'date', 'datetime']);

function fromSql(fd: FieldDef, v: unknown): unknown {
  if (fd.type === 'bool') return v === 1 || v === true;
  if (v === null || v === undefined) return null;
  if (fd.type === 'int' || fd.type === 'decimal') return Number(v);
  return v;
}

export class RecordStore {
  private caches = new Map<string, Map<string, SimRecord>>();

  constructor(
    private rows: Rows,
    private emails: Emails,
  ) {}

  all(module: string): Map<string, SimRecord> {
    let cache = this.caches.get(module);
    if (!cache) {
      cache = this.buildModule(module);
      this.caches.set(module, cache);
    }
    return cache;
  }

  // Includes soft-deleted rows; callers decide whether those count.
  get(module: string, id: string): SimRecord | undefined {
    const cache = this.caches.get(module);
    if (cache) return cache.get(id);
    const row = this.rows.get(module, id);
    return row ? this.build(this.rows.def(module), row, this.emails.forBean(module, id), undefined) : undefined;
  }

  live(module: string, id: string): SimRecord | undefined {
    const rec = this.get(module, id);
    return rec && !rec.deleted ? rec : undefined;
  }

  touch(module: string, id: string): void {
    const cache = this.caches.get(module);
    if (cache) {
      const row = this.rows.get(module, id);
      if (row) cache.set(id, this.build(this.rows.def(module), row, this.emails.forBean(module, id), undefined));
      else cache.delete(id);
    }
  }

  // A changed record can show up as a relate name elsewhere (campaign_name1, assigned_user_name...).
  changed(module: string, id: string, nameMayHaveChanged: boolean): void {
    this.touch(module, id);
    if (nameMayHaveChanged) for (const dep of dependentsOf(module)) this.invalidate(dep);
  }

  invalidate(module?: string): void {
    if (module) this.caches.delete(module);
    else this.caches.clear();
  }

  nameOf(module: string, id: unknown): string | null {
    if (typeof id !== 'string' || !id) return null;
    const rec = MODULES.has(module) ? this.all(module).get(id) : undefined;
    return rec && !rec.deleted ? MODULES.get(module)!.nameOf(rec) : null;
  }

  private buildModule(module: string): Map<string, SimRecord> {
    const m = this.rows.def(module);
    const emails = m.hasEmail ? this.emails.forModule(module) : new Map<string, EmailEntry[]>();
    let counts: Map<string, number> | undefined;
    if (module === 'ProspectLists') {
      const sql = 'SELECT prospect_list_id AS id, COUNT(*) AS n FROM prospect_lists_prospects WHERE deleted = 0 GROUP BY prospect_list_id';
      counts = new Map((this.rows.prepare(sql).all() as Array<{ id: string; n: number }>).map((r) => [r.id, r.n]));
    }
    const out = new Map<string, SimRecord>();
    const { columns, rows } = this.rows.allRaw(module);
    const idAt = columns.indexOf('id');
    const row: Row = {};
    for (const values of rows) {
      for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
      const id = String(values[idAt]);
      out.set(id, this.build(m, row, emails.get(id) ?? [], counts ? (counts.get(id) ?? 0) : undefined));
    }
    return out;
  }

  private build(m: ModuleDef, row: Row, emails: EmailEntry[], entryCount: number | undefined): SimRecord {
    const rec: SimRecord = {};
    const plan = this.planFor(m);
    for (const [name, fd] of plan.stored) rec[name] = fromSql(fd, row[name]);
    for (const [name, fd] of plan.computed) {
      const c = fd.computed!;
      if (c.kind === 'fullname') rec[name] = m.nameOf(rec);
      else if (c.kind === 'relate') rec[name] = this.nameOf(c.module, rec[c.idField]);
      else if (c.kind === 'entry_count') rec[name] = entryCount ?? this.entryCount(String(rec.id));
    }
    if (m.hasEmail) {
      const primary = emails.find((e) => e.primary_address);
      const second = emails.find((e) => e !== primary);
      rec.email = emails;
      rec.email1 = primary?.email_address ?? null;
      rec.email2 = second?.email_address ?? null;
      rec.email_opt_out = primary?.opt_out ?? false;
      rec.invalid_email = primary?.invalid_email ?? false;
    }
    return rec;
  }

  private plans = new Map<string, { stored: Array<[string, FieldDef]>; computed: Array<[string, FieldDef]> }>();

  private planFor(m: ModuleDef) {
    let plan = this.plans.get(m.name);
    if (!plan) {
      const entries = Object.entries(m.fields);
      plan = {
        stored: entries.filter(([, fd]) => !fd.computed),
        computed: entries.filter(([, fd]) => fd.computed && fd.computed.kind !== 'lazy' && fd.computed.kind !== 'email'),
      };
      this.plans.set(m.name, plan);
    }
    return plan;
  }

  private entryCount(listId: string): number {
    const sql = 'SELECT COUNT(*) AS n FROM prospect_lists_prospects WHERE prospect_list_id = ? AND deleted = 0';
    return (this.rows.prepare(sql).get(listId) as { n: number }).n;
  }

  // The API shape (§3): requested or all fields, empty strings for unset text, plus Sugar's bookkeeping keys.
  toApi(module: string, rec: SimRecord, fields: string[] | undefined, favorite: boolean): SimRecord {
    const m = this.rows.def(module);
    const names = fields
      ? [...new Set(['id', 'date_modified', ...fields])].filter((n) => n in m.fields)
      : Object.keys(m.fields).filter((n) => m.fields[n].computed?.kind !== 'lazy');
    const out: SimRecord = {};
    for (const n of names) {
      const fd = m.fields[n];
      let v = fd.computed?.kind === 'lazy' ? this.lazy(rec, n) : rec[n];
      if (n === 'email' && Array.isArray(v)) v = v.map((e) => ({ ...e }));
      out[n] = v === null && STRINGY.has(fd.type) ? '' : v;
    }
    if (module === 'EmailAddresses') return { ...out, _acl: { fields: {} }, _module: module };
    return { ...out, locked_fields: [], my_favorite: favorite, _acl: { fields: {} }, _module: module };
  }

  private lazy(rec: SimRecord, field: string): unknown {
    if (field === 'related_name') return this.nameOf(String(rec.related_type ?? ''), rec.related_id);
    const target = MODULES.has(String(rec.target_type)) ? this.live(String(rec.target_type), String(rec.target_id)) : undefined;
    if (field === 'recipient_name') return target ? MODULES.get(String(rec.target_type))!.nameOf(target) : null;
    if (field === 'recipient_email') return (target?.email1 as string | undefined) ?? null;
    return null;
  }
}
