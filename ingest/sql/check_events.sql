-- The first $limit events, by object and id, stored without a name, a
-- source or a time, which no event is, each with what it lacks. Databases
-- loaded before ingest held every record to what an event is (event.go)
-- may have some.
SELECT event_id, source_uri,
    concat_ws(', ',
        CASE WHEN event_name IS NULL THEN 'event_name' END,
        CASE WHEN event_source IS NULL THEN 'event_source' END,
        CASE WHEN event_time IS NULL THEN 'event_time' END) AS lacks
FROM event_rows
WHERE event_name IS NULL OR event_source IS NULL OR event_time IS NULL
ORDER BY source_uri, event_id
LIMIT $limit
