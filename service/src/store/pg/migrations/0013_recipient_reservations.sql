-- 0013: as SQLite's 0013. A row a send loop has picked but not yet handed to SMTP is only reserved (it stays
-- 'queued', its retry_at is the reservation's end, reserved_by names the loop); it becomes 'sending' right before
-- hand-off, so a crash leaves 'uncertain' only the messages that were really in SMTP's hands.
ALTER TABLE recipients ADD COLUMN reserved_by TEXT;
CREATE INDEX recipients_reserved ON recipients (reserved_by) WHERE reserved_by IS NOT NULL;
