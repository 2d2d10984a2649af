-- Keeps the batch's manifest rows aside while its objects are committed
-- one at a time.
CREATE OR REPLACE TEMP TABLE staging_all AS SELECT * FROM staging_objects
