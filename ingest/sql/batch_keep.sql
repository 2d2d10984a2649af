-- Per event ID in the batch, the one row to insert: none when events
-- already holds the ID, else the row from the first object in URI order
-- (CloudTrail delivers some events twice, in different files), which is
-- the lowest rid (commit sorts the objects). The aggregate holds only
-- integers besides the ID: with the object's URI in it, as arg_min and min
-- of source_uri, its hash tables were the peak of the whole ingest.
CREATE OR REPLACE TEMP TABLE batch_keep AS
SELECT min(b.rid) AS rid, min(b.obj) AS obj, b.event_id
FROM batch_keys b ANTI JOIN batch_stored s ON s.event_id = b.event_id
GROUP BY b.event_id
