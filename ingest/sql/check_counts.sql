-- The events; of those, the ones stored without a name, a source, or a
-- time their record holds (check_events.sql lists them); and the ones
-- whose record holds no time at all, which are stored without one.
SELECT count(*),
    count(*) FILTER (WHERE event_name IS NULL OR event_source IS NULL
        OR (event_time IS NULL AND {{ template "record_has_time" }})),
    count(*) FILTER (WHERE event_time IS NULL AND NOT {{ template "record_has_time" }})
FROM event_rows
