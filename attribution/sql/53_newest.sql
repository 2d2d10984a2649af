-- The newest rows of event_rows, read by rowid, a range DuckDB skips to.
CREATE OR REPLACE TEMP TABLE newest AS
SELECT event_id FROM event_rows WHERE rowid > $after
