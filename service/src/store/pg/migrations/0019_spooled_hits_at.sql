-- 0019: spooled-hit keys are pruned by the time they were taken (engagement/retention.ts), once their hits are past
-- the age a spool still replays; without this index every prune would read the whole table.
CREATE INDEX spooled_hits_at ON spooled_hits (at);
