-- 0005: automated campaigns. An automation is a compiled step program; each email step is backed by its own
-- internal campaign (so ledger, tracking, report and write-back work unchanged); each enrolled target walks
-- the program on its own, and a (enrolment, step) pair is sent at most once, whatever restarts or edits happen.
CREATE TABLE automations (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('active','paused','stopped')),
  definition       TEXT NOT NULL,               -- the create body as given (JSON)
  program          TEXT NOT NULL,               -- compiled instructions (JSON)
  target_list_ids  TEXT NOT NULL DEFAULT '[]',
  lists_read_at    TEXT,                        -- last time the Sugar lists were re-read for new members
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

CREATE TABLE automation_steps (
  automation_id TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
  step_key      TEXT NOT NULL,
  campaign_id   TEXT NOT NULL UNIQUE REFERENCES campaigns (id),
  PRIMARY KEY (automation_id, step_key)
) WITHOUT ROWID;

CREATE TABLE automation_enrolments (
  id               INTEGER PRIMARY KEY,
  automation_id    TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
  module           TEXT NOT NULL,
  record_id        TEXT NOT NULL,
  list_id          TEXT NOT NULL,
  email            TEXT NOT NULL,
  email_address_id TEXT,
  address_key      TEXT NOT NULL,
  fields           TEXT NOT NULL DEFAULT '{}',
  tracking_consent INTEGER NOT NULL DEFAULT 0,
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','done','left')),
  at_key           TEXT,                        -- key of the next instruction; NULL at the end
  wait_until       TEXT,
  last_send_key    TEXT,
  due_at           TEXT NOT NULL DEFAULT '',    -- '' = due now; sorts before every ISO time
  left_reason      TEXT,
  enrolled_at      TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (automation_id, module, record_id)
);
CREATE INDEX automation_enrolments_due ON automation_enrolments (due_at, id) WHERE status = 'active';
CREATE INDEX automation_enrolments_address ON automation_enrolments (address_key) WHERE status = 'active';

-- The exactly-once key: a target passes a step once; the ledger row it got (NULL when the ledger already had
-- the address for that step's campaign, e.g. a second record sharing one email address).
CREATE TABLE automation_sends (
  enrolment_id     INTEGER NOT NULL REFERENCES automation_enrolments (id) ON DELETE CASCADE,
  step_key         TEXT NOT NULL,
  recipient_row_id INTEGER,
  at               TEXT NOT NULL,
  PRIMARY KEY (enrolment_id, step_key)
) WITHOUT ROWID;
