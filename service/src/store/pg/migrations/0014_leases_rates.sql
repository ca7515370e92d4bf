-- 0014: several processes on one database (issue 15; SQLite's 0014). Leases for campaign-level work (extraction, the
-- scheduler's tick, the automation runner, the write-back lane), shared token buckets for rates that hold across
-- processes, and the process that claimed each ledger row, so only a dead process's rows turn 'uncertain'.
CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at BIGINT NOT NULL             -- epoch ms
);
CREATE TABLE rate_buckets (
  name         TEXT PRIMARY KEY,
  tokens       DOUBLE PRECISION NOT NULL,
  at_ms        BIGINT NOT NULL,          -- when tokens was right (epoch ms)
  last_granted INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE recipients ADD COLUMN claimed_by TEXT;
CREATE INDEX recipients_sending ON recipients (claimed_by) WHERE state = 'sending';
-- Whatever statement turns a row 'sending' (a claim, or a reservation marked right before hand-off) or reserves it
-- records which process did, from the connection's `leadfwd.owner` setting (the store sets it per process), so no code path can
-- forget it and leave a live process's row to be taken for orphaned.
CREATE FUNCTION recipients_claimed_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.state = 'sending' AND OLD.state IS DISTINCT FROM 'sending')
      OR (NEW.reserved_by IS NOT NULL AND NEW.reserved_by IS DISTINCT FROM OLD.reserved_by) THEN
    NEW.claimed_by := nullif(current_setting('leadfwd.owner', true), '');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER recipients_claimed_by BEFORE UPDATE OF state, reserved_by ON recipients FOR EACH ROW EXECUTE FUNCTION recipients_claimed_by();
