-- 0014: several processes on one database (issue 15). Leases for campaign-level work, shared token buckets for rates
-- that hold across processes, and the process that claimed each ledger row (so only a dead process's rows turn
-- 'uncertain'). SQLite has one process per file; the tables exist so both adapters keep one contract.
CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL            -- epoch ms
);
CREATE TABLE rate_buckets (
  name         TEXT PRIMARY KEY,
  tokens       REAL NOT NULL,
  at_ms        INTEGER NOT NULL,         -- when tokens was right (epoch ms)
  last_granted INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE recipients ADD COLUMN claimed_by TEXT;
