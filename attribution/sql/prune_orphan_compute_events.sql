-- What attribution read from deleted compute lifecycle events.
DELETE FROM compute_events c WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = c.event_id)
