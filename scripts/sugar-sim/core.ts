// Everything one simulator instance owns, shared by the HTTP layer, bulk and seeding.

import { Auth } from './auth.js';
import type { Db } from './db.js';
import { Emails } from './emails.js';
import { Faults } from './faults.js';
import type { LeadfwdSettings } from './leadfwd-module.js';
import { Links } from './links.js';
import { RecordStore } from './record-store.js';
import { RequestLog } from './request-log.js';
import { Rows } from './rows.js';
import type { Role } from './users.js';
import { toSugarDateTime } from './util.js';

export interface CoreOptions {
  platforms: string[];
  accessTokenLifetime: number;
  refreshTokenLifetime: number;
  sessionCheckDelayMs: number;
  maxVersion: string;
  quiet: boolean;
}

export type QueryParser = (qs: string) => Record<string, unknown>;

export class SimCore {
  readonly rows: Rows;
  readonly emails: Emails;
  readonly store: RecordStore;
  readonly links: Links;
  readonly auth: Auth;
  readonly faults: Faults;
  readonly log = new RequestLog();
  /** Config rows of LeadFWD's package (category "leadfwd"); shared with the harness that saves them. */
  readonly leadfwdSettings: LeadfwdSettings = {};
  /** Roles an administrator changed while the simulator runs, by user id. */
  readonly roles = new Map<string, Role>();

  constructor(
    readonly db: Db,
    readonly opts: CoreOptions,
    readonly parseQuery: QueryParser,
  ) {
    this.rows = new Rows(db);
    this.emails = new Emails(this.rows);
    this.store = new RecordStore(this.rows, this.emails);
    this.links = new Links(this.rows, this.store);
    this.auth = new Auth(this.rows, { ...opts, rejectRefresh: () => this.faults.rejectRefresh, roles: this.roles });
    this.faults = new Faults(() => this.auth.expireAll());
  }

  now(): string {
    return toSugarDateTime(new Date());
  }

  favorites(userId: string, module: string): Set<string> {
    const rows = this.rows.prepare('SELECT record_id FROM sugarfavorites WHERE user_id = ? AND module = ?').all(userId, module) as Array<{ record_id: string }>;
    return new Set(rows.map((r) => r.record_id));
  }

  // A failed write may have refreshed cached records from rows that were then rolled back.
  tx<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.store.invalidate();
      throw err;
    }
  }
}
