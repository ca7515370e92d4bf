-- 0025: the write-back log's key is the row it stands for (ledger row, activity, link), as SQLite's 0023: the Sugar
-- id is a UUIDv5, so its primary-key index took each confirmed row at a random leaf, while ledger rows are numbered
-- in the order a campaign sends them. The id is derived from the row, so both keys say the same thing; the index
-- on the row (writeback_log_counter) becomes the key.
ALTER TABLE writeback_log DROP CONSTRAINT writeback_log_pkey;
DROP INDEX writeback_log_counter;
ALTER TABLE writeback_log ADD PRIMARY KEY (recipient_row_id, activity_type, link_idx);
