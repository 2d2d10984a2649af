-- The objects batch_bad failed, with their error.
SELECT o.uri, o.error FROM staging_objects o JOIN batch_bad b ON b.source_uri = o.uri ORDER BY o.uri
