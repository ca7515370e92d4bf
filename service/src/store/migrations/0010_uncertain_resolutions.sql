-- 0009: what an operator decided about a message whose hand-off ended uncertain (the connection was lost after
-- DATA): `accepted` (the relay had it; it is never resent) or `resend` (queued again). One row per decision, with who
-- and when, so the report shows the audit; a row resent and uncertain again can be decided again.
CREATE TABLE uncertain_resolutions (
  id               INTEGER PRIMARY KEY,
  recipient_row_id INTEGER NOT NULL REFERENCES recipients (row_id) ON DELETE CASCADE,
  campaign_id      TEXT NOT NULL,
  action           TEXT NOT NULL CHECK (action IN ('accepted','resend')),
  by_id            TEXT,                          -- the Sugar user; null: the API key
  by_name          TEXT,
  at               TEXT NOT NULL
);
CREATE INDEX uncertain_resolutions_row ON uncertain_resolutions (recipient_row_id, id);
CREATE INDEX uncertain_resolutions_campaign ON uncertain_resolutions (campaign_id, recipient_row_id);
