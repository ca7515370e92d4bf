-- The write-back used to tell a delivery stopped by the suppression list from the ledger's error text; the
-- send loop now says so in the `sent` item's payload. Rows queued before that carry the verdict from here on.
UPDATE outbox SET payload = json_set(payload, '$.suppressed', json('true'))
WHERE kind = 'sent' AND state = 'pending'
  AND EXISTS (SELECT 1 FROM recipients r
    WHERE r.row_id = json_extract(outbox.payload, '$.rowId') AND r.last_error = 'suppressed before hand-off');
