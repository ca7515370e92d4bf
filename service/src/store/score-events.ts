// A score's events grouped by person, shared by both adapters: each reads the same rows in its own SQL.
import type { ScoredEvent } from '../domain/engagement-score.js';
import type { ScorePerson } from '../ports/index.js';

const FACT_KIND: Record<string, ScoredEvent['kind']> = { hard_bounce: 'hardBounce', complaint: 'complaint', opt_out: 'optOut' };

export interface ScoreRow {
  module: string;
  recordId: string;
  at: string;
}

/** Each asked person's first human opens and clicks (one a campaign) and facts; a record id of another module is left out. */
export function eventsByPerson(
  people: ScorePerson[],
  engagement: Array<ScoreRow & { kind: 'open' | 'click' }>,
  facts: Array<ScoreRow & { fact: string }>,
): Map<string, ScoredEvent[]> {
  const wanted = new Set(people.map((p) => `${p.module}:${p.recordId}`));
  const out = new Map<string, ScoredEvent[]>();
  const add = (r: ScoreRow, kind: ScoredEvent['kind']) => {
    const key = `${r.module}:${r.recordId}`;
    if (!wanted.has(key)) return;
    const list = out.get(key);
    if (list) list.push({ kind, at: r.at });
    else out.set(key, [{ kind, at: r.at }]);
  };
  for (const r of engagement) add(r, r.kind);
  for (const r of facts) add(r, FACT_KIND[r.fact]);
  return out;
}
