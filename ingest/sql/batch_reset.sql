-- Empties the staging tables for the next batch.
DELETE FROM staging_objects;
DROP TABLE IF EXISTS batch_keys;
DROP TABLE IF EXISTS batch_stored;
DROP TABLE IF EXISTS batch_keep;
DROP TABLE IF EXISTS batch_objects;
