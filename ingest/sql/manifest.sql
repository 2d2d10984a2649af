-- The batch's objects into the manifest, with how many of their events
-- were new; an object loaded or failed before is updated and its attempts
-- counted. rejected counts its records that are not events.
INSERT INTO objects (uri, etag, size, last_modified, status, events, new_events, error, rejected, rejected_reason, attempts, ingested_at)
SELECT o.uri, o.etag, o.size, o.last_modified, o.status, o.events, coalesce(n.cnt, 0), o.error,
    o.rejected, o.rejected_reason, 1, $now::TIMESTAMPTZ
FROM staging_objects o
LEFT JOIN (
    SELECT bo.uri, count(*) AS cnt
    FROM batch_keep k JOIN batch_objects bo ON bo.obj = k.obj
    GROUP BY bo.uri
) n ON n.uri = o.uri
ON CONFLICT (uri) DO UPDATE SET
    etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified,
    status = excluded.status, events = excluded.events, new_events = excluded.new_events,
    error = excluded.error, rejected = excluded.rejected, rejected_reason = excluded.rejected_reason,
    attempts = attempts + 1, ingested_at = excluded.ingested_at
