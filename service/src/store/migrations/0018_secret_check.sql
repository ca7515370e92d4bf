-- 0018: a value sealed with LEADFWD_SECRET: a process whose secret cannot open it is refused at start (domain/secret-check.ts).
CREATE TABLE secret_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed TEXT NOT NULL, updated_at TEXT NOT NULL);
