// What a person's engagement score is made of, across every campaign they were sent: the campaigns they opened and
// clicked in (people's opens and clicks only), and their hard bounces, complaints and opt-outs, each with its time.
// Asynchronous from the start, so a PostgreSQL adapter implements it as it is.
import type { ScoredEvent } from '../domain/engagement-score.js';

export interface ScorePerson {
  module: string;
  recordId: string;
}

export interface ScoreRepo {
  /** Each person's events, keyed `<module>:<recordId>`; a person with none is absent. */
  eventsOf(people: ScorePerson[]): Promise<Map<string, ScoredEvent[]>>;
}
