-- 0020: the end of DATA mark. A row handed to SMTP records when its message's final dot was allowed to go
-- (data_end_at); a row 'sending' without it after a crash never finished DATA, so the server dropped the transaction
-- (RFC 5321 §4.1.1.4) and it is queued again instead of 'uncertain'. Rows in flight from before this migration keep
-- today's meaning: the dot may have left.
ALTER TABLE recipients ADD COLUMN data_end_at TEXT;
UPDATE recipients SET data_end_at = coalesce(updated_at, '') WHERE state = 'sending';
