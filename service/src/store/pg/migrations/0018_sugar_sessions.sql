-- 0018 (SQLite's 0016): the service's Sugar sessions (its own and sudo ones), sealed, shared by every process, since
-- Sugar keeps one session per user and platform: processes logging in on their own would end each other's.
CREATE TABLE sugar_sessions (
  name       TEXT PRIMARY KEY,
  sealed     TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
