-- The first $limit events, by object and id, stored without a name, a
-- source, or a time their record holds, which no event is, each with what
-- it lacks. Databases loaded before ingest held every record to what an
-- event is (event.go) may have some. Events whose record holds no time
-- (check_counts.sql counts them) are not listed: there was none to keep.
SELECT event_id, source_uri,
    concat_ws(', ',
        CASE WHEN event_name IS NULL THEN 'event_name' END,
        CASE WHEN event_source IS NULL THEN 'event_source' END,
        CASE WHEN event_time IS NULL AND {{ template "record_has_time" }} THEN 'event_time' END) AS lacks
FROM event_rows
WHERE event_name IS NULL OR event_source IS NULL OR (event_time IS NULL AND {{ template "record_has_time" }})
ORDER BY source_uri, event_id
LIMIT $limit
