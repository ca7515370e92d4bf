-- 0006: a campaign can be created "held": extracted and counted like any other, but the scheduler does not start
-- it until a person confirms it (the send flow's review step shows the real audit before anything is sent).
ALTER TABLE campaigns ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
