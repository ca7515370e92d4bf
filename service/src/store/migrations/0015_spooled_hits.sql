-- 0015: keys of tracking hits replayed from a process's local spool (written while the database was unreachable),
-- taken in the transaction that records them, so a spool replayed twice records each hit once.
CREATE TABLE spooled_hits (
  key TEXT PRIMARY KEY,
  at  TEXT NOT NULL
) WITHOUT ROWID;
