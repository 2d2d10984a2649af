-- The events, and of those the ones stored without a name, a source or a
-- time (check_events.sql lists them).
SELECT count(*), count(*) FILTER (WHERE event_name IS NULL OR event_source IS NULL OR event_time IS NULL)
FROM event_rows
