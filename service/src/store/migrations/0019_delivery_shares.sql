-- 0019 (PostgreSQL's 0021): provider throttles and day allowances, shared by every process on one database (see
-- ports/delivery-shares.ts). One process per SQLite file: kept for one contract.
CREATE TABLE provider_throttles (
  identity_id TEXT NOT NULL,
  provider    TEXT NOT NULL,
  level       TEXT NOT NULL,
  rate_factor REAL NOT NULL,
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
