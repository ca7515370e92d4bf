-- 0005: what issue 17 adds to a campaign (SQLite's 0011): Sugar audiences (saved filters, reports) read at extraction
-- as the creator, the campaign a follow-up resends to non-openers of, an A/B test's part, local-time sending.
-- Each JSON text as in SQLite; NULL when the campaign has none.
ALTER TABLE campaigns ADD COLUMN audiences TEXT;
ALTER TABLE campaigns ADD COLUMN follow_up_of TEXT;
ALTER TABLE campaigns ADD COLUMN ab_part TEXT;
ALTER TABLE campaigns ADD COLUMN local_time TEXT;
