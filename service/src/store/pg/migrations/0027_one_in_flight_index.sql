-- 0027: one index of the rows in flight, not two. recipients_sending (0014, on claimed_by) holds exactly the rows
-- recipients_in_flight (0006) held, and serves every query that one did (state = 'sending', with or without the
-- process): each row handed over wrote one index entry more than it needed, twice (hand-off and end of DATA mark).
-- SQLite keeps its recipients_in_flight: it has no other index of those rows.
DROP INDEX IF EXISTS recipients_in_flight;
