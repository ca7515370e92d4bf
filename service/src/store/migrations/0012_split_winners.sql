-- 0012: the winner of an automation's split step, chosen automatically (after the split's set hours, on people's
-- opens or clicks) or by hand; recorded once. While undecided, `undecided_reason` says why and targets keep splitting.
CREATE TABLE automation_split_winners (
  automation_id    TEXT NOT NULL REFERENCES automations(id),
  step_key         TEXT NOT NULL,
  winner           INTEGER,                     -- the path index; NULL while undecided
  decided_by       TEXT,                        -- 'auto', or the Sugar user name who chose (or 'the API')
  decided_at       TEXT,
  undecided_reason TEXT,
  PRIMARY KEY (automation_id, step_key)
);
