-- The batch's event IDs that events already holds: a semi join whose hash
-- table holds the batch's IDs alone, while the stored IDs stream past.
-- Written as NOT EXISTS in batch_keep, DuckDB built its hash table from
-- every stored ID instead (guessing that a filter kept a fifth of them),
-- which grew with the database and ran out of ingest's memory.
CREATE OR REPLACE TEMP TABLE batch_stored AS
SELECT e.event_id FROM event_rows e SEMI JOIN batch_keys k ON k.event_id = e.event_id
