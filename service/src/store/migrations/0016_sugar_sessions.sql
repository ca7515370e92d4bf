-- 0016: the service's Sugar sessions (its own and sudo ones), sealed, shared by every process on one database, since
-- Sugar keeps one session per user and platform (see ports/sugar-sessions.ts). One process per SQLite file: kept
-- for one contract.
CREATE TABLE sugar_sessions (
  name       TEXT PRIMARY KEY,
  sealed     TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
