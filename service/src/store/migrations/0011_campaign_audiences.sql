-- 0011: audiences that follow Sugar (saved filters, reports), read at extraction as the campaign's creator.
-- JSON array of {kind, id, module, name}; NULL for campaigns without one.
ALTER TABLE campaigns ADD COLUMN audiences TEXT;
