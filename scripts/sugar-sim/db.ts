import Database from 'better-sqlite3';
import { dbFields, type FieldDef, MODULES } from './vardefs.js';

export type Db = Database.Database;

const sqlType = (fd: FieldDef) => (fd.type === 'bool' || fd.type === 'int' ? 'INTEGER' : fd.type === 'decimal' ? 'REAL' : 'TEXT');

export function openDb(path: string): Db {
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  createSchema(db);
  return db;
}

function createSchema(db: Db): void {
  const stmts: string[] = [];
  for (const m of MODULES.values()) {
    const cols = dbFields(m).map((name) => (name === 'id' ? 'id TEXT PRIMARY KEY' : `"${name}" ${sqlType(m.fields[name])}`));
    if (m.name === 'Users') cols.push('user_hash TEXT');
    stmts.push(`CREATE TABLE IF NOT EXISTS ${m.table} (${cols.join(', ')})`);
    if ('campaign_id' in m.fields && !m.fields.campaign_id.computed) {
      stmts.push(`CREATE INDEX IF NOT EXISTS ${m.table}_campaign ON ${m.table}(campaign_id)`);
    }
  }
  stmts.push(
    'CREATE INDEX IF NOT EXISTS campaign_log_target ON campaign_log(target_id)',
    'CREATE INDEX IF NOT EXISTS email_addresses_caps ON email_addresses(email_address_caps)',
    `CREATE TABLE IF NOT EXISTS prospect_lists_prospects (id TEXT PRIMARY KEY, prospect_list_id TEXT, related_id TEXT,
       related_type TEXT, date_modified TEXT, deleted INTEGER DEFAULT 0)`,
    'CREATE INDEX IF NOT EXISTS plp_list ON prospect_lists_prospects(prospect_list_id, related_type)',
    'CREATE INDEX IF NOT EXISTS plp_related ON prospect_lists_prospects(related_id)',
    `CREATE TABLE IF NOT EXISTS prospect_list_campaigns (id TEXT PRIMARY KEY, prospect_list_id TEXT, campaign_id TEXT,
       date_modified TEXT, deleted INTEGER DEFAULT 0)`,
    'CREATE INDEX IF NOT EXISTS plc_list ON prospect_list_campaigns(prospect_list_id)',
    'CREATE INDEX IF NOT EXISTS plc_campaign ON prospect_list_campaigns(campaign_id)',
    `CREATE TABLE IF NOT EXISTS email_addr_bean_rel (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE,
       email_address_id TEXT, bean_id TEXT, bean_module TEXT, primary_address INTEGER DEFAULT 0,
       reply_to_address INTEGER DEFAULT 0, date_created TEXT, date_modified TEXT, deleted INTEGER DEFAULT 0)`,
    'CREATE INDEX IF NOT EXISTS eabr_bean ON email_addr_bean_rel(bean_module, bean_id)',
    'CREATE INDEX IF NOT EXISTS eabr_address ON email_addr_bean_rel(email_address_id)',
    `CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (token TEXT PRIMARY KEY, user_id TEXT, platform TEXT,
       expires_at INTEGER, created_seq INTEGER)`,
    `CREATE TABLE IF NOT EXISTS oauth_access_tokens (token TEXT PRIMARY KEY, user_id TEXT, platform TEXT,
       refresh_token TEXT, expires_at INTEGER, dies_at INTEGER, download_token TEXT, sudo_for TEXT)`,
    'CREATE INDEX IF NOT EXISTS oat_refresh ON oauth_access_tokens(refresh_token)',
    'CREATE TABLE IF NOT EXISTS sugarfavorites (user_id TEXT, module TEXT, record_id TEXT, PRIMARY KEY (user_id, module, record_id))',
    'CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY, value TEXT)',
  );
  db.exec(stmts.join(';\n'));
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM sim_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO sim_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
