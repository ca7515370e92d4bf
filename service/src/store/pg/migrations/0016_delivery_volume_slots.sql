-- 0016: one delivery_volume row per process (slot = the process's leadfwd.owner) for each identity, day, provider and
-- campaign. Every outcome transaction adds to its identity's row, so with one row per key the sending processes
-- queued on its lock (35 s of a 36 s campaign with two processes); every read of the table sums, so more rows change
-- no answer.
ALTER TABLE delivery_volume ADD COLUMN slot TEXT NOT NULL DEFAULT '';
ALTER TABLE delivery_volume DROP CONSTRAINT delivery_volume_pkey;
ALTER TABLE delivery_volume ADD PRIMARY KEY (identity_id, day, provider, campaign_id, slot);
