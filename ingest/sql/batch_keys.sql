-- Each staged record's key: recordKey's, told in Go, and in DuckDB for the
-- few records recordKey could not tell.
CREATE OR REPLACE TEMP TABLE batch_keys AS
SELECT rid, obj, event_id FROM ctattrib_batch($batch, false) WHERE event_id IS NOT NULL
UNION ALL
SELECT rid, obj, {{ template "event_id" "record" }} FROM ctattrib_batch($batch, true)
