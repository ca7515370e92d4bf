import type Database from 'better-sqlite3';
import type { RelayRepo } from '../ports/index.js';

export class SqliteRelayRepo implements RelayRepo {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      pairing: db.prepare('SELECT secret_sealed AS secretSealed, sugar_url AS sugarUrl, paired_at AS pairedAt FROM relay_pairing WHERE id = 1'),
      pair: db.prepare(`INSERT INTO relay_pairing (id, secret_sealed, sugar_url, paired_at) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET secret_sealed = excluded.secret_sealed, sugar_url = excluded.sugar_url, paired_at = excluded.paired_at`),
      code: db.prepare('SELECT code_hash AS codeHash, expires_at AS expiresAt, failures, used_at AS usedAt FROM relay_pairing_code WHERE id = 1'),
      newCode: db.prepare(`INSERT INTO relay_pairing_code (id, code_hash, expires_at, failures, used_at) VALUES (1, ?, ?, 0, NULL)
        ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, failures = 0, used_at = NULL`),
      fail: db.prepare('UPDATE relay_pairing_code SET failures = failures + 1 WHERE id = 1'),
      use: db.prepare(`UPDATE relay_pairing_code SET used_at = @at WHERE id = 1 AND used_at IS NULL AND code_hash = @codeHash
        AND expires_at > @at AND failures < @maxFailures`),
      seeNonce: db.prepare('INSERT INTO relay_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING'),
      pruneNonces: db.prepare('DELETE FROM relay_nonces WHERE expires_at < ?'),
      testSends: db.prepare('SELECT count(*) FROM test_sends WHERE actor = ? AND at >= ?').pluck(),
      addTestSend: db.prepare('INSERT INTO test_sends (actor, at) VALUES (?, ?)'),
      pruneTestSends: db.prepare('DELETE FROM test_sends WHERE at < ?'),
    };
  }

  pairing() {
    return this.q.pairing.get() as { secretSealed: string; sugarUrl: string | null; pairedAt: string } | undefined;
  }

  pair(secretSealed: string, sugarUrl: string | undefined, atIso: string): void {
    this.q.pair.run(secretSealed, sugarUrl ?? null, atIso);
  }

  pairingCode() {
    return this.q.code.get() as { codeHash: string; expiresAt: string; failures: number; usedAt: string | null } | undefined;
  }

  newPairingCode(codeHash: string, expiresAtIso: string): void {
    this.q.newCode.run(codeHash, expiresAtIso);
  }

  pairingCodeFailed(): void {
    this.q.fail.run();
  }

  usePairingCode(codeHash: string, atIso: string, maxFailures: number): boolean {
    return this.q.use.run({ at: atIso, codeHash, maxFailures }).changes === 1;
  }

  seeNonce(nonce: string, expiresAtIso: string, nowIso: string): boolean {
    return this.db
      .transaction(() => {
        this.q.pruneNonces.run(nowIso);
        return this.q.seeNonce.run(nonce, expiresAtIso).changes === 1;
      })
      .immediate();
  }

  takeTestSend(actor: string, sinceIso: string, max: number, nowIso: string): boolean {
    return this.db
      .transaction(() => {
        this.q.pruneTestSends.run(sinceIso);
        if ((this.q.testSends.get(actor, sinceIso) as number) >= max) return false;
        this.q.addTestSend.run(actor, nowIso);
        return true;
      })
      .immediate();
  }
}
