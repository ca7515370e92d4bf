import type { SuppressionReason, SuppressionRepo } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { SqliteRepo } from './sqlite-repo.js';
import { opt, toJson } from './values.js';

const REASONS = new Set<SuppressionReason>(['unsubscribe', 'hard_bounce', 'complaint', 'soft_bounce_limit', 'manual']);

export class SqliteSuppressionRepo extends SqliteRepo implements SuppressionRepo {
  private readonly q = {
    add: this.db.prepare(`INSERT INTO suppressions (address_key, email, reason, source, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (address_key) DO NOTHING`),
    get: this.db.prepare('SELECT reason, at, email, source FROM suppressions WHERE address_key = ?'),
    // One statement for any number of keys: extraction checks a whole Sugar page at once.
    filter: this.db
      .prepare(`SELECT address_key FROM suppressions
      WHERE address_key IN (SELECT value FROM json_each(?))`)
      .pluck(),
    remove: this.db.prepare('DELETE FROM suppressions WHERE address_key = ?'),
  };

  add(addressKey: string, email: string, reason: SuppressionReason, source?: string): boolean {
    if (!REASONS.has(reason)) throw new StoreInputError(`unknown suppression reason: ${String(reason)}`);
    if (typeof addressKey !== 'string' || addressKey === '') throw new StoreInputError('suppression needs an address key');
    return this.q.add.run(addressKey, email, reason, source ?? null, this.now()).changes === 1;
  }

  get(addressKey: string): { reason: SuppressionReason; at: string; email: string; source?: string } | undefined {
    const r = this.q.get.get(addressKey) as { reason: SuppressionReason; at: string; email: string; source: string | null } | undefined;
    return r && { reason: r.reason, at: r.at, email: r.email, source: opt(r.source) };
  }

  filterSuppressed(keys: string[]): Set<string> {
    if (keys.length === 0) return new Set();
    return new Set(this.q.filter.all(toJson(keys)) as string[]);
  }

  remove(addressKey: string): boolean {
    return this.q.remove.run(addressKey).changes === 1;
  }
}
