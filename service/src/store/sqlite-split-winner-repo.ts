import type Database from 'better-sqlite3';
import type { SplitDecision, SplitWinnerRepo } from '../ports/index.js';
import { StoreInputError } from './errors.js';
import { isoTime } from './values.js';

interface Row {
  step_key: string;
  winner: number | null;
  decided_by: string | null;
  decided_at: string | null;
  undecided_reason: string | null;
}

const toDecision = (r: Row): SplitDecision => ({
  stepKey: r.step_key,
  ...(r.winner === null ? {} : { winner: r.winner }),
  ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
  ...(r.decided_at ? { decidedAt: r.decided_at } : {}),
  ...(r.winner === null && r.undecided_reason ? { undecidedReason: r.undecided_reason } : {}),
});

export class SqliteSplitWinnerRepo implements SplitWinnerRepo {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      all: db.prepare('SELECT * FROM automation_split_winners WHERE automation_id = ? ORDER BY step_key'),
      decide: db.prepare(`INSERT INTO automation_split_winners (automation_id, step_key, winner, decided_by, decided_at)
        VALUES (@a, @k, @winner, @by, @at)
        ON CONFLICT (automation_id, step_key) DO UPDATE SET winner = @winner, decided_by = @by, decided_at = @at, undecided_reason = NULL
        WHERE winner IS NULL`),
      note: db.prepare(`INSERT INTO automation_split_winners (automation_id, step_key, undecided_reason) VALUES (@a, @k, @reason)
        ON CONFLICT (automation_id, step_key) DO UPDATE SET undecided_reason = @reason WHERE winner IS NULL`),
    };
  }

  forAutomation(automationId: string): Promise<Map<string, SplitDecision>> {
    return Promise.resolve(new Map((this.q.all.all(automationId) as Row[]).map((r) => [r.step_key, toDecision(r)])));
  }

  async decide(automationId: string, stepKey: string, d: { winner: number; by: string; at: string }): Promise<boolean> {
    if (!Number.isInteger(d.winner) || d.winner < 0) throw new StoreInputError(`winner must be a path index, not ${d.winner}`);
    return this.q.decide.run({ a: automationId, k: stepKey, winner: d.winner, by: d.by, at: isoTime(d.at, 'at') }).changes === 1;
  }

  noteUndecided(automationId: string, stepKey: string, reason: string): Promise<void> {
    this.q.note.run({ a: automationId, k: stepKey, reason });
    return Promise.resolve();
  }
}
