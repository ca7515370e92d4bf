-- 0013: a row a send loop has picked but not yet handed to SMTP is only reserved (it stays 'queued', its retry_at is
-- the reservation's end, reserved_by names the loop); it becomes 'sending' right before hand-off. A crash then leaves
-- 'uncertain' only the messages that were really in SMTP's hands; reserved rows are queued again at restart.
ALTER TABLE recipients ADD COLUMN reserved_by TEXT;
CREATE INDEX recipients_reserved ON recipients (reserved_by) WHERE reserved_by IS NOT NULL;
