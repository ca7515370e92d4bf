-- 0021 (SQLite's 0019): what the delivery control of several processes shares besides rates (issue 15). A mailbox
-- provider slowed or paused for an identity, with its strike epoch and the messages accepted towards its next
-- recovery step, so a 421 seen by one process slows every process; and how much of a day's limit (warm-up per
-- provider group, '*' for the identity's daily limit) the processes have taken between them.
CREATE TABLE provider_throttles (
  identity_id TEXT NOT NULL,
  provider    TEXT NOT NULL,
  level       TEXT NOT NULL,
  rate_factor DOUBLE PRECISION NOT NULL,
  resume_at   TEXT,
  strikes     INTEGER NOT NULL,
  reason      TEXT,
  epoch       INTEGER NOT NULL,
  accepted    INTEGER NOT NULL,
  PRIMARY KEY (identity_id, provider)
);
CREATE TABLE day_allowances (
  identity_id  TEXT NOT NULL,
  day          TEXT NOT NULL,
  grp          TEXT NOT NULL,
  taken        INTEGER NOT NULL,
  last_granted INTEGER NOT NULL,
  PRIMARY KEY (identity_id, day, grp)
);
