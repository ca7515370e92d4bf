-- 0003 (PostgreSQL): LeadFWD lists and their members (in import order).

CREATE TABLE leadfwd_lists (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('filter','csv','api')),
  sugar_list_id   TEXT,
  created_by_id   TEXT,
  created_by_name TEXT,
  created_at      TEXT NOT NULL
);

CREATE TABLE leadfwd_list_members (
  list_id   TEXT NOT NULL REFERENCES leadfwd_lists (id) ON DELETE CASCADE,
  module    TEXT NOT NULL,
  record_id TEXT NOT NULL,
  email     TEXT,
  position  INTEGER NOT NULL,
  PRIMARY KEY (list_id, module, record_id)
);
CREATE INDEX leadfwd_list_members_order ON leadfwd_list_members (list_id, position);
