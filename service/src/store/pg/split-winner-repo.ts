// Split winners on PostgreSQL: the same port and answers as store/sqlite-split-winner-repo.ts.
import type { SplitDecision, SplitWinnerRepo } from '../../ports/index.js';
import { StoreInputError } from '../errors.js';
import { isoTime } from '../values.js';
import type { Query, Row } from './repos.js';

const toDecision = (r: Row): SplitDecision => ({
  stepKey: r.step_key as string,
  ...(r.winner === null ? {} : { winner: r.winner as number }),
  ...(r.decided_by ? { decidedBy: r.decided_by as string } : {}),
  ...(r.decided_at ? { decidedAt: r.decided_at as string } : {}),
  ...(r.winner === null && r.undecided_reason ? { undecidedReason: r.undecided_reason as string } : {}),
});

export class PgSplitWinnerRepo implements SplitWinnerRepo {
  constructor(private readonly q: Query) {}

  async forAutomation(automationId: string): Promise<Map<string, SplitDecision>> {
    const { rows } = await this.q('SELECT * FROM automation_split_winners WHERE automation_id = $1 ORDER BY step_key', [automationId]);
    return new Map(rows.map((r) => [r.step_key as string, toDecision(r)]));
  }

  async decide(automationId: string, stepKey: string, d: { winner: number; by: string; at: string }): Promise<boolean> {
    if (!Number.isInteger(d.winner) || d.winner < 0) throw new StoreInputError(`winner must be a path index, not ${d.winner}`);
    const r = await this.q(
      `INSERT INTO automation_split_winners AS w (automation_id, step_key, winner, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (automation_id, step_key) DO UPDATE SET winner = $3, decided_by = $4, decided_at = $5, undecided_reason = NULL
        WHERE w.winner IS NULL`,
      [automationId, stepKey, d.winner, d.by, isoTime(d.at, 'at')],
    );
    return r.rowCount === 1;
  }

  async noteUndecided(automationId: string, stepKey: string, reason: string): Promise<void> {
    await this.q(
      `INSERT INTO automation_split_winners AS w (automation_id, step_key, undecided_reason) VALUES ($1, $2, $3)
        ON CONFLICT (automation_id, step_key) DO UPDATE SET undecided_reason = $3 WHERE w.winner IS NULL`,
      [automationId, stepKey, reason],
    );
  }
}
