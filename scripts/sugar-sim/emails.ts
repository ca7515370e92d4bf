// Sugar's shared email-address model (sugar-platform.md §3, fact-check rows 9-11): one row per address
// (matched upper-cased), flags on that row, and a bean<->address relation carrying primary/reply_to.
import { SugarError } from './errors.js';
import type { Row, Rows } from './rows.js';
import { isPlainObject, newId, parseBoolInput } from './util.js';

export interface EmailEntry {
  email_address: string;
  email_address_id: string;
  primary_address: boolean;
  reply_to_address: boolean;
  invalid_email: boolean;
  opt_out: boolean;
}

export interface BeanRef {
  module: string;
  id: string;
}

const VALID = /^[^\s@"<>(),;:\\[\]]+@(?:[^\s@"<>(),;:\\[\]./]+\.)+[^\s@"<>(),;:\\[\]./]{2,}$/u;
export const isValidAddress = (a: string): boolean => a.length <= 255 && VALID.test(a);

const invalidAddress = (a: string) => new SugarError(422, 'invalid_parameter', `${a} is an invalid email address`);

const SELECT_REL = `SELECT r.bean_id, r.primary_address, r.reply_to_address, e.id, e.email_address, e.invalid_email, e.opt_out
  FROM email_addr_bean_rel r JOIN email_addresses e ON e.id = r.email_address_id
  WHERE r.bean_module = ? AND r.deleted = 0 AND e.deleted = 0`;

const toEntry = (r: Row): EmailEntry => ({
  email_address: String(r.email_address),
  email_address_id: String(r.id),
  primary_address: r.primary_address === 1,
  reply_to_address: r.reply_to_address === 1,
  invalid_email: r.invalid_email === 1,
  opt_out: r.opt_out === 1,
});

export class Emails {
  constructor(
    private rows: Rows,
    private newAddressesOptedOut = false,
  ) {}

  forBean(module: string, id: string): EmailEntry[] {
    const sql = `${SELECT_REL} AND r.bean_id = ? ORDER BY r.primary_address DESC, r.seq`;
    return (this.rows.prepare(sql).all(module, id) as Row[]).map(toEntry);
  }

  forModule(module: string): Map<string, EmailEntry[]> {
    const out = new Map<string, EmailEntry[]>();
    const sql = `${SELECT_REL} ORDER BY r.primary_address DESC, r.seq`;
    for (const r of this.rows.prepare(sql).iterate(module) as Iterable<Row>) {
      const list = out.get(r.bean_id as string);
      if (list) list.push(toEntry(r));
      else out.set(r.bean_id as string, [toEntry(r)]);
    }
    return out;
  }

  beansOfAddress(addressId: string): BeanRef[] {
    const sql = 'SELECT DISTINCT bean_module AS module, bean_id AS id FROM email_addr_bean_rel WHERE email_address_id = ? AND deleted = 0';
    return this.rows.prepare(sql).all(addressId) as BeanRef[];
  }

  findByAddress(address: string): Row | undefined {
    const sql = 'SELECT * FROM email_addresses WHERE email_address_caps = ? AND deleted = 0 ORDER BY date_created, rowid LIMIT 1';
    return this.rows.prepare(sql).get(address.trim().toUpperCase()) as Row | undefined;
  }

  // Sugar's AddUpdateEmailAddress: the newest save decides the row's casing and flags (fact-check row 10).
  upsertAddress(address: string, flags: { opt_out?: boolean; invalid_email?: boolean }, now: string): string {
    const addr = address.trim();
    if (!isValidAddress(addr)) throw invalidAddress(addr);
    const existing = this.findByAddress(addr);
    if (!existing) {
      const id = newId();
      this.rows.insert('EmailAddresses', {
        id,
        email_address: addr,
        email_address_caps: addr.toUpperCase(),
        invalid_email: flags.invalid_email ?? false,
        opt_out: flags.opt_out ?? this.newAddressesOptedOut,
        date_created: now,
        date_modified: now,
        deleted: false,
      });
      return id;
    }
    const changes: Row = {};
    if (existing.email_address !== addr) changes.email_address = addr;
    if (flags.opt_out !== undefined && (existing.opt_out === 1) !== flags.opt_out) changes.opt_out = flags.opt_out;
    if (flags.invalid_email !== undefined && (existing.invalid_email === 1) !== flags.invalid_email) changes.invalid_email = flags.invalid_email;
    if (Object.keys(changes).length) this.rows.update('EmailAddresses', String(existing.id), { ...changes, date_modified: now });
    return String(existing.id);
  }

  // Replaces the bean's whole set; flags the caller omits come from the bean's own old rows (§3).
  setForBean(module: string, beanId: string, input: unknown, isNew: boolean, now: string): string[] {
    if (!Array.isArray(input)) throw new SugarError(422, 'invalid_parameter', 'The email field must be an array');
    const old = new Map((isNew ? [] : this.forBean(module, beanId)).map((e) => [e.email_address.toUpperCase(), e]));
    const seen = new Set<string>();
    const wanted: Array<Omit<EmailEntry, 'email_address_id'>> = [];
    for (const raw of input) {
      const item = typeof raw === 'string' ? { email_address: raw } : raw;
      if (!isPlainObject(item) || typeof item.email_address !== 'string') {
        throw new SugarError(422, 'invalid_parameter', 'Each email entry needs an email_address string');
      }
      const addr = item.email_address.trim();
      if (!isValidAddress(addr)) throw invalidAddress(addr);
      const caps = addr.toUpperCase();
      if (seen.has(caps)) continue;
      seen.add(caps);
      const prev = old.get(caps);
      const flag = (k: 'primary_address' | 'reply_to_address' | 'invalid_email' | 'opt_out', dflt: boolean) =>
        item[k] !== undefined ? parseBoolInput(`email.${k}`, item[k]) : prev ? prev[k] : dflt;
      wanted.push({
        email_address: addr,
        primary_address: flag('primary_address', false),
        reply_to_address: flag('reply_to_address', false),
        invalid_email: flag('invalid_email', false),
        opt_out: flag('opt_out', this.newAddressesOptedOut),
      });
    }
    const primaryAt = Math.max(
      0,
      wanted.findIndex((w) => w.primary_address),
    );
    wanted.forEach((w, i) => (w.primary_address = i === primaryAt));
    wanted.sort((a, b) => Number(b.primary_address) - Number(a.primary_address));

    const touched = new Set([...old.values()].map((e) => e.email_address_id));
    this.rows.prepare('DELETE FROM email_addr_bean_rel WHERE bean_module = ? AND bean_id = ?').run(module, beanId);
    const ins = this.rows.prepare(`INSERT INTO email_addr_bean_rel (id, email_address_id, bean_id, bean_module,
      primary_address, reply_to_address, date_created, date_modified, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`);
    for (const w of wanted) {
      const addrId = this.upsertAddress(w.email_address, { opt_out: w.opt_out, invalid_email: w.invalid_email }, now);
      touched.add(addrId);
      ins.run(newId(), addrId, beanId, module, w.primary_address ? 1 : 0, w.reply_to_address ? 1 : 0, now, now);
    }
    return [...touched];
  }

  // Legacy email1/email2/email_opt_out/invalid_email writes, expressed as a new `email` set.
  legacyToEmailSet(current: EmailEntry[], legacy: Record<string, unknown>): unknown[] {
    const list: Array<Record<string, unknown>> = current.map((e) => ({ ...e }));
    const put = (index: number, value: unknown) => {
      if (typeof value !== 'string') throw new SugarError(422, 'invalid_parameter', 'email1/email2 must be strings');
      if (value.trim() === '') {
        if (list[index]) list.splice(index, 1);
        return;
      }
      const same = list[index] && String(list[index].email_address).toUpperCase() === value.trim().toUpperCase();
      const entry = same ? { ...list[index], email_address: value } : { email_address: value, primary_address: index === 0 };
      if (list[index]) list[index] = entry;
      else list.push(entry);
    };
    if (legacy.email1 !== undefined) put(0, legacy.email1);
    if (legacy.email2 !== undefined) put(1, legacy.email2);
    if (list[0]) {
      list[0].primary_address = true;
      if (legacy.email_opt_out !== undefined) list[0].opt_out = parseBoolInput('email_opt_out', legacy.email_opt_out);
      if (legacy.invalid_email !== undefined) list[0].invalid_email = parseBoolInput('invalid_email', legacy.invalid_email);
    }
    return list;
  }
}
