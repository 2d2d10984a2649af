-- Records the objects of batch_bad as failed, with no events.
UPDATE staging_objects o SET status = 'failed', error = 'event ' || b.n || ' is not valid JSON', events = 0
FROM batch_bad b WHERE b.source_uri = o.uri
