-- 0011: audiences that follow Sugar (saved filters, reports), read at extraction as the campaign's creator.
-- JSON array of {kind, id, module, name}; NULL for campaigns without one.
ALTER TABLE campaigns ADD COLUMN audiences TEXT;
-- A follow-up (resend to non-openers): JSON {campaignId, name, sugarCampaignId, criterion, mppOnly}; NULL otherwise.
ALTER TABLE campaigns ADD COLUMN follow_up_of TEXT;
