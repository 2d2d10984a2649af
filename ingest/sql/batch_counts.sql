-- The batch's new events, and all its events.
SELECT (SELECT count(*) FROM batch_keep), (SELECT count(*) FROM batch_keys)
