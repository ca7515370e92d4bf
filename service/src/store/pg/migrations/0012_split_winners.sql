-- 0012: the winners of automations' split steps (SQLite's 0012): decided once, with why while undecided.
CREATE TABLE automation_split_winners (
  automation_id    TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
  step_key         TEXT NOT NULL,
  winner           INTEGER,                     -- the path index; NULL while undecided
  decided_by       TEXT,                        -- 'auto', or who chose by hand
  decided_at       TEXT,
  undecided_reason TEXT,
  PRIMARY KEY (automation_id, step_key)
);
